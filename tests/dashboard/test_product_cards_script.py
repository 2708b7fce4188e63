"""The product cards' script and style (dashboard/components/recommendations/product_cards.*)
draw untrusted text as text: the script has no HTML sink, and the style names the CJK faces
the charts name. The browser test (tests/e2e/test_product_cards.py) checks the drawing."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.components.chart_style import FONT_FAMILY
from dashboard.components.recommendations import product_cards

FOLDER = Path(product_cards.__file__).parent
# every way a script turns a string into markup or code
HTML_SINKS = re.compile(
    r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment"
    r"|DOMParser|\beval\(|new Function|setAttribute\(\s*[\"']on|\.srcdoc|\.href\s*="
)


def test_the_script_sets_text_and_pictures_only() -> None:
    script = (FOLDER / "product_cards.js").read_text(encoding="utf-8")
    code = "\n".join(line.split("//")[0] for line in script.splitlines())  # not comments
    assert HTML_SINKS.findall(code) == []
    # text goes in through textContent and title; a picture's src only through safeSrc or
    # the checked fallback
    assert "textContent" in code and ".title = " in code
    assert sorted(re.findall(r"img\.src = (\w+)", code)) == ["fallback", "fallback", "own"]
    assert "const own = safeSrc(src)" in code and "const fallback = safeSrc(placeholder)" in code


def test_the_style_names_the_cjk_faces_of_the_charts() -> None:
    css = product_cards._css()
    assert f".pc-root {{ font-family: {FONT_FAMILY}; }}" in css
    assert '"Noto Sans CJK KR"' in css
