"""Products in a real browser (issue #21): the Recommendations grid draws every sampled user's
products as cards with pictures served by the dashboard itself (static serving), in English
and Korean, with no broken picture and no request leaving 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.demo.images import pictures
from tests.e2e.test_browser import (  # page, shots: the fixtures (a checked tab, a folder)
    LOCAL_PREFIXES,
    _idle,
    _no_exception,
    page,  # noqa: F401
    shots,  # noqa: F401
)

GRID = ".st-key-a_grid .pc-card"  # the top-N's product cards (product_cards.py)


def _grid_pictures(context: Any, url: str, language: str, link: str, shot: Path) -> list[Any]:
    """A fresh tab (its grid loads its own pictures, no cache) switched to ``language``, on
    the Recommendations page; returns the picture responses. Fails on a failed or
    non-local request."""
    tab = context.new_page()
    cdp = context.new_cdp_session(tab)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    seen: list[Any] = []
    failed: list[str] = []
    requested: list[str] = []
    tab.on("response", lambda response: seen.append(response))
    tab.on("requestfailed", lambda request: failed.append(request.url))
    tab.on("request", lambda request: requested.append(request.url))
    try:
        tab.set_viewport_size({"width": 1280, "height": 900})
        tab.goto(url, wait_until="domcontentloaded")
        _idle(tab)
        tab.get_by_text(language, exact=True).first.click()
        _idle(tab)
        tab.get_by_role("link", name=link, exact=True).first.click()
        _idle(tab)
        # the top-N, under the history: drawn after the history grid, late at load 18+
        tab.locator(GRID).first.wait_for(timeout=120_000)
        tab.locator(GRID).first.scroll_into_view_if_needed(timeout=60_000)
        tab.wait_for_timeout(1_500)  # let every card's picture load
        _no_exception(tab, link)
        tab.screenshot(path=str(shot))
    finally:
        cdp.detach()
        tab.close()
    assert failed == [], failed
    assert [u for u in requested if not u.startswith(LOCAL_PREFIXES)] == []
    return [r for r in seen if "/app/static/" in r.url]


def test_grid_pictures_load_from_the_dashboard_in_both_languages(
    page: Any,  # noqa: F811
    shots: Path,  # noqa: F811
) -> None:
    url = page.url.split("?")[0]
    for language, link in (("English", "Recommendations"), ("한국어", "추천")):
        shot = shots / f"products-{'ko' if link == '추천' else 'en'}.png"
        loaded = _grid_pictures(page.context, url, language, link, shot)
        assert loaded, f"{language}: the grid asked for no picture"
        for response in loaded:
            assert response.url.startswith("http://127.0.0.1:"), response.url
            assert response.status == 200, (response.url, response.status)
            assert response.headers["content-type"].startswith("image/svg+xml"), response.url
    # every demo picture is served: a category's products never show a broken picture
    for name in pictures():
        reply = page.request.get(f"{url.rstrip('/')}/app/static/items/{name}")
        assert reply.status == 200 and reply.body().startswith(b"<svg "), name
