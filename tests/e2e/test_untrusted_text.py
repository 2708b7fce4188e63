"""Planted markdown and HTML as Streamlit's own frontend draws it, in headless Chromium: the
values of ``tests/dashboard/test_untrusted_text.py`` (a group name, an import's failure reason,
item names and categories, a typed ID) read literally, with no link, bold, colour or math made
of them. The AppTest suite checks the markdown source of every element; this checks the
browser agrees."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.test_untrusted_text import GROUP, PLANTED, _build
from tests.e2e.conftest import IDLE

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 60_000
# What the page must not make of the planted values: links to them, bold or italic parts of
# them, HTML tags, colour directives or math.
MADE_OF_IT = (  # the pages' own status badges are coloured spans too
    "a[href*='evil'], strong strong, strong em, b, .katex, "
    "span[style*='color']:not(.stMarkdownBadge)"
)


def _planted(base: Path) -> list[str]:
    _build(base / "data")
    return []


@pytest.fixture(scope="module")
def planted_app(own_dashboard: Callable[..., str]) -> str:
    return own_dashboard("e2e-planted", _planted)


def _idle(page: Any) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)


def _read(page: Any) -> str:
    """The main area's text as a reader sees it (without the invisible word joiners)."""
    main = page.locator('[data-testid="stMain"]')
    made = main.locator(MADE_OF_IT)
    assert made.count() == 0, [
        made.nth(i).evaluate("e => e.outerHTML") for i in range(made.count())
    ]
    return main.inner_text().replace("\u2060", "")


def test_planted_markdown_reads_literally_in_the_browser(
    planted_app: str, browser_context: Any
) -> None:
    page = browser_context.new_page()
    try:
        page.goto(planted_app, wait_until="domcontentloaded")
        _idle(page)
        assert f"Dataset group {GROUP}" in _read(page)

        page.get_by_role("link", name="Data", exact=True).first.click()
        _idle(page)
        assert "'**bold** [Sign in again](http://evil.tes…'" in _read(page)

        page.get_by_role("link", name="Recommendations", exact=True).first.click()
        _idle(page)
        item = page.get_by_label("Item ID")
        item.fill("i1")
        item.press("Enter")
        _idle(page)
        text = _read(page)
        assert f"Items similar to i1 · {PLANTED} 1 ({PLANTED})" in text, text
        assert f"its category {PLANTED}." in text, text
    finally:
        page.close()
