"""The Interactions import against pyarrow's own read of the same file, paired, in fresh processes.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/import_vs_pyarrow.py CSV [--runs 3]
     .venv/bin/python bench/import_vs_pyarrow.py --generate CSV [--scale N]

``--generate`` writes the seed shop's interactions.csv (``--scale 1``: 3,000,000 events,
108 MiB) or the every-item-learned shop of ``seed_scale.py --serving --scale N`` (N ≥ 2:
3,000,000 × N events). Without it, each run starts, in turn, a fresh process that reads CSV with
``pyarrow.csv.read_csv`` (defaults: every core), one that reads it with
``pandas.read_csv(engine="pyarrow")``, and one that imports it as a local engine does
(CreateDatasetImportJob Interactions, FULL, in a new data directory made beside CSV, into which
the file is hard-linked, so CSV's folder must be writable; the engine's worker process warmed
by a 1,000-row import first), and prints each one's wall and CPU seconds (user + system) of the
read or of the job alone (created → ACTIVE, polled every 50 ms; CPU of the engine's
CreateDatasetImportJob call and of its worker process until then), the
ratios of the import to the pyarrow read in the same run, the peak resident memory of the reading
process or of the engine's worker (``ru_maxrss``, the kernel's VmHWM of the worker: the import
is the worker's largest job since it started), the size of the bulk files it wrote, then, in
the process that ran the import, the CPU of the first two reads of the imported rows (one
user's history, which loads every bulk row, then the training data), and the load average.
The medians of
the runs are the figures to quote; the pairs are taken turn about so that the machine's load
changes reach both sides alike.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

READ_ARROW = "pyarrow.csv.read_csv"
READ_PANDAS = 'pandas.read_csv(engine="pyarrow")'
IMPORT = "CreateDatasetImportJob Interactions → ACTIVE"
HISTORY = "then the first history lookup (`BulkHistories.latest`)"
TRAINING = "then the training data (`frames.interactions`)"
TOTAL = "import + history + training data"


def _cpu(proc: psutil.Process) -> float:
    """CPU seconds (user + system) of ``proc``, all its threads."""
    t = proc.cpu_times()
    return t.user + t.system


def _peak_gib(pid: int | None = None) -> float:
    """Peak resident memory in GiB of this process, or of process ``pid`` (Linux)."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB
    status = Path(f"/proc/{pid}/status").read_text()
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 2**20


def read_once(path: Path, how: str) -> dict[str, float]:
    """One read of ``path`` in this process: wall and CPU seconds of the read alone, and the
    process's peak memory."""
    import pandas as pd
    import pyarrow.csv as pa_csv

    start, cpu = time.perf_counter(), time.process_time()
    if how == READ_ARROW:
        rows = pa_csv.read_csv(path).num_rows
    else:
        rows = len(pd.read_csv(path, engine="pyarrow"))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"wall": wall, "cpu": cpu, "rows": rows, "peak": _peak_gib()}


def import_once(path: Path) -> dict[str, float]:
    """One FULL Interactions import of ``path`` by a new local engine (in a temporary data
    directory; the file is hard-linked into its bucket): wall and CPU seconds of the job, and
    the peak memory of the worker that ran it."""
    from bench import seed_shop
    from bench.seed_scale import import_file
    from services.config import Settings
    from services.personalize.clients import build_clients

    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        data_dir = Path(tmp)
        bucket = data_dir / "s3" / "bench"
        bucket.mkdir(parents=True)
        os.link(path, bucket / "interactions.csv")
        with (bucket / "warm.csv").open("w") as warm:
            warm.write("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n")
            warm.writelines(f"u{k % 50},p{k},{1_700_000_000 + k},View\n" for k in range(1000))
        os.environ["PERSONALIZE_LOCAL_WORKER"] = "process"
        settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="process")
        p = build_clients(settings).personalize
        group = p.create_dataset_group(name="bench")["datasetGroupArn"]
        schema = p.create_schema(name="bench", schema=seed_shop.INTERACTIONS_SCHEMA)["schemaArn"]
        dataset = p.create_dataset(
            name="bench", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
        )["datasetArn"]
        import_file(p, dataset, "warm", "s3://bench/warm.csv")  # the worker is up and warm
        me = psutil.Process()
        (worker,) = me.children()
        # The job's CPU: the engine's for CreateDatasetImportJob, then the worker's until the
        # job is ACTIVE; this process's polling (Describe every 50 ms) is not the import's.
        start, cpu, busy = time.perf_counter(), _cpu(me), _cpu(worker)
        job = p.create_dataset_import_job(
            jobName="timed",
            datasetArn=dataset,
            dataSource={"dataLocation": "s3://bench/interactions.csv"},
        )["datasetImportJobArn"]
        cpu = _cpu(me) - cpu
        while True:
            done = p.describe_dataset_import_job(datasetImportJobArn=job)["datasetImportJob"]
            if done["status"] not in ("CREATE PENDING", "CREATE IN_PROGRESS"):
                break
            time.sleep(0.05)
        wall, cpu = time.perf_counter() - start, cpu + _cpu(worker) - busy
        peak = _peak_gib(worker.pid)
        if done["status"] != "ACTIVE":
            raise SystemExit(f"the import failed: {done.get('failureReason')}")
        out = {"wall": wall, "cpu": cpu, "peak": peak}
        out["mib"] = sum(f.stat().st_size for f in (data_dir / "bulk").rglob("*.*")) / 2**20
        out.update(_first_reads(settings, group, path))
    return out


