"""The demo shop's product pictures: one small SVG per category, drawn here, no download.

The dashboard serves them with Streamlit's static file serving (``static/items``,
``server.enableStaticServing``), so a browser loads them from the dashboard itself and the
server fetches nothing. ``write_images`` regenerates the files; a test keeps them in step.

Run ``python -m services.demo.images static/items`` after changing a category.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

from services.demo.data import CATEGORIES

APP_STATIC = "app/static/"  # the URL where Streamlit serves static/ (next to streamlit_app.py)
STATIC_URL = f"{APP_STATIC}items/"
PLACEHOLDER = "placeholder.svg"  # any item without a picture of its own

# In the order of CATEGORIES (신발, 재킷, 백팩, 텐트, 유모차, 장난감, 헤드폰, 노트북, 주방용품,
# 커피, 시계, 스킨케어): file stem and the picture's background colour. A picture is labelled
# with its category as the data names it (Korean in the demo), never with a word of its own:
# the same file is shown in both languages, and an English label would be English in Korean
# mode.
_STEMS = "shoes jackets backpacks tents strollers toys headphones laptops kitchen coffee watches"
_COLOURS = "#c8553d #2d6a8f #6a994e #386641 #b5838d #f4a259 #5e548e #3d405b #bc4749 #7f5539"
_PICTURES: dict[str, tuple[str, str, str]] = {
    category: (stem, colour, category)
    for category, stem, colour in zip(
        CATEGORIES,
        [*_STEMS.split(), "skincare"],
        [*_COLOURS.split(), "#495057", "#81b29a"],
        strict=True,
    )
}
assert set(_PICTURES) == set(CATEGORIES), "every demo category has a picture"


def category_image(category: str | None) -> str | None:
    """The app-relative URL of a demo category's picture; None for any other category."""
    picture = _PICTURES.get(category or "")
    return f"{STATIC_URL}{picture[0]}.svg" if picture else None


PLACEHOLDER_URL = f"{STATIC_URL}{PLACEHOLDER}"


# Hangul faces by platform (Linux's fonts-noto-cjk, macOS, Windows), as the charts name them;
# a picture is drawn by the browser, which falls back along the list.
_FONT = "'Noto Sans CJK KR', 'Noto Sans KR', 'Apple SD Gothic Neo', 'Malgun Gothic', sans-serif"


def _svg(colour: str, label: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">'
        f'<rect width="96" height="96" rx="12" fill="{colour}"/>'
        '<rect x="24" y="18" width="48" height="40" rx="6" fill="#ffffff" fill-opacity="0.35"/>'
        f'<text x="48" y="80" font-family="{_FONT}" font-size="13" fill="#ffffff" '
        f'text-anchor="middle">{escape(label)}</text></svg>\n'
    )


def pictures() -> dict[str, str]:
    """File name -> SVG text: every category's picture and the neutral placeholder."""
    out = {f"{stem}.svg": _svg(colour, label) for stem, colour, label in _PICTURES.values()}
    out[PLACEHOLDER] = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">'
        '<rect width="96" height="96" rx="12" fill="#e9ecef"/>'
        '<rect x="28" y="28" width="40" height="40" rx="4" fill="none" stroke="#adb5bd" '
        'stroke-width="3"/><circle cx="40" cy="42" r="4" fill="#adb5bd"/>'
        '<path d="M31 64 L45 50 L54 58 L60 52 L66 64 Z" fill="#adb5bd"/></svg>\n'
    )
    return out


def write_images(folder: Path) -> list[Path]:
    """Write every picture into ``folder`` (created if missing); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in pictures().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    for path in write_images(Path(sys.argv[1] if len(sys.argv) > 1 else "static/items")):
        print(path)
