"""What the pages show for an item: the product (picture, name, price, category), not an ID.

An item's picture comes from its own Items field (``IMAGE_URL`` and similar), else from the
demo shop's category pictures, else a neutral placeholder: never a broken image. URLs in the
data are untrusted text typed by whoever exported the catalogue, so only ``http(s)://`` URLs
with a host and the dashboard's own static files pass; ``javascript:``, ``data:``, ``file:``,
protocol-relative and anything else fall back to the placeholder. The browser loads the
picture; the server never fetches it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from services.demo.images import APP_STATIC, PLACEHOLDER_URL, category_image

# Items fields that hold a product's picture / price, most telling first.
IMAGE_COLUMNS = ("IMAGE_URL", "IMAGE", "IMAGE_LINK", "IMG_URL", "THUMBNAIL_URL", "THUMBNAIL")
PRICE_COLUMNS = ("PRICE", "SALE_PRICE", "LIST_PRICE")
# The shop this dashboard is modelled on sells in won; Items prices are plain numbers.
SHOP_CURRENCY = "KRW"
_MAX_URL = 2048
_STATIC_PATH = re.compile(r"[A-Za-z0-9_\-]+(?:/[A-Za-z0-9_\-]+)*\.(?:svg|png|jpg|jpeg|webp|gif)")
_URL_UNSAFE = re.compile(r"[\s\"'<>\\`\x00-\x1f\x7f]")


def safe_image_url(value: object) -> str | None:
    """``value`` if a browser may load it as a product picture, else None.

    Accepted: ``http://`` / ``https://`` URLs with a host and no spaces, quotes or angle
    brackets (at most 2048 characters), and ``app/static/…`` paths of an image file inside the
    dashboard's static folder (no ``..``)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _MAX_URL or _URL_UNSAFE.search(text):
        return None
    if text.startswith(APP_STATIC):
        return text if _STATIC_PATH.fullmatch(text.removeprefix(APP_STATIC)) else None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text


@dataclass(frozen=True)
class Product:
    """One item as a merchandiser sees it.

    Attributes:
        item_id: the ITEM_ID the model answers with (shown on hover / in a column).
        name: the Items name field, None when the catalogue has none.
        category: the Items category field, None when unknown.
        price: the Items price as a number in ``currency`` units, None when unknown.
        currency: ISO 4217 code of ``price``.
        image: a URL that is safe to draw: the item's own, its demo category's, or the
            placeholder (``has_image`` says whether it is the item's own or its category's).
    """

    item_id: str
    name: str | None
    category: str | None
    price: float | None
    currency: str
    image: str

    @property
    def has_image(self) -> bool:
        return self.image != PLACEHOLDER_URL


def picture(own: object, category: str | None) -> str:
    """The picture to draw for an item: its own safe URL, else its demo category's picture,
    else the neutral placeholder."""
    return safe_image_url(own) or category_image(category) or PLACEHOLDER_URL
