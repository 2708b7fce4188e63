"""Interactions bulk files as Parquet (the format before) or Arrow IPC, uncompressed (kept),
LZ4 or zstd: the write's CPU, the file size and the readers' CPU, in fresh processes.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bulk_formats.py CSV [--rounds 3]

CSV is read once as an import reads it (``read_dataset_csv``, rows grouped by user, oldest
first) and kept in a temporary folder beside it as Parquet. Then each round starts, for each
format in turn, one fresh process that loads those rows and writes them as the import does
(``BulkStore.stage_parts``, one file per core at once) in that format, timing the write alone,
and one that reads the files back through the engine's own readers, registered in a SQLite
database: the whole table (``BulkStore.read``), the training frame (``frames.interactions``)
and one user's history (``BulkHistories.latest``, which loads every row once). CPU is user +
system seconds of every thread of the process; the table gives the medians and each format's
ratio to Parquet's in the same rounds, then the file sizes and the size at 30,000,000 events
(scaled by the row count).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GROUP = "arn:aws:personalize:us-east-1:000000000000:dataset-group/bench"
FORMATS = ("parquet", "ipc", "ipc-lz4", "ipc-zstd")
CODECS = {"ipc": None, "ipc-lz4": "lz4", "ipc-zstd": "zstd"}
STEPS = {
    "write": "write (`stage_parts`)",
    "read": "whole read (`BulkStore.read`)",
    "train": "training frame (`frames.interactions`)",
    "history": "first history lookup (`BulkHistories.latest`)",
}


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _use(fmt: str) -> None:
    """Make this process's BulkStore write Interactions in ``fmt``."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    from services.local.data.storage import bulk

    if fmt == "parquet":
        bulk.ARROW_TYPES = frozenset()
        return
    codec = CODECS[fmt]

    def write(table: pa.Table, path: Path) -> None:
        options = ipc.IpcWriteOptions(
            compression=pa.Codec(codec, compression_level=1) if codec == "zstd" else codec
        )
        with (
            pa.OSFile(str(path), "wb") as sink,
            ipc.new_file(sink, table.schema, options=options) as w,
        ):
            w.write_table(table)

    bulk._write_arrow = write  # type: ignore[assignment]


def prepare(csv: Path, folder: Path) -> None:
    """The import's rows of ``csv``, as Parquet files in ``folder``."""
    from bench import seed_shop
    from services.local.data.imports.importer import read_dataset_csv
    from services.local.data.schemas import parse_schema
    from services.local.data.storage import bulk

    _use("parquet")
    table = read_dataset_csv(csv, parse_schema(seed_shop.INTERACTIONS_SCHEMA), "Interactions").table
    bulk.BulkStore(folder).stage_parts(GROUP, "Interactions", table, grouped=True)


def _database(folder: Path) -> sa.Engine:
    from services.db import make_engine
    from services.local.data.storage import tables as t

    db = make_engine(f"sqlite:///{folder / 'bench.db'}")
    t.metadata.create_all(db)
    return db


def write_once(source: Path, fmt: str, folder: Path) -> dict[str, float]:
    """Load the prepared rows, then write them in ``fmt`` into ``folder``, registered."""
    import pyarrow as pa

    from services.local.data.storage import bulk

    _use(fmt)
    files = sorted(source.rglob("*.parquet"))
    table = pa.concat_tables(bulk.BulkStore(source).read_file(p, GROUP, "x") for p in files)
    users = table.column("USER_ID").dictionary_encode()  # as the import hands them over
    table = table.set_column(0, "USER_ID", users)
    store = bulk.BulkStore(folder)
    start, cpu = time.perf_counter(), _cpu()
    staged = store.stage_parts(GROUP, "Interactions", table, grouped=True)
    wall, cpu = time.perf_counter() - start, _cpu() - cpu
    db = _database(folder)
    with db.begin() as conn:
        for part in staged:
            store.commit(conn, part, full=False)
    size = sum(p.path.stat().st_size for p in staged)
    return {"write": cpu, "write_wall": wall, "mib": size / 2**20, "rows": table.num_rows}


