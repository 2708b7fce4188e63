"""The running app in headless Chromium: every page renders, nothing leaves the machine."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import IDLE, RunningApp

pytestmark = pytest.mark.e2e

PAGES = ["Overview", "Data", "Solutions & metrics", "Recommendations", "Operations"]
LOCAL_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


@pytest.fixture
def page(app: RunningApp, browser_context: Any) -> Iterator[Any]:
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
    page.wait_for_selector(IDLE, timeout=60_000)
    yield page
    page.close()


def _open(page: Any, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=60_000)


def test_every_page_renders_without_errors(app: RunningApp, page: Any) -> None:
    shots = os.environ.get("SCREENSHOTS_DIR")
    for name in PAGES:
        _open(page, name)
        assert page.locator('[data-testid="stException"]').count() == 0, name
        heading = page.locator("h1").first.inner_text()
        assert heading.strip(), f"{name} has no title"
        # No access configured + local engine: operator, and every page says so.
        assert "everybody acts as operator" in page.locator('[data-testid="stMain"]').inner_text()
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            slug = name.lower().replace(" & ", "-").replace(" ", "-")
            page.screenshot(path=str(Path(shots) / f"{slug}.png"), full_page=True)
    assert app.console_errors == []
    assert app.foreign_requests == []


def test_overview_warns_about_the_undeployed_version(app: RunningApp, page: Any) -> None:
    _open(page, "Overview")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "shop-campaign" in body
    assert "not deployed" in body.lower()
