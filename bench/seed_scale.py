"""The seed shop end to end: generate, import, train, deploy, serve, draw every page.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/seed_scale.py
     [--items 500000 --users 150000 --interactions 3000000] [--skip-pages] [--keep DIR]
     [--v2-only] [--imports-only] [--serving]

aws-user-personalization (served and drawn) and aws-user-personalization-v2 are trained with
their default hyperparameters; v2's row says how its training ended (epochs, early stopping or
its time budget). ``--v2-only`` imports each file once and trains v2 alone. ``--serving``
measures serving alone on a shop whose every item is learned (``seed_shop.generate``'s
``min_item_events``=3): Items and Interactions imported once, aws-user-personalization trained
(with its candidate index at this size), GetRecommendations timed in-process and over HTTP
for distinct users against the model's exact scan, and the recall of the exact top 25.

Everything goes through the public API (boto3, in-process engine with its worker process),
as a new user would. Each step reports wall time and peak RSS (the worker process for imports
and training, sampled every 50 ms; this process for the rest), next to baselines measured in
the same run: ``pandas.read_csv(engine="pyarrow")`` of the same CSV (in a fresh process;
imports and reads are timed RUNS times and the median is compared), and
the model alone (score_user + top-k) for GetRecommendations. While the interactions import and
the training run, a second process polls DescribeDatasetImportJob / DescribeSolutionVersion and
ListDatasetImportJobs every 100 ms: failures and p50/p99 against the same polls when idle.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import seed_shop  # noqa: E402
from services.config import Settings  # noqa: E402
from services.personalize.clients import build_clients  # noqa: E402

GIB = 2**30
RUNS = 3  # imports and their baseline reads are timed this many times (median reported)
# --steps: each runs in its own fresh process (``run_step``), in this order
STEPS = (
    "generate",
    "baseline",
    "import Items",
    "import Users",
    "import Interactions",
    "train",
    "deploy",
    "serve",
    "pages",
)
Row = tuple[str, str, str, str]  # step, seconds, peak, baseline / ratio
V1, V2 = "aws-user-personalization", "aws-user-personalization-v2"
# the HTTP row's own baseline (the exact scan timed in turn with it), the last latency row
HTTP_BASELINE = "boto3 over HTTP: its baseline, the exact scan taken in turn with it"
# --serving's filters on item metadata (name, expression, filterValues per user: a category
# drawn by the user's rank), each a row of the serving table and of the recall table
ITEM_FILTERS = (
    (
        "one category, the dearest left out",
        "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY) | "
        "EXCLUDE ItemID WHERE Items.PRICE >= $MAX",
        lambda k: {"CATEGORY": f'"{seed_shop.CATEGORIES[k % len(seed_shop.CATEGORIES)]}"',
                   "MAX": '"100000"'},
    ),
    (
        "a price range left out",
        "EXCLUDE ItemID WHERE Items.PRICE >= $LO AND Items.PRICE < $HI",
        lambda k: {"LO": '"10000"', "HI": '"40000"'},
    ),
)  # fmt: skip


class PeakRss:
    """Samples the RSS of this process's children (the engine's worker) every 50 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.05):
            for child in me.children(recursive=True):
                try:
                    self.peak = max(self.peak, child.memory_info().rss)
                except psutil.Error:
                    pass

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def wait(describe: Callable[[], dict[str, Any]], key: str, timeout: float = 3600) -> dict:
    """Poll until the resource is no longer pending/in progress: every 20 ms at first, so the
    poll interval does not pad steps that take a fraction of a second, then every 1 % of the
    time waited so far (at most 1 s), so a long job's Describe calls (each an engine call in
    this process) do not take a share of the CPU the job itself needs."""
    start = time.monotonic()
    while True:
        doc = describe()[key]
        if doc["status"] not in ("CREATE PENDING", "CREATE IN_PROGRESS"):
            return doc
        waited = time.monotonic() - start
        if waited > timeout:
            raise SystemExit(f"{key} still {doc['status']} after {timeout} s")
        time.sleep(min(1.0, max(0.02, waited / 100)))


def pyarrow_baseline(path: Path, runs: int = RUNS) -> tuple[float, int, float]:
    """Seconds, peak RSS and CPU seconds (of the read alone) of
    ``pandas.read_csv(engine="pyarrow")`` in a fresh process (median, largest and median of
    RUNS reads: one read of a shared machine is too noisy)."""
    code = (
        "import resource,sys,time,pandas as pd;t=time.perf_counter();c=time.process_time();"
        "pd.read_csv(sys.argv[1],engine='pyarrow');"
        "print(time.perf_counter()-t,resource.getrusage(resource.RUSAGE_SELF).ru_maxrss*1024,"
        "time.process_time()-c)"
    )
    secs, peaks, cpus = [], [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
        )
        sec, peak, cpu = out.stdout.split()
        secs.append(float(sec))
        peaks.append(int(peak))
        cpus.append(float(cpu))
    return float(np.median(secs)), max(peaks), float(np.median(cpus))