def read_once(folder: Path, user: str) -> dict[str, float]:
    """The engine's readers over the files in ``folder``, one after the other."""
    from services.db import make_engine
    from services.local.data.storage import bulk, frames
    from services.local.data.storage.histories import BulkHistories

    db = make_engine(f"sqlite:///{folder / 'bench.db'}", read_only=True)
    store = bulk.BulkStore(folder)
    out: dict[str, float] = {}
    cpu = _cpu()
    rows = store.read(db, GROUP, "Interactions")
    out["read"] = _cpu() - cpu
    del rows
    cpu = _cpu()
    frame = frames.interactions(db, store, GROUP, sources=("bulk",))
    out["train"] = _cpu() - cpu
    del frame
    cpu = _cpu()
    if not BulkHistories(db, store).latest(GROUP, user, 25):
        raise SystemExit(f"no history for {user}")
    out["history"] = _cpu() - cpu
    return out


def _child(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def rounds(csv: Path, n: int) -> None:
    with tempfile.TemporaryDirectory(dir=csv.parent) as tmp:
        source = Path(tmp) / "source"
        subprocess.run(
            [sys.executable, __file__, "--prepare", str(csv), str(source)], check=True, cwd=ROOT
        )
        with csv.open(encoding="utf-8") as lines:
            next(lines)
            user = next(lines).split(",")[0].strip('"')
        results: dict[str, list[dict[str, float]]] = {f: [] for f in FORMATS}
        loads = []
        for k in range(n):
            loads.append(os.getloadavg()[0])
            for fmt in FORMATS:
                folder = Path(tmp) / f"{fmt}-{k}"
                got = _child("--write", source, fmt, folder)
                got.update(_child("--read", folder, user))
                results[fmt].append(got)
                print(f"round {k + 1} {fmt} (load {os.getloadavg()[0]:.1f}): " + ", ".join(
                    f"{key} {got[key]:.2f}" for key in (*STEPS, "mib")), flush=True)  # fmt: skip
        rows = results["parquet"][0]["rows"]

        def med(fmt: str, key: str) -> float:
            return statistics.median(r[key] for r in results[fmt])

        print(f"\n{rows:,} events, median of {n} rounds (load {min(loads):.1f}–{max(loads):.1f}), "
              "CPU s (ratio to Parquet):")  # fmt: skip
        print("| step | " + " | ".join(FORMATS) + " |")
        print("|---|" + "---|" * len(FORMATS))
        for key, name in STEPS.items():
            base = med("parquet", key)
            cells = [f"{med(f, key):.2f} ({med(f, key) / base:.2f}×)" for f in FORMATS]
            print(f"| {name} | " + " | ".join(cells) + " |")
        total = {
            f: statistics.median(sum(r[k] for k in STEPS) for r in results[f]) for f in FORMATS
        }
        cells = [f"{total[f]:.2f} ({total[f] / total['parquet']:.2f}×)" for f in FORMATS]
        print("| all four | " + " | ".join(cells) + " |")
        print("| files, MiB | " + " | ".join(f"{med(f, 'mib'):.0f}" for f in FORMATS) + " |")
        print("| at 30,000,000 events, MiB | " + " | ".join(
            f"{med(f, 'mib') * 30_000_000 / rows:,.0f}" for f in FORMATS) + " |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, nargs="?")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--prepare", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--write", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--read", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(*args.prepare)
    elif args.write:
        source, fmt, folder = args.write
        print(json.dumps(write_once(Path(source), fmt, Path(folder))))
    elif args.read:
        print(json.dumps(read_once(Path(args.read[0]), args.read[1])))
    elif args.csv:
        rounds(args.csv, args.rounds)
    else:
        parser.error("CSV is required")


if __name__ == "__main__":
    main()
