"""Screenshots of every page of the running app on the demo shop, for the README.

Run: .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--language ko]

``--language ko`` photographs the pages in Korean (the browser's locale is ko-KR, so the app
starts in Korean) into ``docs/screenshots/ko/``; Hangul needs a CJK font on the machine
(Debian's fonts-noto-cjk, docs/korean.md).

Seeds the demo shop into a temporary data directory, serves the app with `streamlit run` on a
free loopback port and photographs each page in headless Chromium (Debian's `chromium`).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, IDLE  # noqa: E402
from tests.local.server import free_port  # noqa: E402

PAGES = ["Overview", "Data", "Solutions & metrics", "Recommendations", "Operations"]
# The navigation's link names in Korean (the catalogue's translations of PAGES), same order.
KOREAN_PAGES = ["개요", "데이터", "솔루션 및 지표", "추천", "운영"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--language", choices=["en", "ko"], default="en")
    args = parser.parse_args()
    out = Path(args.out) / ("ko" if args.language == "ko" else "")
    links = KOREAN_PAGES if args.language == "ko" else PAGES
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

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
                "dashboard/app.py",
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
            for _ in range(120):
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                        break
                except OSError:
                    time.sleep(0.5)
            with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
                ctx = pw.chromium.launch_persistent_context(
                    profile,
                    executable_path=CHROMIUM,
                    headless=True,
                    args=CHROMIUM_ARGS,
                    viewport={"width": 1400, "height": 1000},
                    locale="ko-KR" if args.language == "ko" else "en-US",
                )
                page = ctx.pages[0] if ctx.pages else ctx.new_page()
                page.goto(url, wait_until="domcontentloaded")
                page.wait_for_selector(IDLE, timeout=120_000)
                for name, link in zip(PAGES, links, strict=True):
                    page.get_by_role("link", name=link, exact=True).first.click()
                    page.wait_for_timeout(500)
                    page.wait_for_selector(IDLE, timeout=120_000)
                    page.wait_for_timeout(1500)  # let charts finish drawing
                    slug = name.lower().replace(" & ", "-").replace(" ", "-")
                    page.screenshot(path=str(out / f"{slug}.png"), full_page=False)
                    print(f"wrote {out / f'{slug}.png'}")
                ctx.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
