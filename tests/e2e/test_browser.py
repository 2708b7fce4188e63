"""The running app in headless Chromium: every page from the navigation, the side-by-side
comparisons, a deploy from Operations that clears the Overview's warning; no console error and
nothing leaving the machine. Screenshots of every page are kept as test output
(``$SCREENSHOTS_DIR``, else a folder under pytest's temporary directory, printed with -s)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import IDLE, RunningApp

pytestmark = pytest.mark.e2e

PAGES = [
    "Overview",
    "Data",
    "Solutions & metrics",
    "Recommendations",
    "Experiments",
    "Operations",
]
LOCAL_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
TIMEOUT_MS = 120_000  # a page under a loaded 2-core CI run can take over a minute to settle


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots: {folder}")
    return folder


@pytest.fixture
def page(app: RunningApp, browser_context: Any) -> Iterator[Any]:
    """A fresh tab on the app; the test fails on any console error or non-local request."""
    app.console_errors.clear()
    app.foreign_requests.clear()
    page = browser_context.new_page()

    def on_console(msg: Any) -> None:
        # Streamlit probes /<page>/_stcore/* on deep links and logs harmless 404s (#7074).
        if msg.type == "error" and "/_stcore/" not in (msg.location or {}).get("url", ""):
            app.console_errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda err: app.console_errors.append(str(err)))
    page.on(
        "request",
        lambda req: (
            None if req.url.startswith(LOCAL_PREFIXES) else app.foreign_requests.append(req.url)
        ),
    )
    page.goto(app.url, wait_until="domcontentloaded")
    _idle(page)
    yield page
    page.close()
    assert app.console_errors == [], app.console_errors
    assert app.foreign_requests == [], app.foreign_requests


def _idle(page: Any) -> None:
    page.wait_for_timeout(300)  # let a click's rerun start before waiting for its end
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)


def _open(page: Any, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).first.click()
    _idle(page)


def _main_text(page: Any) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def _no_exception(page: Any, where: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, where


def _slug(name: str) -> str:
    return name.lower().replace(" & ", "-").replace(" ", "-")


def test_every_page_renders_without_errors(page: Any, shots: Path) -> None:
    for name in PAGES:
        _open(page, name)
        _no_exception(page, name)
        assert page.locator("h1").first.inner_text().strip(), f"{name} has no title"
        # No access configured + local engine: operator, and every page says so.
        assert "everybody acts as operator" in _main_text(page)
        page.screenshot(path=str(shots / f"{_slug(name)}.png"), full_page=True)
    for name in PAGES:
        assert (shots / f"{_slug(name)}.png").stat().st_size > 10_000, name


def test_overview_shows_the_sidebar_account_and_the_cost(page: Any) -> None:
    from playwright.sync_api import expect

    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text("000000000000", timeout=TIMEOUT_MS)
    expect(sidebar).to_contain_text("Backend: local engine")
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Campaigns, per hour")
    # 3 campaigns × 1 TPS × $0.20 per TPS-hour
    expect(metric).to_contain_text("$0.60", timeout=TIMEOUT_MS)


def test_side_by_side_comparisons(page: Any, shots: Path) -> None:
    from playwright.sync_api import expect

    _open(page, "Recommendations")
    page.get_by_text("Compare two campaigns", exact=True).click()
    _idle(page)
    _no_exception(page, "Recommendations, two campaigns")
    main = page.locator('[data-testid="stMain"]')
    # The cross-campaign overlap line appears only once both campaigns' lists are fetched.
    expect(main).to_contain_text("shop-campaign and shop-pop-campaign agree on", timeout=TIMEOUT_MS)
    page.screenshot(path=str(shots / "recommendations-compare.png"), full_page=True)

    _open(page, "Solutions & metrics")
    page.get_by_text("Side by side", exact=True).scroll_into_view_if_needed()
    expect(main).to_contain_text("vs deployed", timeout=TIMEOUT_MS)
    page.screenshot(path=str(shots / "solutions-side-by-side.png"), full_page=True)


def test_deploy_from_operations_clears_the_overview_warning(
    app: RunningApp, page: Any, shots: Path
) -> None:
    from playwright.sync_api import expect

    main = page.locator('[data-testid="stMain"]')
    _open(page, "Overview")
    # The idle flag can be read before a rerun starts: wait for what the rerun draws.
    expect(main).to_contain_text("not deployed", ignore_case=True, timeout=TIMEOUT_MS)

    _open(page, "Operations")
    page.get_by_role("tab").filter(has_text="Deploy").click()
    page.get_by_role("button", name="Update campaign").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("UpdateCampaign switches shop-campaign", timeout=TIMEOUT_MS)
    dialog.get_by_role("button", name="Yes, update the campaign").click()
    expect(main).to_contain_text("Update of shop-campaign", timeout=TIMEOUT_MS)
    _idle(page)
    # the action reran the page: it stays on Deploy (not back on the first tab), and the URL
    # names the tab, so a reload or a shared link opens it too
    deploy_tab = page.get_by_role("tab").filter(has_text="Deploy")
    expect(deploy_tab).to_have_attribute("aria-selected", "true")
    assert "tab=deploy" in page.url
    page.reload()
    _idle(page)
    expect(page.get_by_role("tab").filter(has_text="Deploy")).to_have_attribute(
        "aria-selected", "true", timeout=TIMEOUT_MS
    )
    page.screenshot(path=str(shots / "operations-deployed.png"), full_page=True)

    _open(page, "Overview")
    deadline = time.monotonic() + 60
    while "not deployed" in _main_text(page).lower():
        assert time.monotonic() < deadline, "the Overview still warns after the update"
        page.get_by_role("button", name="Refresh").click()
        _idle(page)
    _no_exception(page, "Overview after deploy")
    page.screenshot(path=str(shots / "overview-deployed.png"), full_page=True)
