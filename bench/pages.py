"""Render time of each dashboard page on the demo shop (AppTest, local engine in-process).

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/pages.py [--data-dir DIR] [--runs 5]

Seeds the demo shop into a temporary data directory (or uses ``--data-dir`` if it already has
one), then for each page measures the first load, the median of ``--runs`` reruns (what a
user waits for after the first load; caches warm; wall and the process's CPU time) and the
median of ``--runs`` reruns after the cached lists expire (``dashboard.reads.invalidate()``
before each: what a reader coming back after their 30 s ``LIST_TTL``, or after any action,
waits for). The baseline is a page that only draws a title, rendered the same way in the same
run. Target: ≤ 1.5 s after the first load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = {
    "Overview": "dashboard/pages/overview.py",
    "Data": "dashboard/pages/data.py",
    "Solutions & metrics": "dashboard/pages/solutions.py",
    "Recommendations": "dashboard/pages/recommendations.py",
    "Operations": "dashboard/pages/operations.py",
    "Experiments": "dashboard/pages/experiments.py",
}
APP = str(ROOT / "streamlit_app.py")


def seed(data_dir: Path) -> float:
    """Seed the demo shop; returns seconds taken."""
    from services.config import Settings
    from services.demo.shop import seed_demo
    from services.local.engine import reset_engines

    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    t = time.perf_counter()
    code = seed_demo(settings, if_empty=True)
    reset_engines()
    if code != 0:
        raise SystemExit(f"seeding failed with exit code {code}")
    return time.perf_counter() - t


Timing = tuple[float, float]  # (median wall s, median CPU s of this process, every thread)


def timed(at: object, runs: int, before: object = None) -> Timing:
    """Medians of ``runs`` reruns of ``at`` (``before()`` ahead of each, untimed). CPU time
    is the process's (the script runs in a thread of it), which another session's load on
    the shared cores lengthens far less than wall time."""
    walls, cpus = [], []
    for _ in range(runs):
        if before is not None:
            before()  # type: ignore[operator]
        wall, cpu = time.perf_counter(), time.process_time()
        at.run()  # type: ignore[attr-defined]
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def measure(at_factory: object, runs: int) -> tuple[float, Timing, Timing]:
    """(first load s, reruns, reruns after the lists expire) for an AppTest built by
    ``at_factory``."""
    from dashboard.reads import invalidate

    t = time.perf_counter()
    at = at_factory()  # type: ignore[operator]
    first = time.perf_counter() - t
    if at.exception:
        raise SystemExit(f"page raised: {[e.value for e in at.exception]}")
    return first, timed(at, runs), timed(at, runs, invalidate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(args.data_dir or Path(tmp) / "data")
        seconds = seed(data_dir)
        started = load()
        os.environ.update(
            PERSONALIZE_DATA_DIR=str(data_dir),
            PERSONALIZE_LOCAL_LIFECYCLE_SECONDS="0",
            PERSONALIZE_LOCAL_WORKER="thread",
        )
        from streamlit.testing.v1 import AppTest

        def baseline() -> AppTest:
            at = AppTest.from_string(
                "import streamlit as st\nst.title('baseline')", default_timeout=120
            )
            return at.run()

        rows = {"title-only page (baseline)": measure(baseline, args.runs)}
        for name, page in PAGES.items():

            def build(page: str = page) -> AppTest:
                at = AppTest.from_file(APP, default_timeout=120)
                at.run()
                return at.switch_page(page).run()

            rows[name] = measure(build, args.runs)
    base = rows["title-only page (baseline)"][1][0]
    print(f"demo shop seeded in {seconds:.1f} s; {args.runs} reruns per page")
    print(f"load (1 / 5 / 15 min) {started} at the start, {load()} at the end")
    print(
        "| page | first load s | rerun s | rerun CPU s | rerun / baseline "
        "| lists expired: rerun s | rerun CPU s |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, (first, (rerun, cpu), (expired, expired_cpu)) in rows.items():
        print(
            f"| {name} | {first:.2f} | {rerun:.3f} | {cpu:.3f} | {rerun / base:.0f}× "
            f"| {expired:.3f} | {expired_cpu:.3f} |"
        )


def load() -> str:
    """The 1, 5 and 15-minute load averages (the machine is shared: figures depend on it)."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
