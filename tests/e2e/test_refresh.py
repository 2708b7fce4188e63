"""End to end in headless Chromium: an operator signs in, runs Refresh now on the demo shop,
watches the steps complete, and the Overview's "not deployed" warning disappears."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from services.access import hash_password
from tests.dashboard.conftest import seed_workspace
from tests.e2e.conftest import IDLE

pytestmark = pytest.mark.e2e

PASSWORD = "operator password 1"


def _shop_with_an_operator(base: Path) -> list[str]:
    """The seeded shop in ``base``/data and a secrets file with the operator otto."""
    seed_workspace(base / "data")
    secrets = base / "secrets.toml"
    secrets.write_text(
        f'[access.accounts.otto]\nrole = "operator"\npassword_hash = "{hash_password(PASSWORD)}"\n'
    )
    return ["--secrets.files", str(secrets)]


@pytest.fixture(scope="module")
def signed_app(own_dashboard: Callable[..., str]) -> str:
    """A second dashboard on its own copy of the shop, with one operator account."""
    return own_dashboard("e2e-refresh", _shop_with_an_operator)


def _idle(page: Any) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=120_000)


def _open(page: Any, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).first.click()
    _idle(page)


def _main_text(page: Any) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def test_a_deep_link_on_a_fresh_server_asks_to_sign_in_and_lands_there(
    signed_app: str, browser_context: Any
) -> None:
    """The first visit of a freshly started server used to run the page file on its own
    (Streamlit's legacy pages/ directory mode, while the entrypoint sat next to
    dashboard/pages/), without the entrypoint's sign-in gate. Runs first in this module, on the
    fresh server. A reload signs a password session out (the form says so)."""
    from playwright.sync_api import expect

    from dashboard.components.sign_in import PASSWORD_SESSION_NOTE

    page = browser_context.new_page()
    try:
        page.goto(f"{signed_app}/operations", wait_until="domcontentloaded")
        expect(page.locator("h1").first).to_have_text("Sign in", timeout=120_000)
        main = page.locator('[data-testid="stMain"]')
        expect(main).not_to_contain_text("Running work")
        expect(main).to_contain_text(PASSWORD_SESSION_NOTE[:60])
        page.get_by_role("textbox", name="User name").fill("otto")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("h1").first).to_have_text("Operations", timeout=120_000)
        # nothing of the sign-in rides in the URL: only the language does (?lang=)
        url = urlsplit(page.url)
        assert url.path.endswith("/operations") and parse_qs(url.query) == {"lang": ["en"]}, url
        # streamlit_app.py's navigation (the pages' titles, not Streamlit's list of file names)
        nav = page.locator('[data-testid="stSidebarNav"] a')
        expect(nav).to_have_count(6)
        assert nav.nth(3).inner_text().strip().endswith("Recommendations")
        page.reload(wait_until="domcontentloaded")
        expect(page.locator("h1").first).to_have_text("Sign in", timeout=120_000)
    finally:
        page.close()


def test_operator_refresh_now_deploys_and_clears_the_warning(
    signed_app: str, browser_context: Any
) -> None:
    from playwright.sync_api import expect

    page = browser_context.new_page()
    try:
        page.goto(signed_app, wait_until="domcontentloaded")
        _idle(page)
        assert page.locator("h1").first.inner_text().strip() == "Sign in"
        page.get_by_role("textbox", name="User name").fill("otto")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # The script-state flag can read "notRunning" before the rerun after sign-in starts, and
        # Streamlit keeps the old form on screen until the rerun replaces it; so wait for proof
        # that the signed-in Overview was drawn: the sign-in form gone and its alert present.
        expect(page.get_by_role("button", name="Sign in")).to_have_count(0, timeout=120_000)
        expect(page.locator("h1").first).to_have_text("Overview", timeout=120_000)
        main = page.locator('[data-testid="stMain"]')
        expect(main).to_contain_text("not deployed", ignore_case=True, timeout=120_000)
        _idle(page)

        _open(page, "Operations")
        page.get_by_role("tab", name="Refresh").click()
        tolerance = page.get_by_label("Largest allowed drop (%)")
        tolerance.fill("100")
        tolerance.press("Enter")
        _idle(page)
        page.get_by_role("button", name="Refresh now").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("trains new versions (billed)", timeout=120_000)
        dialog.get_by_role("button", name="Yes, refresh now").click()
        # The steps update themselves until the run ends; the outcome line can show twice for a
        # moment (live progress and past runs), so any one of them will do.
        expect(page.get_by_text("of shop: SUCCEEDED").first).to_be_visible(timeout=120_000)
        _idle(page)

        _open(page, "Overview")
        page.get_by_role("button", name="Refresh").first.click()
        _idle(page)
        main = page.locator('[data-testid="stMain"]')
        expect(main).to_contain_text("Last refresh #1", timeout=120_000)
        _idle(page)
        body = _main_text(page)
        assert "not deployed" not in body.lower(), body
    finally:
        page.close()


def test_a_deep_link_lands_there_after_navigation_ran_and_enter_signs_in(
    signed_app: str, browser_context: Any
) -> None:
    """Issue #10: a deep link runs streamlit_app.py, whose gate stops before the link's page is
    resolved; signing in used to land on `/?x=1` and the Overview. Enter in the password field
    submits the form."""
    from playwright.sync_api import expect

    page = browser_context.new_page()
    try:
        page.goto(f"{signed_app}/data?x=1", wait_until="domcontentloaded")
        expect(page.locator("h1").first).to_have_text("Sign in", timeout=120_000)
        page.get_by_role("textbox", name="User name").fill("otto")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("textbox", name="Password").press("Enter")
        expect(page.locator("h1").first).to_have_text("Data", timeout=120_000)
        url = urlsplit(page.url)
        assert url.path.endswith("/data"), page.url
        assert parse_qs(url.query) == {"x": ["1"], "lang": ["en"]}, page.url
    finally:
        page.close()
