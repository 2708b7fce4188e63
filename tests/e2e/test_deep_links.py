"""Every page opens by deep link on a freshly started server, and again after a reload (issue
#21): its own title, under the entrypoint's navigation (the pages' titles, never Streamlit's
list of file names), with the language switch, the wide layout and the link's query parameters.

The entrypoint used to be dashboard/app.py, next to ``dashboard/pages/``, which Streamlit
treats as its legacy multipage app until some session has called ``st.navigation``: the first
visitor's deep link ran the page file alone, narrow, under "app · data · experiments · …", and
every later visitor saw the same until somebody opened the root URL. So this module starts its
own server, and its first request is a deep link.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import IDLE, failed_requests, streamlit_probes

# the first link waits for the fresh server's first run (see _drawn_by_the_router)
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

# url path -> the page's title, in English and in Korean (as the catalogue translates it),
# in the navigation's order (streamlit_app.py's PAGE_TABLE)
PAGES = {
    "overview": ("Overview", "개요"),
    "data": ("Data", "데이터"),
    "solutions": ("Solutions & metrics", "솔루션 및 지표"),
    "recommendations": ("Recommendations", "추천"),
    "experiments": ("Experiments", "실험"),
    "operations": ("Operations", "운영"),
}
# The links opened, the first one on the fresh server; their query parameters stay in the URL,
# and a tab named there opens (dashboard/components/page_tabs.py; the Data page draws its tabs
# only once a dataset group exists, Operations always).
LINKS = (
    ("recommendations", ""),
    ("data", "?tab=check"),
    ("operations", "?tab=audit&target=shop-campaign"),
    ("solutions", ""),
    ("experiments", ""),
    ("overview", ""),
)
DEFAULT = "overview"
OPEN_TAB = {"operations": "Audit log"}
SWITCH = "언어 · Language"  # the language switch's label, the same in both languages
CHOICES = ("English", "한국어")  # its options
KOREAN_BROWSER = "Object.defineProperty(navigator, 'language', {get: () => 'ko-KR'});"


@pytest.fixture(scope="module")
def fresh_app(own_dashboard: Callable[..., str]) -> str:
    """A dashboard nobody has visited yet, over an empty workspace (titles need no data)."""
    return own_dashboard("e2e-deep-links")


def _idle(page: Any) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=60_000)


def _drawn_by_the_router(page: Any, path: str, language: int) -> None:
    """The page of ``path`` as streamlit_app.py draws it, in English (0) or Korean (1)."""
    from playwright.sync_api import expect

    title = PAGES[path][language]
    # a fresh server's first run imports every module of the dashboard and the engine: 69 s on
    # its own at load 21 on 2 cores, more with Chromium and other runs beside it
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(title, timeout=240_000)
    _idle(page)
    nav = page.locator('[data-testid="stSidebarNav"] a')
    # a link's text is its icon's ligature name ("traffic"), then its label
    labels = [t.strip().splitlines()[-1] for t in nav.all_inner_texts()]
    assert labels == [t[language] for t in PAGES.values()], labels
    # the language switch, its option for the page's language chosen
    switch = page.locator('[data-testid="stSidebar"]').get_by_role("radiogroup", name=SWITCH)
    expect(switch.get_by_role("radio", name=CHOICES[language], exact=True)).to_be_checked()
    # streamlit_app.py's page config (layout="wide"): the main column uses the window, not 736 px
    width = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()["width"]
    assert width > 1000, width


@pytest.mark.parametrize(("path", "query"), LINKS, ids=[path for path, _query in LINKS])
def test_every_page_opens_by_deep_link_on_a_fresh_server_and_after_a_reload(
    fresh_app: str, browser_context: Any, path: str, query: str
) -> None:
    """One test per link (each a page load and a reload under the per-test timeout), in LINKS'
    order: the first one is the fresh server's first request."""
    page = browser_context.new_page()
    failed = failed_requests(page, fresh_app)
    try:
        page.goto(f"{fresh_app}/{path}{query}", wait_until="domcontentloaded")
        for visit in ("link", "reload"):
            if visit == "reload":
                page.reload(wait_until="domcontentloaded")
            _drawn_by_the_router(page, path, 0)
            # no request of ours failed (a favicon, the manifest, a static file, a picture):
            # only Streamlit's own probes under the page's path (conftest.STREAMLIT_PROBES)
            assert set(failed) <= streamlit_probes(fresh_app, path), (visit, failed)
            # the default page is served at the root URL, whatever its link said; the link's
            # query stays, and the language joins it
            url = urlsplit(page.url)
            shown = "" if path == DEFAULT else path
            assert url.path == f"/{shown}", (visit, page.url)
            asked = parse_qs(query.removeprefix("?"))
            assert parse_qs(url.query) == {**asked, "lang": ["en"]}, (visit, page.url)
            if path in OPEN_TAB:
                tab = page.get_by_role("tab", selected=True)
                assert OPEN_TAB[path] in tab.inner_text(), (visit, tab.inner_text())
    finally:
        page.close()


def test_a_deep_link_in_a_korean_browser_opens_the_page_in_korean(
    fresh_app: str, browser_context: Any
) -> None:
    """A new session starts in the browser's language; the language then rides in the URL
    (?lang=ko), so the reload's new session is Korean too."""
    page = browser_context.new_page()
    page.add_init_script(KOREAN_BROWSER)
    try:
        page.goto(f"{fresh_app}/solutions", wait_until="domcontentloaded")
        _drawn_by_the_router(page, "solutions", 1)
        page.reload(wait_until="domcontentloaded")
        _drawn_by_the_router(page, "solutions", 1)
        assert page.url == f"{fresh_app}/solutions?lang=ko"
    finally:
        page.close()