def _first_reads(settings: object, group: str, path: Path) -> dict[str, float]:
    """Wall and CPU seconds, in this process, of the first two reads of the imported rows:
    one user's history (``BulkHistories.latest``, the lookup GetRecommendations makes, which
    loads every bulk row once per data version), then the training data
    (``frames.interactions``, as a training job reads it)."""
    from services.local.data.storage import frames
    from services.local.data.storage.histories import BulkHistories
    from services.local.engine import get_engine

    engine = get_engine(settings)  # type: ignore[arg-type]  # the clients' engine, running
    with path.open(encoding="utf-8") as lines:
        next(lines)
        user = next(lines).split(",")[0].strip('"')
    out: dict[str, float] = {}
    start, cpu = time.perf_counter(), time.process_time()
    history = BulkHistories(engine.read_db, engine.bulk).latest(group, user, 25)
    out["history_wall"], out["history_cpu"] = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    rows = len(frames.interactions(engine.read_db, engine.bulk, group))
    out["train_wall"], out["train_cpu"] = time.perf_counter() - start, time.process_time() - cpu
    if not history or not rows:
        raise SystemExit("the imported rows were not read back")
    return out


def _child(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def paired(path: Path, runs: int) -> None:
    """``runs`` rounds of the three fresh processes; prints the table (see module doc)."""
    size = path.stat().st_size
    print(f"{path} ({size / 2**20:,.0f} MiB), {runs} runs, each: {READ_ARROW}, {READ_PANDAS}, "
          "the import; fresh processes", flush=True)  # fmt: skip
    rounds = []
    for run in range(runs):
        load = os.getloadavg()[0]
        arrow = _child("--read", READ_ARROW, str(path))
        pandas = _child("--read", READ_PANDAS, str(path))
        job = _child("--import", str(path))
        load = (load + os.getloadavg()[0]) / 2
        rounds.append({"arrow": arrow, "pandas": pandas, "import": job, "load": load})
        print(f"run {run + 1}: load {load:.1f}; wall / CPU s: arrow {arrow['wall']:.2f} / "
              f"{arrow['cpu']:.2f}, pandas {pandas['wall']:.2f} / {pandas['cpu']:.2f}, import "
              f"{job['wall']:.2f} / {job['cpu']:.2f}; import / arrow: wall "
              f"{job['wall'] / arrow['wall']:.2f}×, CPU {job['cpu'] / arrow['cpu']:.2f}×; peak "
              f"GiB: arrow {arrow['peak']:.2f}, import {job['peak']:.2f}; bulk files "
              f"{job['mib']:.0f} MiB; first reads, wall / CPU s: history "
              f"{job['history_wall']:.2f} / {job['history_cpu']:.2f}, training data "
              f"{job['train_wall']:.2f} / {job['train_cpu']:.2f}; import + both, CPU "
              f"{job['cpu'] + job['history_cpu'] + job['train_cpu']:.2f}",
              flush=True)  # fmt: skip

    def med(key: str, what: str) -> float:
        return statistics.median(r[key][what] for r in rounds)

    def ratio(what: str, base: str) -> float:
        return statistics.median(r["import"][what] / r[base][what] for r in rounds)

    loads = [r["load"] for r in rounds]
    print(f"\nmedian of {runs} (load average {min(loads):.1f}–{max(loads):.1f}):")
    print("| step (fresh process) | wall s | CPU s | peak GiB | import / it, wall | "
          "import / it, CPU |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for key, name in (("arrow", READ_ARROW), ("pandas", READ_PANDAS)):
        print(f"| `{name}` (baseline) | {med(key, 'wall'):.2f} | {med(key, 'cpu'):.2f} | "
              f"{med(key, 'peak'):.2f} | {ratio('wall', key):.2f}× | "
              f"{ratio('cpu', key):.2f}× |")  # fmt: skip
    print(f"| {IMPORT} | {med('import', 'wall'):.2f} | {med('import', 'cpu'):.2f} | "
          f"{med('import', 'peak'):.2f} | | |")  # fmt: skip
    for key, name in (("history", HISTORY), ("train", TRAINING)):
        print(f"| {name} | {med('import', key + '_wall'):.2f} | "
              f"{med('import', key + '_cpu'):.2f} | | | |")  # fmt: skip
    total = statistics.median(
        r["import"]["cpu"] + r["import"]["history_cpu"] + r["import"]["train_cpu"] for r in rounds
    )
    print(f"| {TOTAL} | | {total:.2f} | | | |")
    print(f"\nbulk files: {med('import', 'mib'):.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generate", action="store_true", help="write the shop's CSV")
    parser.add_argument("--scale", type=int, default=1, help="with --generate (see above)")
    parser.add_argument("--read", choices=(READ_ARROW, READ_PANDAS), help=argparse.SUPPRESS)
    parser.add_argument("--import", dest="import_", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        from bench import seed_shop

        if args.scale == 1:
            shop = seed_shop.generate()
        else:
            items = 500_000 * args.scale
            shop = seed_shop.generate(
                items, 150_000 * args.scale, 3_000_000 * args.scale - 3 * items, min_item_events=3
            )
        size = seed_shop.write_csv(shop.interactions, args.csv)
        print(f"{args.csv}: {len(shop.interactions):,} rows, {size / 2**20:,.0f} MiB")
    elif args.read:
        print(json.dumps(read_once(args.csv, args.read)))
    elif args.import_:
        print(json.dumps(import_once(args.csv)))
    else:
        paired(args.csv, args.runs)


if __name__ == "__main__":
    main()
