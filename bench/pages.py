"""Render time of each dashboard page on the demo shop (AppTest, local engine in-process).

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/pages.py [--data-dir DIR] [--runs 5] [--cold]

Seeds the demo shop into a temporary data directory (or uses ``--data-dir`` if it already has
one), then for each page measures the first load (wall and the process's CPU time, and the
boto3 calls it made), the median of ``--runs`` reruns (what a user waits for after the first
load; caches warm) and the median of ``--runs`` reruns after the cached lists expire
(``dashboard.reads.invalidate()`` before each: what a reader coming back after their 30 s
``LIST_TTL``, or after any action, waits for). Pages are visited in order in one process, so
later pages reuse what earlier ones read. The baseline is a page that only draws a title,
rendered the same way in the same run. Target: ≤ 1.5 s after the first load.

``--cold`` instead opens each page first in a fresh process on its own copy of the data
directory, as a deep link (the router switches to it before drawing anything else): the
imports of the router and the page (once per server process) are timed apart from the first
load itself (every cache empty: what the first visitor of that page waits for). Target: a
first load ≤ 2 s of CPU on the demo shop.

CPU time is the process's, every thread: the engine's writers and its worker run in threads of
it, so work a first load leaves behind (the answered lists it logs) can land in the rerun's
figure, and another session's memory pressure (page faults) lengthens it too; compare rounds
run in turns with the code before, as docs/benchmarks.md does.
"""

from __future__ import annotations

import argparse
import ast
import collections
import importlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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
BASELINE = "title-only page (baseline)"
# What the router imports for every page (streamlit_app.py's own imports).
ROUTER_MODULES = (
    "streamlit",
    "dashboard.components.account_badge",
    "dashboard.components.language",
    "dashboard.components.sign_in",
    "services.i18n",
)


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


Timing = tuple[float, float]  # (wall s, CPU s of this process, every thread)


def use_data_dir(data_dir: Path) -> None:
    os.environ.update(
        PERSONALIZE_DATA_DIR=str(data_dir),
        PERSONALIZE_LOCAL_LIFECYCLE_SECONDS="0",
        PERSONALIZE_LOCAL_WORKER="thread",
    )


def count_calls() -> collections.Counter[str]:
    """A counter of every boto3 call this process makes from now on, by operation name (the
    local engine answers through botocore too, so each call is one ``_make_api_call``)."""
    import botocore.client

    calls: collections.Counter[str] = collections.Counter()
    make = botocore.client.BaseClient._make_api_call

    def counted(client: object, operation: str, params: object) -> object:
        calls[operation] += 1
        return make(client, operation, params)

    botocore.client.BaseClient._make_api_call = counted
    return calls


def clock(work: object) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    work()  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu


def timed(at: object, runs: int, before: object = None) -> Timing:
    """Medians of ``runs`` reruns of ``at`` (``before()`` ahead of each, untimed). CPU time
    is the process's (the script runs in a thread of it), which another session's load on
    the shared cores lengthens far less than wall time."""
    walls, cpus = [], []
    for _ in range(runs):
        if before is not None:
            before()  # type: ignore[operator]
        wall, cpu = clock(at.run)  # type: ignore[attr-defined]
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


Row = tuple[Timing, int, Timing, Timing]  # first load, its calls, reruns, lists expired


def measure(at_factory: object, runs: int, calls: collections.Counter[str]) -> Row:
    """(first load, boto3 calls it made, reruns, reruns after the lists expire) for an
    AppTest built by ``at_factory``."""
    from dashboard.reads import invalidate

    calls.clear()
    built: list[object] = []
    first = clock(lambda: built.append(at_factory()))  # type: ignore[operator]
    made = sum(calls.values())
    (at,) = built
    if at.exception:  # type: ignore[attr-defined]
        raise SystemExit(f"page raised: {[e.value for e in at.exception]}")  # type: ignore[attr-defined]
    return first, made, timed(at, runs), timed(at, runs, invalidate)


def walk(data_dir: Path, runs: int, timeout: float = 120) -> dict[str, Row]:
    """Every page in order in this process (a fresh session each, caches shared); a page
    still running after ``timeout`` seconds fails its AppTest."""
    use_data_dir(data_dir)
    calls = count_calls()
    from streamlit.testing.v1 import AppTest

    def baseline() -> AppTest:
        at = AppTest.from_string(
            "import streamlit as st\nst.title('baseline')", default_timeout=timeout
        )
        return at.run()

    rows = {BASELINE: measure(baseline, runs, calls)}
    for name, page in PAGES.items():

        def build(page: str = page) -> AppTest:
            at = AppTest.from_file(APP, default_timeout=timeout)
            at.run()
            return at.switch_page(page).run()

        rows[name] = measure(build, runs, calls)
    return rows


