"""How busy Operations looks during and after Refresh now, in headless Chromium (issue #21).

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/refresh_busy.py [--base REF] [--rounds 1]
     [--idle-seconds 60]

For each of two source trees, this one and ``--base`` (a commit exported with ``git archive``
to a temporary folder, the baseline measured in the same run), in alternating rounds: seed the
page tests' small shop (three solutions with campaigns), serve it with ``streamlit run``
(training in the engine's worker process, as ``make demo`` does), open Operations → Refresh,
set the largest allowed drop to 100 %, press Refresh now and confirm. Streamlit's frontend
marks the app ``data-test-script-state="running"`` while a script or fragment run is under
way (the toolbar's "Running…"); it is sampled every 50 ms from the confirm until the run's box
reads SUCCEEDED, and then for ``--idle-seconds`` of an idle page. Printed per tree: seconds
from the confirm to the first idle moment, the run's length, the share of the run the page was
busy, script runs started (idle → running edges) during the run and per minute after it, and
the ratios of this tree's to the baseline's.

How grey it looks (trial s12), from every change of the page between the confirm and the end
(``tests.e2e.refresh_watch``): the whole-page runs, the most elements a poll marks stale
outside its panel, the most drawn greyed on screen, and the seconds a Stop entry stayed beside
a Running work caption that no longer counts it.

Needs Debian's chromium (the browser tests' one dependency); nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STATE = '[data-testid="stApp"]'
SAMPLE_S = 0.05


@dataclass(frozen=True)
class Sample:
    """What one tree's dashboard did around one Refresh now."""

    first_idle_s: float  # confirm → the page first reads notRunning
    run_s: float  # confirm → the box reads SUCCEEDED
    busy_share: float  # of the run's samples, the share with a script or fragment running
    runs_during: int  # script/fragment runs started while the refresh ran
    runs_per_idle_min: float  # after it, per minute of an idle page
    page_wide_runs: int  # whole-page runs during the run (the confirm's included)
    poll_stale_max: int  # most stale-marked elements outside the panel during a poll
    grey_on_screen_max: int  # most elements on screen drawn with a lowered opacity
    stop_left_over_s: float  # Stop entries beside a caption that no longer counts them
    timeline: str  # the run's busy (+) and idle (-) stretches, in seconds


def export(ref: str, into: Path) -> Path:
    """The tree of ``ref`` written to ``into`` (git archive; the repository is not touched)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _busy(page: Any) -> bool:
    return bool(page.locator(STATE).get_attribute("data-test-script-state") == "running")


def measure(tree: Path, template: Path, work: Path, idle_s: float, browser: Any) -> Sample:
    """One Refresh now on a copy of ``template`` served from ``tree``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from tests.e2e.conftest import IDLE, served_dashboard
    from tests.e2e.refresh_watch import SUCCEEDED, Greying, open_refresh_dialog

    data = work / "data"
    shutil.copytree(template, data)
    env = {"PERSONALIZE_LOCAL_WORKER": "process"}
    with served_dashboard(data, work / "streamlit.log", root=tree, env=env) as url:
        page = browser.new_page()
        try:
            confirm = open_refresh_dialog(page, url, IDLE)
            done = page.get_by_text(SUCCEEDED).first
            confirm.click()
            start = time.perf_counter()
            # the click's own run: sampling before it starts would read "idle" at once (a run
            # too short to be seen running ends the wait after 10 s)
            with suppress(PlaywrightTimeout):
                page.wait_for_selector(f'{STATE}[data-test-script-state="running"]', timeout=10_000)
            first_idle = None
            busy_samples = samples = edges = 0
            was_busy = True
            stretches: list[str] = []
            since = 0.0
            while True:
                busy = _busy(page)
                now = time.perf_counter() - start
                if not busy and first_idle is None:
                    first_idle = now
                if busy and not was_busy:
                    edges += 1
                if busy != was_busy:
                    stretches.append(f"{'+' if was_busy else '-'}{now - since:.1f}")
                    since = now
                was_busy = busy
                samples += 1
                busy_samples += busy
                if done.is_visible():
                    break
                if now > 300:
                    raise RuntimeError(f"no SUCCEEDED after 300 s in {tree}")
                time.sleep(SAMPLE_S)
            run_s = time.perf_counter() - start
            page.wait_for_selector(IDLE, timeout=120_000)
            page.wait_for_timeout(3000)  # the poll after the end, and the page's run
            page.wait_for_selector(IDLE, timeout=120_000)
            seen = Greying.of(page.evaluate("window.__changes"))
            idle_start = time.perf_counter()
            idle_edges, was_busy = 0, False
            while time.perf_counter() - idle_start < idle_s:
                busy = _busy(page)
                idle_edges += busy and not was_busy
                was_busy = busy
                time.sleep(SAMPLE_S)
        finally:
            page.close()
    return Sample(
        first_idle if first_idle is not None else run_s,
        run_s,
        busy_samples / samples,
        edges,
        idle_edges * 60 / idle_s,
        seen.page_wide_runs,
        seen.poll_outside_max,
        seen.grey_on_screen_max,
        seen.stop_left_over_s,
        " ".join(stretches),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="fe609cb", help="the baseline commit (default fe609cb)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--no-base", action="store_true", help="this tree only (no ratios)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from services.db import dispose_engines
    from tests.dashboard.conftest import seed_workspace
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory(prefix="refresh-busy-") as tmp:
        root = Path(tmp)
        base = export(args.base, root / "base")
        template = root / "template"
        seed_workspace(template)
        dispose_engines()
        trees = {"this tree": ROOT, f"base {args.base}": base}
        if args.no_base:
            del trees[f"base {args.base}"]
        results: dict[str, list[Sample]] = {name: [] for name in trees}
        with sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                str(root / "profile"),
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1400, "height": 1000},
            )
            browser.set_default_timeout(90_000)
            for n in range(args.rounds):
                order = list(trees.items())
                for name, tree in order if n % 2 == 0 else order[::-1]:
                    work = root / f"{name.split()[0]}-{n}"
                    work.mkdir()
                    sample = measure(tree, template, work, args.idle_seconds, browser)
                    results[name].append(sample)
                    print(f"round {n + 1} {name}: {sample}", flush=True)
            browser.close()

    def mean(name: str, field: str) -> float:
        values = [getattr(s, field) for s in results[name]]
        return sum(values) / len(values)

    if args.no_base:
        return
    this, baseline = trees
    print(f"\n{'':34}{this:>14}{baseline:>16}{'ratio':>8}")
    for field, label, unit in (
        ("first_idle_s", "confirm → page idle", "s"),
        ("run_s", "confirm → SUCCEEDED shown", "s"),
        ("busy_share", "share of the run busy", ""),
        ("runs_during", "script runs during the run", ""),
        ("runs_per_idle_min", "script runs per idle minute", ""),
        ("page_wide_runs", "whole-page runs during the run", ""),
        ("poll_stale_max", "stale-marked elements in a poll (max)", ""),
        ("grey_on_screen_max", "greyed elements on screen (max)", ""),
        ("stop_left_over_s", "Stop entry left over", "s"),
    ):
        a, b = mean(this, field), mean(baseline, field)
        ratio = f"{a / b:.2f}" if b else "–"
        print(f"{label + (' (' + unit + ')' if unit else ''):34}{a:>14.2f}{b:>16.2f}{ratio:>8}")


if __name__ == "__main__":
    main()
