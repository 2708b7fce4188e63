"""Where an Interactions import spends its CPU: phase by phase, user and system time apart.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/import_phases.py [CSV] [--interactions N]

Imports CSV (or, without it, the seed shop's interactions of N events, written to a temporary
file first) as an import job does, once, in this fresh process: ``read_dataset_csv`` then
``BulkStore.stage_parts`` (of rows grouped as the import delivers them), with the job's
allocation settings (``import_memory``) on a process started on the system pool as the engine's
worker is (``ARROW_DEFAULT_MEMORY_POOL=system`` is set here). Prints each phase's user and
system CPU seconds (every thread of the process), its minor page faults and wall seconds, then
the whole import's, with the process's peak memory.
System time is mostly the first touch of fresh memory; a fresh process is the worker's case,
whose import's arrays are new pages.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")  # as spawn_worker starts it

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import seed_shop  # noqa: E402
from services.local.data.imports import importer  # noqa: E402
from services.local.data.schemas import parse_schema  # noqa: E402
from services.local.data.storage import bulk  # noqa: E402
from services.local.jobs.tasks.import_memory import import_memory  # noqa: E402

PHASES = {  # (object, function name) → what it does
    (importer, "_parse"): "parse the CSV (pyarrow.csv, every column as strings)",
    (importer, "_checked_columns"): "scan the bytes, check and convert each column, hash "
    "USER_ID and EVENT_TYPE (the parse apart)",
    (importer, "_drop_duplicates"): "group by user, sort by time, drop repeated rows, gather",
    (bulk.BulkStore, "stage_parts"): "write the Parquet files, one per core",
}


def _now() -> tuple[float, float, int, float]:
    times, usage = os.times(), resource.getrusage(resource.RUSAGE_SELF)
    return times.user, times.system, usage.ru_minflt, time.perf_counter()


def _timed(spent: dict[str, list[float]], name: str, func: Callable[..., object]) -> Callable:
    @functools.wraps(func)
    def timed(*args: object, **kwargs: object) -> object:
        start = _now()
        try:
            return func(*args, **kwargs)
        finally:
            end = _now()
            total = spent.setdefault(name, [0.0, 0.0, 0.0, 0.0])
            for k, (a, b) in enumerate(zip(start, end, strict=True)):
                total[k] += b - a

    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, nargs="?")
    parser.add_argument("--interactions", type=int, default=3_000_000)
    args = parser.parse_args()
    spent: dict[str, list[float]] = {}
    for (owner, name), _ in PHASES.items():
        setattr(owner, name, _timed(spent, name, getattr(owner, name)))
    schema = parse_schema(seed_shop.INTERACTIONS_SCHEMA)
    with tempfile.TemporaryDirectory() as tmp:
        csv = args.csv
        if csv is None:
            shop = seed_shop.generate(
                max(1, args.interactions // 6), max(1, args.interactions // 20), args.interactions
            )
            csv = Path(tmp) / "interactions.csv"
            seed_shop.write_csv(shop.interactions, csv)
            del shop
        store = bulk.BulkStore(Path(tmp))
        start = _now()
        with import_memory():
            data = importer.read_dataset_csv(csv, schema, "Interactions")
            group = "arn:aws:personalize:::dataset-group/bench"
            store.stage_parts(group, "Interactions", data.table, grouped=True)
        whole = [b - a for a, b in zip(start, _now(), strict=True)]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"{csv.name}: {data.rows_read:,} rows, one import in a fresh process")
    print("| phase | user s | system s | minor faults | wall s |\n|---|---|---|---|---|")
    user, system, faults = 0.0, 0.0, 0.0
    for (_, name), what in PHASES.items():
        u, s, f, w = spent.get(name, [0.0] * 4)
        if name == "_checked_columns":  # holds the parse: its own share only
            u, s, f, w = (x - y for x, y in zip((u, s, f, w), spent["_parse"], strict=True))
        user, system, faults = user + u, system + s, faults + f
        print(f"| {what} | {u:.2f} | {s:.2f} | {f:,.0f} | {w:.2f} |")
    u, s, f, w = whole
    print(f"| the rest (assembling, threads) | {u - user:.2f} | {s - system:.2f} | "
          f"{f - faults:,.0f} | |")  # fmt: skip
    print(f"| whole import | {u:.2f} | {s:.2f} | {f:,.0f} | {w:.2f} |")
    print(f"peak memory of the process: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
