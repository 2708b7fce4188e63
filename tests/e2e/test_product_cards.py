"""Product cards in headless Chromium (issue #21, "the ID on hover"): the card grid of
``dashboard/components/recommendations/product_cards.py`` as Streamlit's frontend mounts it.

Alone (``tests/e2e/cards_app``): hovering a card shows its item ID (the band over the
picture, and the card's ``title``); planted names (``<b>굵은</b>``, a spreadsheet formula, an
HTML row label) read literally with no element made of them; a picture that cannot load (a
loopback port nothing serves) and one whose URL is refused (``javascript:``) show the
placeholder tile, never a broken image (every picture's ``naturalWidth`` > 0); Hangul is drawn
with a CJK font (Chromium's own report, as in test_korean.py); a click comes back to Python.
On the Recommendations page of the seeded shop: every sampled user is a row of cards, none
cut off at the window's width, a hover shows the ID and a click shows the product's table.
No request leaves 127.0.0.1 (``blob:`` is the component's own script, made in the page)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import IDLE, ROOT, need_chromium, served_dashboard
from tests.e2e.test_browser import (  # page, shots: the fixtures (a checked tab, a folder)
    LOCAL_PREFIXES,
    _idle,
    _no_exception,
    page,  # noqa: F401
    shots,  # noqa: F401
)
from tests.local.server import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

HOSTILE = "<b>굵은</b>"
FORMULA = "=cmd|' /C calc'!A0"
PLACEHOLDER = "/app/static/items/placeholder.svg"
CARD = ".pc-card"
TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def cards_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The cards app served on loopback: its script and the dashboard's static pictures
    (``static/``, next to the entry point) in a folder of their own, the dashboard's packages
    on the path, an unserved loopback port as the unreachable picture."""
    need_chromium()
    base = tmp_path_factory.mktemp("cards")
    shutil.copy(ROOT / "tests/e2e/cards_app/streamlit_app.py", base / "streamlit_app.py")
    (base / "static").symlink_to(ROOT / "static", target_is_directory=True)
    env = {
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "CARDS_DEAD_PORT": str(free_port()),
    }
    log = base / "streamlit.log"
    with served_dashboard(
        base / "data", log, "--server.enableStaticServing", "true", root=base, env=env
    ) as url:
        yield url


def _tab(context: Any, url: str) -> tuple[Any, list[str], list[str]]:
    """A new tab on ``url``, drawn; with the URLs it requested and its console errors."""
    tab = context.new_page()
    requested: list[str] = []
    errors: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    tab.on("pageerror", lambda err: errors.append(str(err)))
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.goto(url, wait_until="domcontentloaded")
    tab.wait_for_selector(IDLE, timeout=TIMEOUT_MS)
    tab.locator(CARD).first.wait_for(timeout=TIMEOUT_MS)
    return tab, requested, errors


def _pictures(tab: Any) -> list[dict[str, Any]]:
    """Every card picture once loading settled: its src, natural width and data-fallback."""
    tab.wait_for_function(
        """() => [...document.querySelectorAll('*')].filter(e => e.shadowRoot)
             .flatMap(e => [...e.shadowRoot.querySelectorAll('img.pc-img')])
             .every(i => i.complete && (i.naturalWidth > 0 || !i.getAttribute('src')))""",
        timeout=TIMEOUT_MS,
    )
    pictures: list[dict[str, Any]] = tab.evaluate(
        """() => [...document.querySelectorAll('*')].filter(e => e.shadowRoot)
             .flatMap(e => [...e.shadowRoot.querySelectorAll('.pc-card')])
             .map(c => { const i = c.querySelector('img');
                         return {item: c.dataset.item, src: i.src, width: i.naturalWidth,
                                 fallback: i.dataset.fallback || ''}; })"""
    )
    return pictures


def _fonts_of_first(tab: Any, selector: str) -> list[dict[str, Any]]:
    """The platform fonts Chromium drew the first card node matching ``selector`` with (the
    node is inside the component's shadow root: found by script, handed to DevTools)."""
    cdp = tab.context.new_cdp_session(tab)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})
        found = cdp.send(
            "Runtime.evaluate",
            {
                "expression": "[...document.querySelectorAll('*')].filter(e => e.shadowRoot)"
                f".map(e => e.shadowRoot.querySelector({selector!r})).find(Boolean)"
            },
        )
        node = cdp.send("DOM.requestNode", {"objectId": found["result"]["objectId"]})["nodeId"]
        fonts: list[dict[str, Any]] = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})[
            "fonts"
        ]
        return fonts
    finally:
        cdp.detach()


def _fits(tab: Any, root: Any) -> None:
    """No sideways scrolling: the card grid ``root`` fits the page's width in a 1400 px and
    a 1280 px window (the sidebar open)."""
    for window in (1400, 1280):
        tab.set_viewport_size({"width": window, "height": 1000})
        tab.wait_for_timeout(300)  # the grid lays out again
        width = root.evaluate("n => [n.scrollWidth, n.clientWidth]")
        print(f"{window} px window: grid {width[0]} px wide, {width[1]} px to draw it in")
        assert width[0] <= width[1], (window, width)
    tab.set_viewport_size({"width": 1400, "height": 1000})


