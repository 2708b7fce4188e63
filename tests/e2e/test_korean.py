"""Korean in a real browser (issue #21): the sidebar's switch turns every page Korean, and Hangul
is drawn with a CJK font, never as empty boxes, in page text and in chart text alike.

Which font drew a node's text is what Chromium itself reports (DevTools protocol,
CSS.getPlatformFontsForNode): a glyph no installed font has is drawn from a font that lacks
it, and the CJK family would be missing from the list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.test_browser import (  # page, shots: the fixtures (a checked tab, a folder)
    _idle,
    _no_exception,
    _slug,
    page,  # noqa: F401
    shots,  # noqa: F401
)

PAGES = {
    "개요": "Overview",
    "데이터": "Data",
    "솔루션 및 지표": "Solutions & metrics",
    "추천": "Recommendations",
    "실험": "Experiments",
    "운영": "Operations",
}


def _fonts(tab: Any, selector: str) -> list[dict[str, Any]]:
    """The platform fonts Chromium used for the first node matching ``selector``."""
    cdp = tab.context.new_cdp_session(tab)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, selector
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()


def _drawn_in_cjk(tab: Any, selector: str) -> None:
    fonts = _fonts(tab, selector)
    cjk = [f for f in fonts if "CJK" in f["familyName"] or "KR" in f["familyName"]]
    assert cjk and sum(f["glyphCount"] for f in cjk) > 0, (selector, fonts)


def test_every_page_in_korean_draws_hangul_with_a_cjk_font(page: Any, shots: Path) -> None:  # noqa: F811
    page.get_by_text("한국어", exact=True).first.click()
    _idle(page)
    for korean, english in PAGES.items():
        page.get_by_role("link", name=korean, exact=True).first.click()
        _idle(page)
        _no_exception(page, korean)
        heading = page.locator('[data-testid="stMain"] h1').first
        assert heading.inner_text().strip() == korean
        _drawn_in_cjk(page, '[data-testid="stMain"] h1')
        page.screenshot(path=str(shots / f"ko-{_slug(english)}.png"))
    page.get_by_role("link", name="데이터", exact=True).first.click()
    _idle(page)
    # Chart text is SVG, which Chromium does not report fonts for: the charts name the CJK
    # family themselves (with the fonts found above, they draw with it)
    title = page.locator(".js-plotly-plot .gtitle").first
    title.wait_for(timeout=30_000)
    assert any("\uac00" <= c <= "\ud7a3" for c in title.text_content() or "")
    family = title.evaluate("node => getComputedStyle(node).fontFamily")
    assert "Noto Sans CJK KR" in family, family


def test_in_korean_the_sidebar_says_which_key_applies_typed_text(page: Any, shots: Path) -> None:  # noqa: F811
    """Streamlit 1.67 writes its "Press Ctrl+Enter to apply" under a text area in English
    whatever the app's language (a literal of its frontend, no option; README, known
    deviations). In Korean the sidebar says in Korean what to press, while the English hint
    shows."""
    import re

    from playwright.sync_api import expect

    page.get_by_text("한국어", exact=True).first.click()
    _idle(page)
    page.get_by_role("link", name="추천", exact=True).first.click()
    _idle(page)
    field = page.locator(".st-key-pg_users").first
    box = field.locator("textarea")
    box.fill("u0\nu1")  # typed, not applied yet: Streamlit's hint shows under the box
    hint = field.locator('[data-testid="InputInstructions"]')
    expect(hint).to_have_text(re.compile(r"Press (Ctrl|⌘)\+Enter to apply"))
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text("Enter를 누르거나(여러 줄 입력란은 Ctrl+Enter")
    expect(sidebar).to_contain_text("입력란 밖을 클릭하면 적용됩니다")
    page.screenshot(path=str(shots / "ko-key-hint.png"))
    box.press("Control+Enter")  # what the caption says: applied, so the hint goes
    _idle(page)
    expect(hint).not_to_contain_text("Press")
    _no_exception(page, "applied")
