"""A running job's stop check, read as a write transaction (before) and as a read (now).

Run: nice -n 10 .venv/bin/python bench/check_cancelled.py [--calls 1000] [--runs 3]

Training calls ``JobContext.check_cancelled`` every ALS iteration and every 50 v2 steps. It
used to read its job's row inside a write transaction (the writer engine: ``BEGIN IMMEDIATE``
on SQLite), so each check took the writers' lock, and a check made while another connection
held it waited up to the busy timeout (30 s) and then failed. It now reads on the reader
engine (plain ``BEGIN`` under WAL), which never waits for a writer.

On an engine in a temporary data directory (SQLite, one claimed job), for each run this times
``--calls`` checks the old way and ``--calls`` the new way, in turn, with no other writer; then,
while another connection holds ``BEGIN IMMEDIATE``, ``--calls`` new checks and one old one
(which waits out the engine's busy timeout, 30 s). Prints each side's median
seconds per 1,000 calls, the ratio new/old in the same run, what the old check did under the
lock, and the load average.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="checks timed per side and run")
    parser.add_argument("--runs", type=int, default=3, help="runs (medians are printed)")
    args = parser.parse_args(argv)

    from sqlalchemy import select
    from sqlalchemy.exc import OperationalError

    from services.config import Settings
    from services.local.data.storage import tables as t
    from services.local.engine import get_engine, reset_engines
    from services.local.jobs.context import JobContext

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", lifecycle_seconds=0.0)
        engine = get_engine(settings, start_worker=False)
        arn = engine.arns.make("batch-inference-job", "probe")
        with engine.tx() as res:
            engine.jobs.enqueue(res.conn, "probe", arn)
        claimed = engine.jobs.claim()
        assert claimed is not None
        ctx = JobContext(engine.jobs, claimed[0], arn)

        def old() -> None:
            # check_cancelled's read before this change, verbatim but for the checks after it
            with engine.db.begin() as conn:
                conn.execute(
                    select(t.jobs.c.cancel, t.jobs.c.worker, t.jobs.c.state).where(
                        t.jobs.c.id == ctx.job_id
                    )
                ).first()

        def timed(check: Callable[[], None], calls: int) -> float:
            started = time.perf_counter()
            for _ in range(calls):
                check()
            return time.perf_counter() - started

        per_k = 1000 / args.calls
        free_old, free_new, locked_new = [], [], []
        for _ in range(args.runs):
            free_old.append(timed(old, args.calls) * per_k)
            free_new.append(timed(ctx.check_cancelled, args.calls) * per_k)
            writer = sqlite3.connect(settings.data_dir / "engine.db", isolation_level=None)
            writer.execute("BEGIN IMMEDIATE")
            try:
                locked_new.append(timed(ctx.check_cancelled, args.calls) * per_k)
            finally:
                writer.rollback()
                writer.close()
        writer = sqlite3.connect(settings.data_dir / "engine.db", isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        started = time.perf_counter()
        try:
            old()
            locked_old = f"returned after {time.perf_counter() - started:.1f} s"
        except OperationalError as err:
            cause = str(err.orig) if err.orig is not None else str(err)
            locked_old = f"failed after {time.perf_counter() - started:.1f} s ({cause})"
        finally:
            writer.rollback()
            writer.close()
        reset_engines()

    old_s, new_s = statistics.median(free_old), statistics.median(free_new)
    print(f"stop checks: {args.calls} calls x {args.runs} runs, s per 1,000 calls (median)")
    print("| check | no other writer | another connection holds the write lock |")
    print("| --- | --- | --- |")
    print(f"| before: write transaction | {old_s:.3f} | one call {locked_old} |")
    print(
        f"| now: read transaction | {new_s:.3f} ({new_s / old_s:.2f}x before) "
        f"| {statistics.median(locked_new):.3f} |"
    )
    print("load average: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
