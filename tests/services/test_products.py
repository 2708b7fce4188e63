"""Items as products (issue #21): which field is the picture, name, price and category, and
which picture URLs a browser may be given."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from services.demo.data import CATEGORIES
from services.demo.images import PLACEHOLDER_URL, category_image, pictures
from services.evaluation.products import safe_image_url
from services.evaluation.sampling import ItemCatalog
from services.i18n import current_language, formats, use_language

STATIC = Path(__file__).resolve().parents[2] / "static" / "items"


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.co.kr/p/123.jpg",
        "http://127.0.0.1:8000/a.png?w=64",
        "app/static/items/shoes.svg",
        "app/static/brand/logo-2.png",
    ],
)
def test_http_and_the_dashboards_own_static_pictures_pass(url: str) -> None:
    assert safe_image_url(url) == url
    assert safe_image_url(f"  {url} ") == url  # spaces around a cell are not part of it


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:image/svg+xml;utf8,<svg onload=alert(1)>",
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
        "//evil.example/x.png",  # protocol-relative: another host, no scheme of ours
        "https:///no-host.png",
        "ftp://host/x.png",
        'https://host/x.png" onerror="alert(1)',
        "https://host/x .png",
        "app/static/../app.py",
        "app/static/items/shoes.svg?x=<b>",
        "app/static/items/",
        "/etc/passwd",
        "shoes.svg",
        "https://h/" + "a" * 2050,
        "",
        None,
        3.5,
    ],
)
def test_anything_else_is_refused(url: object) -> None:
    assert safe_image_url(url) is None


def test_catalog_resolves_pictures_names_prices_and_categories() -> None:
    catalog = ItemCatalog.from_frame(
        pd.DataFrame(
            {
                "ITEM_ID": ["a", "b", "c", "d", "e"],
                "NAME": ["레드 스니커즈", "[x](http://evil)", None, "노트북", "?"],
                "CATEGORY": ["신발", "unknown-cat", "커피", "노트북", None],
                "PRICE": [39000, "₩39,000", None, 1250000.5, "12"],
                "IMAGE_URL": [
                    "https://img.example/a.jpg",
                    "javascript:alert(1)",
                    None,
                    "data:image/svg+xml,<svg/>",
                    "",
                ],
            }
        )
    )
    a, b, c, d, e = (catalog.product(i) for i in "abcde")
    assert (a.name, a.category, a.price, a.image) == (
        "레드 스니커즈",
        "신발",
        39000.0,
        "https://img.example/a.jpg",
    )
    assert a.currency == "KRW"
    # a refused URL falls back: the category's demo picture, else the neutral placeholder
    assert b.image == PLACEHOLDER_URL and not b.has_image
    assert b.name == "[x](http://evil)"  # kept as the text it is; drawing never renders it
    assert b.price is None  # "₩39,000" left as text is unknown, never 0 or a crash
    assert c.image == "app/static/items/coffee.svg" and c.has_image and c.price is None
    assert d.image == "app/static/items/laptops.svg" and d.price == 1250000.5
    assert e.image == PLACEHOLDER_URL and e.price == 12.0
    unknown = catalog.product("zzz")
    assert (unknown.name, unknown.category, unknown.price) == (None, None, None)
    assert unknown.image == PLACEHOLDER_URL


def test_prices_in_won_per_language() -> None:
    before = current_language()
    try:
        use_language("en")
        assert formats.money(39000.0, "KRW") == "₩39,000"
        use_language("ko")
        assert formats.money(1250000.5, "KRW") == "₩1,250,000"  # won have no minor unit
    finally:
        use_language(before)


def test_every_demo_category_has_its_picture_served_from_static() -> None:
    drawn = pictures()
    for category in CATEGORIES:
        url = category_image(category)
        assert url is not None and safe_image_url(url) == url
        name = url.rsplit("/", 1)[-1]
        assert (STATIC / name).read_text(encoding="utf-8") == drawn[name], name
        # labelled with the category as the data names it: no English word in Korean mode
        label = re.findall(r"<text[^>]*>([^<]*)</text>", drawn[name])
        assert label == [category], (name, label)
    assert (STATIC / PLACEHOLDER_URL.rsplit("/", 1)[-1]).exists()
    assert category_image("cat0") is None and category_image(None) is None
    for name, text in drawn.items():
        assert text.startswith("<svg ") and "<script" not in text and "href" not in text, name