def page_modules(page: str) -> list[str]:
    """The modules ``page`` imports at its top (what its first run imports)."""
    tree = ast.parse((ROOT / page).read_text(encoding="utf-8"))
    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__":
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def cold_child(data_dir: Path, page: str | None) -> None:
    """In this fresh process: import the router and ``page``'s modules, then open ``page``
    as a deep link (``None``: the title-only baseline) and rerun it once; prints JSON."""
    use_data_dir(data_dir)
    modules = list(ROUTER_MODULES) + (page_modules(page) if page else [])
    imports = clock(lambda: [importlib.import_module(m) for m in modules])
    calls = count_calls()
    from streamlit.testing.v1 import AppTest

    if page is None:
        at = AppTest.from_string(
            "import streamlit as st\nst.title('baseline')", default_timeout=300
        )
    else:
        from dashboard.components.sign_in import _DEEP_LINK

        at = AppTest.from_file(APP, default_timeout=300)
        # what a signed-out visit's link leaves for the router: it switches to that page
        # before drawing the default one
        at.session_state[_DEEP_LINK] = (Path(page).stem, {})
    first = clock(at.run)
    made = sum(calls.values())
    if at.exception:
        raise SystemExit(f"page raised: {[e.value for e in at.exception]}")
    rerun = clock(at.run)
    shown = {"imports": imports, "first": first, "calls": made, "rerun": rerun}
    print(json.dumps({**shown, "title": at.title[0].value if at.title else None}))


def cold(data_dir: Path) -> dict[str, dict[str, Any]]:
    """Each page's cold first load, each in a fresh process on a fresh copy of ``data_dir``."""
    rows: dict[str, dict[str, Any]] = {}
    for name, page in {BASELINE: None, **PAGES}.items():
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "data"
            shutil.copytree(data_dir, copy)
            child = [sys.executable, __file__, "--child", page or "", "--data-dir", str(copy)]
            started = os.getloadavg()[0]
            out = subprocess.run(child, check=True, capture_output=True, text=True, cwd=ROOT)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            if page is not None and row["title"] != name:  # the deep link was not followed
                raise SystemExit(f"{page} drew {row['title']!r}, not {name!r}")
            rows[name] = {**row, "load": started}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="each page first in a fresh process")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        cold_child(Path(args.data_dir), args.child or None)
        return
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(args.data_dir or Path(tmp) / "data")
        seconds = seed(data_dir)
        started = load()
        if args.cold:
            print_cold(cold(data_dir), seconds, started)
        else:
            print_walk(walk(data_dir, args.runs), seconds, started, args.runs)


def print_walk(rows: dict[str, Row], seconds: float, started: str, runs: int) -> None:
    base = rows[BASELINE][2][0]
    print(f"demo shop seeded in {seconds:.1f} s; {runs} reruns per page")
    print(f"load (1 / 5 / 15 min) {started} at the start, {load()} at the end")
    print(
        "| page | first load s | first load CPU s | boto3 calls | rerun s | rerun CPU s "
        "| rerun / baseline | lists expired: rerun s | rerun CPU s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, ((first, first_cpu), made, (rerun, cpu), (expired, expired_cpu)) in rows.items():
        print(
            f"| {name} | {first:.2f} | {first_cpu:.2f} | {made} | {rerun:.3f} | {cpu:.3f} "
            f"| {rerun / base:.0f}× | {expired:.3f} | {expired_cpu:.3f} |"
        )


def print_cold(rows: dict[str, dict[str, Any]], seconds: float, started: str) -> None:
    base_cpu = rows[BASELINE]["first"][1]
    print(f"demo shop seeded in {seconds:.1f} s; each page first in a fresh process")
    print(f"load (1 / 5 / 15 min) {started} at the start, {load()} at the end")
    print(
        "| page | 1-min load | imports s / CPU s | first load s | first load CPU s "
        "| CPU / baseline | boto3 calls | rerun s / CPU s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        (iw, ic), (fw, fc), (rw, rc) = row["imports"], row["first"], row["rerun"]
        print(
            f"| {name} | {row['load']:.1f} | {iw:.2f} / {ic:.2f} | {fw:.2f} | {fc:.2f} "
            f"| {fc / base_cpu:.0f}× | {row['calls']} | {rw:.2f} / {rc:.2f} |"
        )


def load() -> str:
    """The 1, 5 and 15-minute load averages (the machine is shared: figures depend on it)."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
