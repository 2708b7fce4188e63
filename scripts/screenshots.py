"""Screenshots of every page of the running app on the demo shop, in English and in Korean.

Run: ``make screenshots`` (or ``.venv/bin/python scripts/screenshots.py [--out DIR]
[--language en|ko|both]``). English pages go to ``docs/screenshots/``, Korean ones to
``docs/screenshots/ko/``, each with ``recommendations-grid.png``: the top-N's product cards
with a card hovered (its item ID shown), and ``playground.png``: the rule playground on the
Recommendations page previewing a promotion of the demo's 커피 items for three customers.

Seeds the demo shop into a temporary data directory, serves the app with `streamlit run` on a
free loopback port and photographs each page in headless Chromium (Debian's `chromium`), the
browser's locale set to the language (so the app starts in it). Hangul needs a CJK font on the
machine (Debian's fonts-noto-cjk, docs/korean.md).

It stops with an error, keeping no half-set of pictures unnoticed, when a page shows an
exception, a picture does not load, a request leaves 127.0.0.1, or (in Korean) a page's
heading is not drawn with a CJK font (boxes instead of Hangul).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, IDLE  # noqa: E402
from tests.e2e.test_browser import LOCAL_PREFIXES  # noqa: E402
from tests.e2e.test_korean import _drawn_in_cjk  # noqa: E402
from tests.local.server import free_port  # noqa: E402

PAGES = ["Overview", "Data", "Solutions & metrics", "Recommendations", "Experiments", "Operations"]
# The navigation's link names in Korean (the catalogue's translations of PAGES), same order.
KOREAN_PAGES = ["개요", "데이터", "솔루션 및 지표", "추천", "실험", "운영"]
PROMOTION = 'INCLUDE ItemID WHERE Items.CATEGORY IN ("커피")'
WAIT_MS = 180_000  # a loaded two-core machine draws the Recommendations page in about a minute


class ShotFailed(RuntimeError):
    """A page was not fit to photograph (an exception, a broken picture, a foreign request)."""


def _idle(page: Any) -> None:
    page.wait_for_timeout(500)  # let a click's rerun start before waiting for its end
    page.wait_for_selector(IDLE, timeout=WAIT_MS)


def _check(page: Any, where: str, language: str, seen: dict[str, list[str]]) -> None:
    if page.locator('[data-testid="stException"]').count():
        raise ShotFailed(f"{where}: the page shows an exception")
    # the product cards' pictures are in their component's shadow root, not document.images
    broken = page.evaluate(
        "() => [...document.images, ...[...document.querySelectorAll('*')]"
        ".filter(e => e.shadowRoot).flatMap(e => [...e.shadowRoot.querySelectorAll('img')])]"
        ".filter(i => i.complete && i.getAttribute('src') && i.naturalWidth === 0)"
        ".map(i => i.src)"
    )
    if broken or seen["failed"]:
        raise ShotFailed(f"{where}: pictures did not load: {broken + seen['failed']}")
    if seen["foreign"]:
        raise ShotFailed(f"{where}: requests left 127.0.0.1: {seen['foreign']}")
    if language == "ko":
        _drawn_in_cjk(page, '[data-testid="stMain"] h1')


def _playground(page: Any, out: Path) -> Path:
    """The Recommendations page's playground previewing ``PROMOTION`` (already on the page)."""
    box = page.locator(".st-key-pg_promo textarea").first
    box.fill(PROMOTION)
    box.press("Control+Enter")
    _idle(page)
    # a taller window: the rules, the share each changed and the first customer's lists
    page.set_viewport_size({"width": 1400, "height": 1500})
    page.locator(".st-key-pg_campaign").first.evaluate("n => n.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(1500)  # the tables' canvases draw after the scroll
    path = out / "playground.png"
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1400, "height": 1000})
    return path


def _grid(page: Any, out: Path) -> Path:
    """The Recommendations page's top-N product cards, the third card of the first user
    hovered (its item ID shows over the picture)."""
    grid = page.locator(".st-key-a_grid").first
    grid.evaluate("n => n.scrollIntoView({block: 'start'})")
    grid.locator(".pc-card").nth(2).hover()
    page.wait_for_timeout(1500)  # every card's picture loads
    path = out / "recommendations-grid.png"
    page.screenshot(path=str(path))
    return path


def shoot(url: str, out: Path, language: str) -> list[Path]:
    """Photograph every page (and the playground) in ``language`` into ``out``."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    links = KOREAN_PAGES if language == "ko" else PAGES
    seen: dict[str, list[str]] = {"foreign": [], "failed": []}
    written = []
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
            locale="ko-KR" if language == "ko" else "en-US",
        )
        try:
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.on(
                "request",
                lambda r: (
                    None if r.url.startswith(LOCAL_PREFIXES) else seen["foreign"].append(r.url)
                ),
            )
            page.on("requestfailed", lambda r: seen["failed"].append(r.url))
            # a picture the grid draws on its canvas is fetched, not an <img>: its status counts
            # (Streamlit's own /_stcore/ probes on a page's path answer 404 by design)
            page.on(
                "response",
                lambda r: (
                    seen["failed"].append(f"{r.url} ({r.status})")
                    if r.status >= 400 and "/_stcore/" not in r.url
                    else None
                ),
            )
            page.goto(url, wait_until="domcontentloaded")
            _idle(page)
            for name, link in zip(PAGES, links, strict=True):
                page.get_by_role("link", name=link, exact=True).first.click()
                _idle(page)
                page.wait_for_timeout(1500)  # let charts and picture grids finish drawing
                _check(page, f"{language} {name}", language, seen)
                slug = name.lower().replace(" & ", "-").replace(" ", "-")
                page.screenshot(path=str(out / f"{slug}.png"), full_page=False)
                written.append(out / f"{slug}.png")
                if name == "Recommendations":
                    written.append(_grid(page, out))
                    _check(page, f"{language} product cards", language, seen)
                    written.append(_playground(page, out))
                    _check(page, f"{language} playground", language, seen)
        finally:
            ctx.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--language", choices=["en", "ko", "both"], default="both")
    args = parser.parse_args()
    languages = ["en", "ko"] if args.language == "both" else [args.language]

    from services.config import Settings
    from services.demo.shop import seed_demo
    from services.local.engine import reset_engines

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        seed_demo(Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread"))
        reset_engines()
        port = free_port()
        env = {
            **os.environ,
            "PERSONALIZE_DATA_DIR": str(data_dir),
            "PERSONALIZE_LOCAL_WORKER": "thread",
            "OPENBLAS_NUM_THREADS": "1",
        }
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "streamlit_app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                        break
                except OSError:
                    time.sleep(0.5)
            for language in languages:
                out = Path(args.out) / ("ko" if language == "ko" else "")
                for path in shoot(url, out, language):
                    print(f"wrote {path}")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:  # a loaded machine; the pictures are taken
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    main()