def test_cards_show_the_id_on_hover_and_planted_text_literally(
    cards_url: str,
    browser_context: Any,
    shots: Path,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    tab, requested, errors = _tab(browser_context, cards_url)
    try:
        cards = tab.locator(CARD)
        assert cards.count() == 5  # 김민준: h1 f1 k1 u1, <i>u2</i>: k1 (the app's rows)
        first = cards.first
        band = first.locator(".pc-id")
        expect(band).to_be_hidden()
        first.hover()
        expect(band).to_be_visible()
        expect(band).to_have_text("h1")
        assert first.get_attribute("title") == f"{HOSTILE}\nitem ID: h1"
        tab.screenshot(path=str(shots / "product-cards-hover.png"))
        # planted text is text: the names as typed, no element made of them
        names = [n.text_content() for n in tab.locator(".pc-name").all()]
        assert names == [HOSTILE, FORMULA, "한국어 운동화", "Unreachable", "한국어 운동화"]
        assert tab.locator(".pc-category").nth(1).text_content() == FORMULA
        assert tab.locator(".pc-row").nth(1).text_content() == "<i>u2</i>"
        assert tab.locator(".pc-root b, .pc-root i, .pc-root script").count() == 0
        # prices formatted in Python, in won; unknown ones a dash
        prices = [p.text_content() for p in tab.locator(".pc-price").all()]
        assert prices == ["₩39,000", "–", "₩129,000", "–", "₩129,000"]
        # pictures: the demo category's for 신발, the placeholder for the refused javascript:
        # URL (Python never sends it) and for the unreachable one (swapped on error)
        pictures = {p["item"]: p for p in _pictures(tab)}
        assert all(p["width"] > 0 for p in pictures.values()), pictures
        assert pictures["h1"]["src"].endswith("/app/static/items/shoes.svg")
        assert pictures["f1"]["src"].endswith(PLACEHOLDER)
        assert pictures["u1"]["src"].endswith(PLACEHOLDER) and pictures["u1"]["fallback"] == "1"
        assert not any("javascript" in p["src"] for p in pictures.values())
        # Hangul drawn with a CJK face, which the CSS names
        fonts = _fonts_of_first(tab, ".pc-name")
        cjk = [f for f in fonts if "CJK" in f["familyName"] or "KR" in f["familyName"]]
        assert cjk and sum(f["glyphCount"] for f in cjk) > 0, fonts
        family = tab.locator(".pc-root").evaluate("n => getComputedStyle(n).fontFamily")
        assert "Noto Sans CJK KR" in family, family
        # a click comes back to Python, and the card is drawn as chosen
        tab.locator(CARD).nth(2).click()
        expect(tab.get_by_text("picked: {'row': 0, 'item': 'k1'}")).to_be_visible()
        expect(tab.locator(".pc-selected")).to_have_count(1)
        expect(tab.locator(".pc-selected")).to_have_attribute("data-item", "k1")
        # a second click clears it
        tab.locator(CARD).nth(2).click()
        expect(tab.get_by_text("picked: None")).to_be_visible()
        tab.locator(".pc-row").nth(1).click()
        expect(tab.get_by_text("picked: {'row': 1, 'item': None}")).to_be_visible()
        assert tab.locator(".pc-root").count() == 1  # redrawn in place, not added
    finally:
        tab.close()
    assert errors == []
    assert [u for u in requested if not u.startswith(LOCAL_PREFIXES)] == []


def test_the_recommendations_grid_is_cards_of_every_user(
    page: Any,  # noqa: F811
    shots: Path,  # noqa: F811
) -> None:
    """The seeded shop's grid (12 users × top 10 by default) at a 1400 px window: every user a
    row of 10 cards, the whole grid within the page's width, the ID on hover, and a click
    shows the product's table with that ID. The page fixture fails on any console error or
    request off 127.0.0.1."""
    from playwright.sync_api import expect

    page.get_by_role("link", name="Recommendations", exact=True).first.click()
    _idle(page)
    grid = page.locator(".st-key-a_grid")
    grid.locator(CARD).first.wait_for(timeout=TIMEOUT_MS)
    _no_exception(page, "Recommendations")
    rows = grid.locator(".pc-row")
    users = rows.count()
    assert users >= 2
    assert grid.locator(CARD).count() == users * 10
    root = grid.locator(".pc-root")
    _fits(page, root)
    grid.scroll_into_view_if_needed()
    card = grid.locator(CARD).nth(2)
    item = card.get_attribute("data-item")
    assert item
    card.hover()
    expect(card.locator(".pc-id")).to_have_text(item)
    page.screenshot(path=str(shots / "recommendations-cards.png"))
    tables = page.locator('[data-testid="stDataFrame"]')
    before = tables.count()
    card.click()
    _idle(page)
    expect(tables).to_have_count(before + 1)
    # the product's table, the first of the page (under the grid): one row, its ID last
    clicked = tables.first.locator("td")
    expect(clicked).to_have_count(5)
    expect(clicked.last).to_have_text(item)
    expect(grid.locator(".pc-selected")).to_have_attribute("data-item", item)
    assert all(p["width"] > 0 for p in _pictures(page))
    # Compare mode: one grid, each user's history, A's and B's lists on consecutive rows,
    # within the page's width too
    page.get_by_text("Compare two campaigns", exact=True).click()
    _idle(page)
    compare = page.locator(".st-key-compare_grid")
    compare.locator(CARD).first.wait_for(timeout=TIMEOUT_MS)
    labels = [r.text_content() or "" for r in compare.locator(".pc-row").all()]
    assert labels[:3] == [f"{labels[0].split(' · ')[0]} · {s}" for s in ("latest", "A", "B")]
    assert len(labels) == 3 * users
    _fits(page, compare.locator(".pc-root"))
    compare.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "recommendations-compare-cards.png"))