class Poller:
    """A second process polling Describe*/List* every 100 ms (tests/local/poller.py)."""

    def __init__(self, data_dir: Path, group: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.local.poller", str(data_dir), group],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise SystemExit("the polling process did not start")

    def stop(self) -> dict[str, Any]:
        self.proc.terminate()
        out, _ = self.proc.communicate(timeout=30)
        return json.loads(out.strip().splitlines()[-1])


def ms(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    if not samples:
        return float("nan"), float("nan")
    s = sorted(x * 1000 for x in samples)
    return s[len(s) // 2], s[max(0, int(len(s) * 0.99) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--users", type=int, default=150_000)
    parser.add_argument("--interactions", type=int, default=3_000_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument(
        "--v2-only",
        action="store_true",
        help="import once and train only aws-user-personalization-v2 (no serving, no pages)",
    )
    parser.add_argument(
        "--imports-only",
        action="store_true",
        help="only the imports against their pyarrow baselines (no training, serving, pages)",
    )
    parser.add_argument(
        "--serving",
        action="store_true",
        help="serving alone, on a shop whose every item is learned (no pages, no v2)",
    )
    parser.add_argument(
        "--recipe",
        default=V1,
        choices=(V1, V2),
        help="with --serving: the recipe served (v2 is trained, with its defaults, next to v1)",
    )
    parser.add_argument(
        "--no-recall", action="store_true", help="with --serving: latency only, no recall rows"
    )
    parser.add_argument("--keep", help="use this data directory and keep it")
    parser.add_argument(
        "--scale",
        type=int,
        help="--serving's shop this many times the seed's size in total events (10: 5,000,000 "
        "items, 1,500,000 users, 30,000,000 events, 3 of them per item); sets the sizes",
    )
    parser.add_argument(
        "--steps",
        action="store_true",
        help="with --serving: every step in its own fresh process (time and peak memory of "
        "each, pages drawn); a step whose result is in DIR/steps is not run again",
    )
    parser.add_argument(
        "--cgroup",
        type=Path,
        help="with --steps: a cgroup-v1 memory directory each step runs in (its peak reset "
        "before each step and reported)",
    )
    parser.add_argument("--runs", type=int, default=RUNS, help="timed imports per file")
    parser.add_argument(
        "--hyperparameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="with --steps: a hyperparameter of the v1 solution (default: none, the recipe's "
        "defaults), e.g. hidden_dimension=32; repeatable",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=STEPS,
        help="with --steps: run only this step (repeatable); the others are printed as kept",
    )
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument(
        "--pages-only", metavar="DIR", help="only draw the pages of a shop kept with --keep DIR"
    )
    args = parser.parse_args()
    if args.scale:
        # the serving shop's events are the sessions plus 3 per item (every item learned)
        args.items, args.users = 500_000 * args.scale, 150_000 * args.scale
        args.interactions = 3_000_000 * args.scale - 3 * args.items
    if args.step:
        run_step(args, Path(args.keep))
        return
    if args.steps:
        if not args.serving or not args.keep:
            raise SystemExit("--steps needs --serving and --keep DIR")
        steps_bench(args, Path(args.keep))
        return
    if args.pages_only:
        print_pages(page_times(Path(args.pages_only) / "data"), "Pages")
        return
    tmp = tempfile.TemporaryDirectory()
    data_dir = Path(args.keep or tmp.name) / "data"
    if args.serving:
        serving_bench(args, data_dir)
        tmp.cleanup()
        return
    rows: list[Row] = []
    polls: dict[str, Any] = {}

    t = time.perf_counter()
    shop = seed_shop.generate(args.items, args.users, args.interactions)
    csvs = {}
    for kind, frame in (
        ("Items", shop.items),
        ("Users", shop.users),
        ("Interactions", shop.interactions),
    ):
        csvs[kind] = data_dir / "s3" / "seed" / f"{kind.lower()}.csv"
        seed_shop.write_csv(frame, csvs[kind])
    del shop
    print(f"generated and written in {time.perf_counter() - t:.1f} s", flush=True)

    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="process")
    os.environ["PERSONALIZE_LOCAL_WORKER"] = "process"
    clients = build_clients(settings)
    p = clients.personalize
    group = p.create_dataset_group(name="seed")["datasetGroupArn"]
    schemas = {
        "Interactions": seed_shop.INTERACTIONS_SCHEMA,
        "Items": seed_shop.ITEMS_SCHEMA,
        "Users": seed_shop.USERS_SCHEMA,
    }
    datasets = {}
    for kind, schema in schemas.items():
        arn = p.create_schema(name=f"seed-{kind.lower()}", schema=schema)["schemaArn"]
        datasets[kind] = p.create_dataset(
            name=f"seed-{kind.lower()}", schemaArn=arn, datasetGroupArn=group, datasetType=kind
        )["datasetArn"]

    # Idle polls first: the baseline for polls during the import and the training run.
    for kind in ("Items", "Users", "Interactions"):
        size = csvs[kind].stat().st_size / 2**20
        base_s, base_peak, _ = pyarrow_baseline(csvs[kind])
        rows.append(
            (
                f"pandas.read_csv(pyarrow) {kind} ({size:.0f} MiB) (baseline, median of {RUNS})",
                f"{base_s:.2f}",
                f"{base_peak / GIB:.2f}",
                "1.0×",
            )  # fmt: skip
        )
        if kind == "Interactions":
            poller = Poller(data_dir, group)
            time.sleep(3)
            polls["idle"] = poller.stop()
            poller = Poller(data_dir, group)
        runs = []
        with PeakRss() as peak:
            for run in range(
                1 if args.v2_only else RUNS
            ):  # FULL imports of the same file: the same data each time
                t = time.perf_counter()
                job = p.create_dataset_import_job(
                    jobName=f"seed-{kind.lower()}-{run + 1}",
                    datasetArn=datasets[kind],
                    dataSource={"dataLocation": f"s3://seed/{kind.lower()}.csv"},
                )["datasetImportJobArn"]
                done = wait(lambda job=job: p.describe_dataset_import_job(datasetImportJobArn=job),
                            "datasetImportJob")  # fmt: skip
                runs.append(time.perf_counter() - t)
                if done["status"] != "ACTIVE":
                    raise SystemExit(f"{kind} import failed: {done.get('failureReason')}")
        if kind == "Interactions":
            polls["import"] = poller.stop()
        secs = float(np.median(runs))
        rows.append(
            (
                f"CreateDatasetImportJob {kind} → ACTIVE (median of {len(runs)}; "
                f"each: {', '.join(f'{r:.2f}' for r in runs)})",
                f"{secs:.2f}",
                f"{peak.peak / GIB:.2f}",
                f"{secs / base_s:.1f}×",
            )  # fmt: skip
        )
        print(rows[-2], rows[-1], flush=True)

    if args.imports_only:
        print_tables(args, rows, {}, {}, {})
        tmp.cleanup()
        return
    if args.v2_only:
        rows.append(train_solution(p, settings, group, "aws-user-personalization-v2")[0])
        print(rows[-1], flush=True)
        print_tables(args, rows, {}, {}, {})
        tmp.cleanup()
        return
    rows.append(bad_row_import(p, data_dir, csvs["Interactions"], datasets["Interactions"]))
    print(rows[-1], flush=True)

    poller = Poller(data_dir, group)
    row, version = train_solution(p, settings, group, "aws-user-personalization")
    polls["training"] = poller.stop()
    rows.append(row)
    print(rows[-1], flush=True)
    rows.append(train_solution(p, settings, group, "aws-user-personalization-v2")[0])
    print(rows[-1], flush=True)

    t = time.perf_counter()
    campaign = p.create_campaign(name="seed", solutionVersionArn=version)["campaignArn"]
    wait(lambda: p.describe_campaign(campaignArn=campaign), "campaign")
    rows.append(("CreateCampaign → ACTIVE", f"{time.perf_counter() - t:.1f}", "", ""))

    latency = serve_latency(data_dir, settings, campaign, version, args.requests)
    pages = {} if args.skip_pages else page_times(data_dir)
    print_tables(args, rows, polls, latency, pages)
    tmp.cleanup()


def train_solution(
    p: Any,
    settings: Settings,
    group: str,
    recipe: str,
    hyperparameters: dict[str, str] | None = None,
) -> tuple[Row, str]:
    """Create a solution of ``recipe`` (default hyperparameters, or these), train a version to
    ACTIVE; the row and the version's ARN. The row says how an iterative model's training ended
    (the engine's training report, e.g. v2's epochs and whether it stopped at its budget).
    A solution of that name already in the group (a kept shop whose training was stopped) is
    trained again; exits if its hyperparameters are not these."""
    from services.local.engine import get_engine
    from services.local.jobs.tasks.training import training_summary

    config = {"algorithmHyperParameters": hyperparameters} if hyperparameters else {}
    name = recipe.replace("aws-", "seed-")
    solution = next(
        (s["solutionArn"] for s in p.list_solutions(datasetGroupArn=group)["solutions"]
         if s["name"] == name),
        None,
    )  # fmt: skip
    if solution is None:
        solution = p.create_solution(
            name=name, datasetGroupArn=group,
            recipeArn=f"arn:aws:personalize:::recipe/{recipe}", solutionConfig=config,
        )["solutionArn"]  # fmt: skip
    else:
        kept = p.describe_solution(solutionArn=solution)["solution"].get("solutionConfig", {})
        if (kept.get("algorithmHyperParameters") or {}) != (hyperparameters or {}):
            raise SystemExit(f"solution {name} is kept with other hyperparameters: {kept}")
    t = time.perf_counter()
    with PeakRss() as peak:
        version = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
        # a FULL version of the ×10 shop runs for hours on a loaded machine
        done = wait(lambda: p.describe_solution_version(solutionVersionArn=version),
                    "solutionVersion", timeout=6 * 3600)  # fmt: skip
    secs = time.perf_counter() - t
    if done["status"] != "ACTIVE":
        raise SystemExit(f"{recipe} training failed: {done.get('failureReason')}")
    ndcg = p.get_solution_metrics(solutionVersionArn=version)["metrics"].get(
        "normalized_discounted_cumulative_gain_at_10", float("nan")
    )
    with get_engine(settings).reading() as res:
        report = res.get(version, "solution-version").get("_trainingReport")
    step = f"CreateSolutionVersion {recipe} → ACTIVE (split, metrics, final fit, save)"
    if report:
        seconds = f", {report['seconds']:.0f} s" if "seconds" in report else ""
        step += f"; final fit: {training_summary(report)}{seconds}"
    return (step, f"{secs:.1f}", f"{peak.peak / GIB:.2f}", f"NDCG@10 {ndcg:.4f}"), version


def bad_row_import(p: Any, data_dir: Path, good: Path, dataset: str) -> Row:
    """The interactions file with one bad TIMESTAMP in the middle, imported FULL: it must fail
    naming that row and leave the imported data as it was."""
    data = good.read_bytes()
    start = data.index(b"\n", len(data) // 2) + 1
    end = data.index(b"\n", start)
    fields = data[start:end].split(b",")
    fields[2] += b".5"
    row = data.count(b"\n", 0, start)  # 1-based data row (the header is line 1)
    total = data.count(b"\n") - 1
    bad = data_dir / "s3" / "seed" / "interactions-bad.csv"
    bad.write_bytes(data[:start] + b",".join(fields) + data[end:])
    del data
    before = bulk_files(data_dir)
    t = time.perf_counter()
    job = p.create_dataset_import_job(
        jobName="seed-bad-row",
        datasetArn=dataset,
        dataSource={"dataLocation": "s3://seed/interactions-bad.csv"},
    )["datasetImportJobArn"]
    done = wait(lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob")
    secs = time.perf_counter() - t
    reason = done.get("failureReason", "")
    ok = (
        done["status"] == "CREATE FAILED"
        and f"data row {row} (line {row + 1})" in reason
        and bulk_files(data_dir) == before
    )
    verdict = "refused, row named, nothing changed" if ok else f"WRONG: {done['status']} {reason}"
    return (f"one bad row ({row:,} of {total:,}) → CREATE FAILED", f"{secs:.1f}", "", verdict)


def bulk_files(data_dir: Path) -> list[tuple[Any, ...]]:
    """The engine's registered bulk files (what an import changes)."""
    with sqlite3.connect(data_dir / "engine.db") as conn:
        return conn.execute("SELECT id, path, rows FROM bulk_files ORDER BY id").fetchall()


def serve_latency(
    data_dir: Path,
    settings: Settings,
    campaign: str,
    version: str,
    n: int,
    filter_arn: str | None = None,
) -> dict[str, tuple[float, float]]:
    """GetRecommendations p50/p99 (numResults 25) for ``n`` distinct users after 100 others as
    warm-up: model only (the exact scan of every item), in-process, over HTTP; with
    ``filter_arn``, also in-process with that filter, with two metadata columns (the
    campaign must allow metadata) and with ``ITEM_FILTERS``. The in-process rows are timed
    in turn, user by user; HTTP in turn with the baseline again (``timed``)."""
    from services.local.engine import get_engine, reset_engines
    from services.local.runtime import scoring
    from tests.local.server import EngineServer

    engine = get_engine(settings)
    with engine.reading() as res:
        loaded = engine.models.get(res.get(version, "solution-version"))
    users = bench_users(loaded.model, n + 100, data_dir)
    # a model without user factors (v2) reads the history: read before the timing
    histories = {u: scoring.user_history(engine, loaded.group, u).item_ids for u in users}

    def timed(calls: dict[str, Callable[[str], object]]) -> dict[str, tuple[float, float]]:
        """Each user's request of every row, one row after another (the first row turning
        with the user), so that every row meets the same moments of a shared machine's
        load and the ratios to the baseline are not the load's changes between rows."""
        names = list(calls)
        samples: dict[str, list[float]] = {name: [] for name in names}
        for k, u in enumerate(users):
            for name in names[k % len(names) :] + names[: k % len(names)]:
                t = time.perf_counter()
                calls[name](u)
                if k >= 100:  # the first 100 users warm up
                    samples[name].append(time.perf_counter() - t)
        for name in names:
            print(f"  {name}: p50/p99 ms {ms(samples[name])}", flush=True)
        print(f"  load {os.getloadavg()[0]:.1f}", flush=True)
        return {name: ms(samples[name]) for name in names}

    rt = build_clients(settings).runtime
    calls: dict[str, Callable[[str], object]] = {
        "model only: exact scan of every item, score_user + top-k (baseline)": exact_scan(
            loaded.model, histories
        ),
        "boto3 in-process": lambda u: rt.get_recommendations(
            campaignArn=campaign, userId=u, numResults=25
        ),
    }
    if filter_arn:
        calls["boto3 in-process, filter (purchased items left out)"] = (
            lambda u: rt.get_recommendations(
                campaignArn=campaign, userId=u, numResults=25, filterArn=filter_arn
            )
        )  # fmt: skip
        calls["boto3 in-process, metadataColumns CATEGORY_L1, PRICE"] = (
            lambda u: rt.get_recommendations(
                campaignArn=campaign, userId=u, numResults=25,
                metadataColumns={"ITEMS": ["CATEGORY_L1", "PRICE"]},
            )
        )  # fmt: skip
        rank = {u: k for k, u in enumerate(users)}
        for label, arn, values in item_filters(settings):
            calls[f"boto3 in-process, Items filter: {label}"] = (
                lambda u, arn=arn, values=values: rt.get_recommendations(
                    campaignArn=campaign, userId=u, numResults=25, filterArn=arn,
                    filterValues=values(rank[u]),
                )
            )  # fmt: skip
    out = timed(calls)
    reset_engines()
    server = EngineServer(data_dir, PERSONALIZE_LOCAL_WORKER="thread").start(timeout=300)
    try:
        http = build_clients(Settings(endpoint_url=server.url, data_dir=data_dir)).runtime
        # the server loads the model on its first request: 3.6 GB at ×10 took more than
        # botocore's 60 s read timeout at load 27, so one untimed request waits for it first
        _warm_up(server.url, campaign, users[0])
        # over HTTP against the baseline again, taken turn about with it
        over_http = timed({
            "baseline again (exact scan)": exact_scan(loaded.model, histories),
            "boto3 over HTTP": lambda u: http.get_recommendations(
                campaignArn=campaign, userId=u, numResults=25
            ),
        })  # fmt: skip
        out["boto3 over HTTP"] = over_http["boto3 over HTTP"]
        out[HTTP_BASELINE] = over_http["baseline again (exact scan)"]
    finally:
        server.stop()
    return out


def _warm_up(url: str, campaign: str, user: str, timeout: float = 1800) -> None:
    """One GetRecommendations over HTTP that waits up to ``timeout`` s for its answer."""
    import boto3
    from botocore.config import Config

    boto3.client(
        "personalize-runtime", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="local", aws_secret_access_key="local",
        config=Config(read_timeout=timeout, retries={"total_max_attempts": 1}),
    ).get_recommendations(campaignArn=campaign, userId=user, numResults=25)  # fmt: skip


def item_filters(settings: Settings) -> list[tuple[str, str, Callable[[int], dict[str, str]]]]:
    """``ITEM_FILTERS`` in the shop (created the first time, found by name after): label, ARN
    and the filterValues of the k-th user."""
    p = build_clients(settings).personalize
    group = p.list_dataset_groups()["datasetGroups"][0]["datasetGroupArn"]
    have = {f["name"]: f["filterArn"] for f in p.list_filters(datasetGroupArn=group)["Filters"]}
    out = []
    for k, (label, expression, values) in enumerate(ITEM_FILTERS):
        name = f"items-{k + 1}"
        if name not in have:
            have[name] = p.create_filter(
                name=name, datasetGroupArn=group, filterExpression=expression
            )["filterArn"]
            wait(lambda arn=have[name]: p.describe_filter(filterArn=arn), "filter")
        out.append((label, have[name], values))
    return out


def bench_users(model: Any, n: int, data_dir: Path) -> list[str]:  # noqa: ANN401 (any model)
    """``n`` distinct users the model was trained on (a model without user factors, v2: of
    the shop's interactions file), drawn with a fixed seed."""
    ids = getattr(model, "user_ids", None)
    if ids is None:
        csv = data_dir / "s3" / "seed" / "interactions.csv"
        read = pa_csv.read_csv(csv, convert_options=pa_csv.ConvertOptions(
            include_columns=["USER_ID"], column_types={"USER_ID": pa.string()}))  # fmt: skip
        ids = np.sort(pc.unique(read.column("USER_ID")).to_numpy(zero_copy_only=False))
    ids = np.asarray(ids)
    return [
        str(u) for u in np.random.default_rng(1).choice(ids, size=min(n, len(ids)), replace=False)
    ]


def exact_scan(model: Any, histories: dict[str, list[str]]) -> Callable[[str], None]:  # noqa: ANN401
    """One user's scores over every item and their top 25: the model alone, no index (a
    model with user factors, v1, from those, as before; v2 from the user's history)."""
    from services.local.models import ranking

    def call(u: str) -> None:
        scores = model.score_user(u, [] if hasattr(model, "user_ids") else histories[u])
        if scores is not None:
            ranking.top_k(scores, 25)

    return call


def index_calibration(settings: Settings, version: str) -> str:
    """How the served model's candidate index was calibrated at training time
    (``Calibration.summary``: the setting and its recall on sampled users, or why the
    model scans every item)."""
    from services.local.engine import get_engine

    engine = get_engine(settings)
    with engine.reading() as res:
        loaded = engine.models.get(res.get(version, "solution-version"))
    calibration = getattr(loaded.model, "retrieval_calibration", None)
    if calibration is None:
        return "none (a model trained before calibration, or too few items for an index)"
    return str(calibration.summary())


def index_recall(
    settings: Settings,
    version: str,
    n: int,
    k: int = 25,
    item_filter: tuple[str, Callable[[int], dict[str, str]]] | None = None,
) -> tuple[float, int]:
    """Share of the exact scan's top ``k`` that the served list holds, over ``n`` distinct
    users (the same ones as the latency rows), and how many items the model learned.

    Both lists come from the runtime's ``recommend`` without exploration (it would blend
    in other items by design): once with the model's candidate index, once with a copy of
    the model without it, which scans every item; with ``item_filter`` (a filter's ARN and
    the filterValues of the k-th user), both filtered."""
    from dataclasses import replace

    from services.local.engine import get_engine
    from services.local.runtime import scoring

    engine = get_engine(settings)
    with engine.reading() as res:
        loaded = engine.models.get(res.get(version, "solution-version"))
    learned = len(getattr(loaded.model, "_learned", loaded.model.item_ids))
    if getattr(loaded.model, "retrieval", None) is None:
        return float("nan"), learned
    exact = replace(loaded, model=replace(loaded.model, retrieval=None))
    config = {"itemExplorationConfig": {"explorationWeight": "0"}}
    doc = None
    if item_filter:
        with engine.reading() as res:
            doc = res.get(item_filter[0], "filter")
    hits = 0
    users = bench_users(loaded.model, n + 100, settings.data_dir)
    for rank, u in enumerate(users[100:], start=100):
        values = item_filter[1](rank) if item_filter else None
        lists = [
            {e["itemId"] for e in scoring.recommend(
                engine, m, user_id=u, item_id=None, num_results=k, campaign_config=config,
                filter_doc=doc, filter_values=values,
            )}
            for m in (loaded, exact)
        ]  # fmt: skip
        hits += len(lists[0] & lists[1])
    return hits / (k * (len(users) - 100)), learned


def serving_bench(args: argparse.Namespace, data_dir: Path) -> None:
    """``--serving``: a shop whose every item is learned, imported once, trained (v1), and
    served (latency rows, recall of the exact top 25). With ``--keep DIR`` naming a shop this
    mode built before, only the serving is measured again."""
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="process")
    os.environ["PERSONALIZE_LOCAL_WORKER"] = "process"
    # building the clients creates engine.db: ask whether a shop was kept before that
    kept = (data_dir / "engine.db").exists()
    p = build_clients(settings).personalize
    if kept:
        # v1's campaign and the purchased-items filter (a kept shop may hold more of each)
        campaign, filter_arn = kept_shop(p)
        version = p.describe_campaign(campaignArn=campaign)["campaign"]["solutionVersionArn"]
        rows: list[Row] = []
        n_events = sum(1 for _ in (data_dir / "s3" / "seed" / "interactions.csv").open()) - 1
    else:
        rows, campaign, version, filter_arn, n_events = serving_shop(args, data_dir, settings)
    if args.recipe != V1:
        campaign, version = recipe_campaign(p, settings, args.recipe, rows)
    recalls: dict[str, float] = {}
    learned = args.items  # what the recall rows say the model learned, when measured
    calibration = index_calibration(settings, version)
    print(f"the model's index, as calibrated at training: {calibration}", flush=True)
    if not args.no_recall:
        recall, learned = index_recall(settings, version, args.requests)
        print(f"recall of the exact top 25: {recall:.4f} ({learned:,} learned)", flush=True)
        recalls["no filter"] = recall
        for label, arn, values in item_filters(settings):
            recalls[label] = index_recall(settings, version, args.requests, 25, (arn, values))[0]
            print(f"  with the Items filter {label}: {recalls[label]:.4f}", flush=True)
    latency = serve_latency(data_dir, settings, campaign, version, args.requests, filter_arn)
    print(
        f"\nSeed shop, every item learned: {args.items:,} items ({learned:,} learned), "
        f"{args.users:,} users, {n_events:,} interactions ({args.interactions:,} in sessions "
        f"+ 3 per item); load average {os.getloadavg()[0]:.1f} at the end"
    )
    print("| step | seconds | peak RSS GiB | |\n|---|---|---|---|")
    for step, secs, peak, note in rows:
        print(f"| {step} | {secs} | {peak} | {note} |")
    print(f"\nGetRecommendations, numResults 25, {args.requests:,} distinct users after 100")
    print("| path | p50 ms | p99 ms | p50 / baseline |\n|---|---|---|---|")
    base = next(iter(latency.values()))[0]
    http_base = latency.get(HTTP_BASELINE, (base, base))[0]
    for name, (p50, p99) in latency.items():
        own = http_base if name.startswith("boto3 over HTTP") else base  # taken in turn with it
        print(f"| {name} | {p50:.2f} | {p99:.2f} | {p50 / own:.2f}× |")
    print(f"\nRecall of the exact scan's top 25 ({args.recipe}), {args.requests:,} users:")
    for label, value in recalls.items():
        print(f"- {label}: " + ("the exact scan itself" if np.isnan(value) else f"{value:.2%}"))
    print(f"- the index at training: {calibration}")


def kept_shop(p: Any) -> tuple[str, str]:  # noqa: ANN401 (a boto3 client)
    """A kept shop's v1 campaign ("seed") and purchased-items filter ARNs, by name (the
    shop may hold more campaigns, --recipe, and filters, the Items filters)."""
    campaign = next(c for c in p.list_campaigns()["campaigns"] if c["name"] == "seed")
    purchased = next(f for f in p.list_filters()["Filters"] if f["name"] == "no-purchased")
    return campaign["campaignArn"], purchased["filterArn"]


def recipe_campaign(p: Any, settings: Settings, recipe: str, rows: list[Row]) -> tuple[str, str]:
    """``--recipe``'s campaign (metadata enabled) in the shop: trained with the recipe's
    defaults and deployed the first time (its rows added to ``rows``), found by name after."""
    name = recipe.replace("aws-", "seed-")
    for doc in p.list_campaigns()["campaigns"]:
        if doc["name"] == name:
            arn = doc["campaignArn"]
            return arn, p.describe_campaign(campaignArn=arn)["campaign"]["solutionVersionArn"]
    group = p.list_dataset_groups()["datasetGroups"][0]["datasetGroupArn"]
    row, version = train_solution(p, settings, group, recipe)
    rows.append(row)
    print(row, flush=True)
    campaign = p.create_campaign(
        name=name, solutionVersionArn=version,
        campaignConfig={"enableMetadataWithRecommendations": True},
    )["campaignArn"]  # fmt: skip
    wait(lambda: p.describe_campaign(campaignArn=campaign), "campaign")
    return campaign, version


def serving_shop(
    args: argparse.Namespace, data_dir: Path, settings: Settings
) -> tuple[list[Row], str, str, str, int]:
    """Generate, import, train and deploy ``--serving``'s shop: its rows, the campaign, the
    solution version, a filter (purchased items left out) and the number of events."""
    p = build_clients(settings).personalize
    t = time.perf_counter()
    shop = seed_shop.generate(args.items, args.users, args.interactions, min_item_events=3)
    n_events = len(shop.interactions)
    for kind, frame in (("Items", shop.items), ("Interactions", shop.interactions)):
        seed_shop.write_csv(frame, data_dir / "s3" / "seed" / f"{kind.lower()}.csv")
    del shop
    print(f"generated and written in {time.perf_counter() - t:.1f} s", flush=True)
    group = p.create_dataset_group(name="seed")["datasetGroupArn"]
    rows: list[Row] = []
    for kind, schema in (
        ("Items", seed_shop.ITEMS_SCHEMA),
        ("Interactions", seed_shop.INTERACTIONS_SCHEMA),
    ):
        arn = p.create_schema(name=f"seed-{kind.lower()}", schema=schema)["schemaArn"]
        dataset = p.create_dataset(
            name=f"seed-{kind.lower()}", schemaArn=arn, datasetGroupArn=group, datasetType=kind
        )["datasetArn"]
        t = time.perf_counter()
        import_file(p, dataset, f"seed-{kind.lower()}", f"s3://seed/{kind.lower()}.csv")
        rows.append((f"CreateDatasetImportJob {kind} → ACTIVE", f"{time.perf_counter() - t:.1f}",
                     "", ""))  # fmt: skip
    row, version = train_solution(p, settings, group, "aws-user-personalization")
    rows.append(row)
    print(rows[-1], flush=True)
    t = time.perf_counter()
    campaign, filter_arn = deploy(p, group, version)
    rows.append(("CreateCampaign + CreateFilter → ACTIVE", f"{time.perf_counter() - t:.1f}", "",
                 ""))  # fmt: skip
    return rows, campaign, version, filter_arn, n_events


def page_times(data_dir: Path) -> dict[str, Any]:
    """Every page's first load, its boto3 calls and median reruns (``bench.pages.walk``, this
    process; 600 s a page, since the ×10 shop's first loads take minutes on a loaded machine)."""
    from bench.pages import walk

    return walk(data_dir, 3, timeout=600)


def print_pages(pages: dict[str, Any], title: str) -> None:
    """The table of ``page_times``'s result (rows of ``bench.pages.Row``: first load, its
    boto3 calls, reruns, reruns after the lists expire; each time as wall and CPU seconds)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB
    print(f"\n{title} (AppTest, in-process engine; this process peaked at {rss:.2f} GiB RSS)")
    print("| page | first load s (CPU s) | boto3 calls | rerun s (CPU s), median of 3 "
          "| rerun / baseline |\n|---|---|---|---|---|")  # fmt: skip
    if any(len(row) != 4 for row in pages.values()):
        # a shop kept by an older bench stored three timings per page (no expired-lists rerun)
        print("(the kept pages result is in an older shape: rerun the step with --only pages)")
        return
    base = next(iter(pages.values()))[2][0]
    for name, ((first, first_cpu), calls, (rerun, rerun_cpu), _) in pages.items():
        print(f"| {name} | {first:.2f} ({first_cpu:.2f}) | {calls} | {rerun:.3f} "
              f"({rerun_cpu:.3f}) | {rerun / base:.0f}× |")  # fmt: skip


def print_tables(
    args: argparse.Namespace,
    rows: list[Row],
    polls: dict[str, Any],
    latency: dict[str, tuple[float, float]],
    pages: dict[str, Any],
) -> None:
    print(
        f"\nSeed shop: {args.items:,} items, {args.users:,} users, "
        f"{args.interactions:,} interactions"
    )
    print("| step | seconds | peak RSS GiB | vs baseline |")
    print("|---|---|---|---|")
    for step, secs, peak, ratio in rows:
        print(f"| {step} | {secs} | {peak} | {ratio} |")
    if not polls:
        return
    print("\nPolls from a second process every 100 ms (Describe* + ListDatasetImportJobs)")
    print("| while | polls | failures | p50 ms | p99 ms | p99 / idle p99 |")
    print("|---|---|---|---|---|---|")
    idle99 = ms(polls["idle"]["seconds"])[1]
    for name, result in polls.items():
        p50, p99 = ms(result["seconds"])
        print(
            f"| {name} | {len(result['seconds'])} | {result['failures']} | {p50:.1f} "
            f"| {p99:.1f} | {p99 / idle99:.1f}× |"
        )
    print("\nGetRecommendations, numResults 25")
    print("| path | p50 ms | p99 ms | p50 / baseline |")
    print("|---|---|---|---|")
    base = next(iter(latency.values()))[0]
    for name, (p50, p99) in latency.items():
        print(f"| {name} | {p50:.2f} | {p99:.2f} | {p50 / base:.1f}× |")
    if pages:
        print_pages(pages, "Pages")


def steps_bench(args: argparse.Namespace, root: Path) -> None:
    """``--serving --steps``: each of ``STEPS`` in a fresh interpreter (``--step``), so each
    step's peak memory is its own: a child inherits its parent's peak RSS, and an engine's
    models and caches would stay in the process. This process samples the RSS of the step's
    whole process tree (the step, the engine's worker, the HTTP server) every 50 ms and, with
    ``--cgroup``, runs the step in that memory cgroup and reads its peak (which also counts
    the page cache of the files the step writes). A step's result is kept in ``DIR/steps``;
    a step already there is not run again (so a run can be resumed)."""
    out = root / "steps"
    out.mkdir(parents=True, exist_ok=True)
    loads = []
    for step in STEPS:
        file = out / f"{step.replace(' ', '-')}.json"
        if file.exists() or (args.only and step not in args.only):
            continue
        cmd = [sys.executable, __file__, "--serving", "--keep", str(root), "--step", step]
        cmd += ["--items", str(args.items), "--users", str(args.users)]
        cmd += ["--interactions", str(args.interactions), "--requests", str(args.requests)]
        cmd += ["--runs", str(args.runs)]
        cmd += [f"--hyperparameter={kv}" for kv in args.hyperparameter]
        print(f"== {step} ({time.strftime('%H:%M:%S')})", flush=True)
        if args.cgroup:
            (args.cgroup / "memory.max_usage_in_bytes").write_text("0")
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, preexec_fn=_join_cgroup(args.cgroup))
        peak, step_loads, cpu = 0, [], {}
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid, cpu))
            step_loads.append(os.getloadavg()[0])
            time.sleep(0.05)
        loads += step_loads
        secs = time.perf_counter() - t
        if proc.returncode != 0:
            raise SystemExit(f"step {step} failed (exit {proc.returncode})")
        result = json.loads(file.read_text())
        # CPU seconds of the step's processes as last sampled (a 50 ms sample misses at most
        # that much of each): on a shared machine wall time follows the load, CPU time less so
        result.update(seconds=secs, peak=peak, load=os.getloadavg()[0], cpu=sum(cpu.values()))
        result.update(load_min=min(step_loads, default=0), load_max=max(step_loads, default=0))
        if args.cgroup:
            result["cgroup_peak"] = int((args.cgroup / "memory.max_usage_in_bytes").read_text())
            result["cgroup_failcnt"] = int((args.cgroup / "memory.failcnt").read_text())
        file.write_text(json.dumps(result))
    print_steps(args, out, loads)


def _join_cgroup(cgroup: Path | None) -> Callable[[], None] | None:
    """A preexec function that moves the child into ``cgroup`` before it runs anything."""
    if cgroup is None:
        return None
    procs = cgroup / "cgroup.procs"
    return lambda: procs.write_text(str(os.getpid()))


def _tree_rss(pid: int, cpu: dict[int, float] | None = None) -> int:
    """RSS of ``pid`` and all its descendants, in bytes (0 once it has exited); with ``cpu``,
    also records each one's CPU seconds so far (user + system, its own and its waited-for
    children's) under its pid."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for each in procs:
        try:
            total += each.memory_info().rss
            if cpu is not None:
                t = each.cpu_times()
                cpu[each.pid] = t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


def run_step(args: argparse.Namespace, root: Path) -> None:
    """One step of ``--steps`` in this (fresh) process; its result goes to
    ``DIR/steps/<step>.json`` (rows: (what, seconds, note) measured inside the step)."""
    data_dir = root / "data"
    csvs = {k: data_dir / "s3" / "seed" / f"{k.lower()}.csv" for k in ("Items", "Users",
                                                                      "Interactions")}  # fmt: skip
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="process")
    os.environ["PERSONALIZE_LOCAL_WORKER"] = "process"
    result: dict[str, Any] = {"rows": []}
    step = args.step
    if step == "generate":
        shop = seed_shop.generate(args.items, args.users, args.interactions, min_item_events=3)
        result["events"] = len(shop.interactions)
        for kind, frame in (("Items", shop.items), ("Users", shop.users),
                            ("Interactions", shop.interactions)):  # fmt: skip
            size = seed_shop.write_csv(frame, csvs[kind])
            result["rows"].append((f"{kind.lower()}.csv", "", f"{len(frame):,} rows, "
                                   f"{size / 2**20:,.0f} MiB"))  # fmt: skip
    elif step == "baseline":
        for kind, csv in csvs.items():
            secs, peak, cpu = pyarrow_baseline(csv, args.runs)
            result["rows"].append((f"pandas.read_csv(pyarrow) {kind} (median of {args.runs}, "
                                   f"fresh processes, peak {peak / GIB:.2f} GiB)",
                                   f"{secs:.2f}", f"CPU {cpu:.1f} s"))  # fmt: skip
            result[kind], result[f"{kind} cpu"] = secs, cpu
    elif step.startswith("import "):
        result["rows"].append(import_step(settings, step.split()[1], args.runs))
        result["runs"] = args.runs
    else:
        p = build_clients(settings).personalize
        group = p.list_dataset_groups()["datasetGroups"][0]["datasetGroupArn"]
        if step == "train":
            hp = dict(kv.split("=", 1) for kv in args.hyperparameter)
            row, _ = train_solution(p, settings, group, "aws-user-personalization", hp)
            if hp:
                result["rows"].append(("hyperparameters", "", ", ".join(args.hyperparameter)))
            result["rows"].append((row[0], row[1], row[3]))
        elif step == "deploy":
            # a kept shop may hold a stopped version beside the trained one
            version = next(v["solutionVersionArn"] for v in
                           p.list_solution_versions()["solutionVersions"]
                           if v["status"] == "ACTIVE")  # fmt: skip
            t = time.perf_counter()
            deploy(p, group, version)
            result["rows"].append(("CreateCampaign + CreateFilter → ACTIVE",
                                   f"{time.perf_counter() - t:.1f}", ""))  # fmt: skip
        elif step == "serve":
            campaign, filter_arn = kept_shop(p)
            version = p.describe_campaign(campaignArn=campaign)["campaign"]["solutionVersionArn"]
            t = time.perf_counter()
            recall, learned = index_recall(settings, version, args.requests)
            result["rows"].append((f"recall of the exact top 25, {args.requests:,} users",
                                   f"{time.perf_counter() - t:.1f}", f"{recall:.2%}"))  # fmt: skip
            result.update(recall=recall, learned=learned)
            result["latency"] = serve_latency(
                data_dir, settings, campaign, version, args.requests, filter_arn
            )
        elif step == "pages":
            result["pages"] = page_times(data_dir)
    (root / "steps" / f"{step.replace(' ', '-')}.json").write_text(json.dumps(result))


def import_step(settings: Settings, kind: str, runs: int) -> tuple[str, str, str]:
    """``runs`` FULL imports of ``kind``'s CSV (the dataset group and its three datasets are
    created by the first import step); the row: median seconds and each run's."""
    p = build_clients(settings).personalize
    groups = p.list_dataset_groups()["datasetGroups"]
    if groups:
        group = groups[0]["datasetGroupArn"]
    else:
        group = p.create_dataset_group(name="seed")["datasetGroupArn"]
        for name, schema in (("Interactions", seed_shop.INTERACTIONS_SCHEMA),
                             ("Items", seed_shop.ITEMS_SCHEMA),
                             ("Users", seed_shop.USERS_SCHEMA)):  # fmt: skip
            arn = p.create_schema(name=f"seed-{name.lower()}", schema=schema)["schemaArn"]
            p.create_dataset(name=f"seed-{name.lower()}", schemaArn=arn,
                             datasetGroupArn=group, datasetType=name)  # fmt: skip
    dataset = next(
        d["datasetArn"]
        for d in p.list_datasets(datasetGroupArn=group)["datasets"]
        if d["datasetType"].lower() == kind.lower()
    )
    secs = []
    for run in range(runs):
        t = time.perf_counter()
        import_file(p, dataset, f"seed-{kind.lower()}-{run + 1}", f"s3://seed/{kind.lower()}.csv")
        secs.append(time.perf_counter() - t)
    each = ", ".join(f"{x:.2f}" for x in secs)
    return (f"CreateDatasetImportJob {kind} → ACTIVE (median of {runs}: {each})",
            f"{float(np.median(secs)):.2f}", "")  # fmt: skip


def import_file(p: Any, dataset: str, name: str, location: str) -> None:
    """One FULL import job of ``location`` into ``dataset``, waited for; exits if it fails."""
    job = p.create_dataset_import_job(
        jobName=name, datasetArn=dataset, dataSource={"dataLocation": location}
    )["datasetImportJobArn"]
    done = wait(lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob")
    if done["status"] != "ACTIVE":
        raise SystemExit(f"{name} failed: {done.get('failureReason')}")


def deploy(p: Any, group: str, version: str) -> tuple[str, str]:
    """The campaign (metadata enabled) of ``version`` and the filter leaving out purchased
    items, both waited for; their ARNs."""
    campaign = p.create_campaign(
        name="seed", solutionVersionArn=version,
        campaignConfig={"enableMetadataWithRecommendations": True},
    )["campaignArn"]  # fmt: skip
    wait(lambda: p.describe_campaign(campaignArn=campaign), "campaign")
    filter_arn = p.create_filter(
        name="no-purchased", datasetGroupArn=group,
        filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")',
    )["filterArn"]  # fmt: skip
    wait(lambda: p.describe_filter(filterArn=filter_arn), "filter")
    return campaign, filter_arn


def print_steps(args: argparse.Namespace, out: Path, loads: list[float]) -> None:
    """The tables of a ``--steps`` run from the step results in ``out`` (a step without a
    result is printed as not run)."""
    results = {}
    for step in STEPS:
        file = out / f"{step.replace(' ', '-')}.json"
        if file.exists():
            results[step] = json.loads(file.read_text())
    serve, learned = results.get("serve", {}), "?"
    if "learned" in serve:
        learned = f"{serve['learned']:,}"
    events = results.get("generate", {}).get("events", 0)
    print(
        f"\nSeed shop ×{args.items / 500_000:g}, every item learned: {args.items:,} items "
        f"({learned} learned), {args.users:,} users, {events:,} events ({args.interactions:,} "
        f"in sessions + 3 per item)"
    )
    loads = loads or [x for r in results.values() for x in (r.get("load_min"), r.get("load_max"))
                      if x is not None]  # fmt: skip
    if loads:
        print(f"Load average during the steps: {min(loads):.1f}–{max(loads):.1f}")
    print("| step (fresh process) | seconds | CPU s (process tree) | peak RSS GiB (process "
          "tree) | cgroup peak GiB (incl. page cache) | inside the step | seconds | |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for step in STEPS:
        if step not in results:
            print(f"| {step} | not run | | | | | | |")
            continue
        r = results[step]
        cg = f"{r['cgroup_peak'] / GIB:.2f}" if "cgroup_peak" in r else ""
        cpu = f"{r['cpu']:.0f}" if "cpu" in r else ""
        rows = r["rows"] or [("", "", "")]
        first = rows[0]
        print(f"| {step} | {r['seconds']:.1f} | {cpu} | {r['peak'] / GIB:.2f} | {cg} | {first[0]} "
              f"| {first[1]} | {first[2]} |")  # fmt: skip
        for what, secs, note in rows[1:]:
            print(f"| | | | | | {what} | {secs} | {note} |")
    for kind in ("Items", "Users", "Interactions"):
        if f"import {kind}" in results and "baseline" in results:
            job = results[f"import {kind}"]
            ratio = float(job["rows"][0][1]) / results["baseline"][kind]
            print(f"\n{kind} import / pyarrow read: {ratio:.1f}× wall", end="")
            if "cpu" in job and f"{kind} cpu" in results["baseline"]:
                # the step's CPU also holds two interpreter starts (the step, the worker)
                cpu = job["cpu"] / job.get("runs", 1) / results["baseline"][f"{kind} cpu"]
                print(f", {cpu:.1f}× CPU (import step's processes per run / the read's)", end="")
    if "latency" in serve:
        print(f"\n\nGetRecommendations, numResults 25, {args.requests:,} distinct users after 100")
        print("| path | p50 ms | p99 ms | p50 / baseline |\n|---|---|---|---|")
        base = next(iter(serve["latency"].values()))[0]
        for name, (p50, p99) in serve["latency"].items():
            print(f"| {name} | {p50:.2f} | {p99:.2f} | {p50 / base:.2f}× |")
        print(f"\nRecall of the exact scan's top 25, {args.requests:,} users: "
              f"{serve['recall']:.2%}")  # fmt: skip
    if "pages" in results:
        print_pages(results["pages"]["pages"], "\nPages (the step's own process)")
    print()


if __name__ == "__main__":
    main()
