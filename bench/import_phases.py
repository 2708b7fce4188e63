"""Where an interactions import spends its time: the seed shop's file, phase by phase.

Run: OPENBLAS_NUM_THREADS=1 ARROW_DEFAULT_MEMORY_POOL=system .venv/bin/python \\
     bench/import_phases.py [--interactions 3000000] [--runs 3]

Generates the seed shop's interactions (``bench/seed_shop.py``), then reads them as an import
job does (``read_dataset_csv``, then ``BulkStore.stage``) RUNS times in this process under
cProfile, and prints each phase's cumulative seconds for the last (warm) run, next to
``pyarrow.csv.read_csv`` of the same bytes. The worker process runs with the system allocator
(``services/local/jobs/queue.py``), hence the environment variable above.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pa_csv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import seed_shop  # noqa: E402
from services.local.data.bulk import BulkStore  # noqa: E402
from services.local.data.importer import read_dataset_csv  # noqa: E402
from services.local.data.schemas import parse_schema  # noqa: E402

PHASES = {  # function name in the profile → what it does
    "_parse": "parse the CSV (pyarrow.csv, every column as strings)",
    "_convert": "check and convert each column",
    "_assemble": "assemble the table, dictionary-encode USER_ID and EVENT_TYPE",
    "_drop_duplicates": "sort by user and time, drop repeated rows, reorder",
    "stage": "write the Parquet file (BulkStore.stage)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=3_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    users = max(1, args.interactions // 20)
    shop = seed_shop.generate(max(1, args.interactions // 6), users, args.interactions)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "interactions.csv"
        seed_shop.write_csv(shop.interactions, csv)
        del shop
        schema = parse_schema(seed_shop.INTERACTIONS_SCHEMA)
        store = BulkStore(Path(tmp))
        for run in range(args.runs):
            profile = cProfile.Profile()
            start = time.perf_counter()
            profile.enable()
            data = read_dataset_csv(csv, schema, "Interactions")
            store.stage("arn:aws:personalize:::dataset-group/bench", "Interactions", data.table)
            profile.disable()
            total = time.perf_counter() - start
            print(f"run {run + 1}: {total:.2f} s", flush=True)
        raw = csv.read_bytes()
        start = time.perf_counter()
        pa_csv.read_csv(io.BytesIO(raw))
        arrow_read = time.perf_counter() - start
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    cumulative = {}
    for (_, _, name), (_, _, _, cum, _) in stats.items():
        if name in PHASES:
            cumulative[name] = max(cumulative.get(name, 0.0), cum)
    print(f"\n{args.interactions:,} interactions, last run of {args.runs}")
    print("| phase | seconds |\n|---|---|")
    for name, what in PHASES.items():
        print(f"| {what} | {cumulative.get(name, 0.0):.2f} |")
    print(f"| whole import (read_dataset_csv + stage) | {total:.2f} |")
    print(f"| pyarrow.csv.read_csv of the same bytes, default options | {arrow_read:.2f} |")


if __name__ == "__main__":
    main()
