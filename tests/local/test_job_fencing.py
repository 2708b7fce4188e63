"""A worker whose job was given to another writes nothing more (issue #24).

Recovery requeues a job whose worker looks dead, and a worker on another host whose heartbeat
went quiet may still be running it. Here the job row is handed to such a worker ("attempt 2 on
another host", as recovery and that worker's claim would leave it) while a real worker thread
of this process runs the task; the old worker's writes, outcome and heartbeat must not land.
On SQLite and on PostgreSQL (``shared_settings``).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from services.config import Settings
from services.local.context import EngineContext
from services.local.data.storage import tables as t
from services.local.data.storage.model_files import attempt_partial
from services.local.data.storage.resources import ACTIVE, IN_PROGRESS, PENDING
from services.local.engine import LocalEngine, get_engine
from services.local.jobs.context import JobContext
from services.local.jobs.liveness import HEARTBEAT_SECONDS
from services.local.jobs.queue import JobRunner
from services.local.jobs.tasks import batch, exports
from services.local.jobs.tasks.lifecycle import end_job, start_job
from services.local.jobs.tasks.registry import TASKS
from services.personalize.clients import build_clients
from tests.local.workspace import create_group, start_training, wait_for

ROLE = "arn:aws:iam::000000000000:role/personalize"
OTHER = "another-host:4242:1700000000.000"  # the worker that claimed the job after recovery
# Its heartbeat, as the job row says: ahead of the clock, so the new worker stays alive to the
# recovery that the engine's own worker loop runs every 10 s (a stale one would fail the job).
HANDED_OVER_AT = 4_102_444_800.0


@pytest.fixture
def engine(shared_settings: Settings) -> Iterator[LocalEngine]:
    """An engine that runs no jobs itself: each test runs one with its own ``JobRunner``."""
    yield get_engine(shared_settings, start_worker=False)


def queue_probe(engine: LocalEngine) -> str:
    """A pending batch inference job's resource and its queued job (kind "probe")."""
    arn = engine.arns.make("batch-inference-job", "fenced")
    with engine.tx() as res:
        res.create(arn, "batch-inference-job", "fenced", {"jobName": "fenced", "status": PENDING})
        engine.jobs.enqueue(res.conn, "probe", arn)
    return arn


def hand_over(engine: EngineContext, arn: str) -> None:
    """What recovery and another host's worker would do: requeue, claim (attempt 2)."""
    with engine.db.begin() as conn:
        conn.execute(
            update(t.jobs)
            .where(t.jobs.c.arn == arn)
            .values(state="running", worker=OTHER, heartbeat=HANDED_OVER_AT, attempts=2)
        )


def job_row(engine: EngineContext, arn: str) -> tuple[str, str | None, float | None, int]:
    with engine.db.connect() as conn:
        row = conn.execute(
            select(t.jobs.c.state, t.jobs.c.worker, t.jobs.c.heartbeat, t.jobs.c.attempts).where(
                t.jobs.c.arn == arn
            )
        ).one()
    return row.state, row.worker, row.heartbeat, row.attempts


def doc_of(engine: EngineContext, arn: str) -> dict[str, object]:
    with engine.reading() as res:
        doc = res.find(arn)
    assert doc is not None
    return doc


def run_handing_over(
    engine: LocalEngine, arn: str, after: Callable[[EngineContext, str, JobContext], None]
) -> float:
    """Run the probe job on a worker thread: it marks the resource IN_PROGRESS, the job is
    handed over, then ``after`` runs in the task. Returns the seconds from the hand-over to
    the end of the task."""
    handed, ended = threading.Event(), threading.Event()

    def task(eng: EngineContext, job_arn: str, ctx: JobContext) -> None:
        try:
            assert start_job(eng, job_arn) is not None
            hand_over(engine, job_arn)  # as another host would: not through the task's engine
            handed.set()
            after(eng, job_arn, ctx)
        finally:
            ended.set()

    runner = JobRunner(engine, tasks={"probe": task})
    runner.kick()
    try:
        assert handed.wait(20)
        since = time.monotonic()
        assert ended.wait(20)
        return time.monotonic() - since
    finally:
        runner.stop()  # joins the thread, after it recorded (or not) the outcome


def test_a_worker_that_lost_its_job_writes_no_result(
    engine: LocalEngine, caplog: pytest.LogCaptureFixture
) -> None:
    """The task does not look (no progress check) and writes its result: nothing lands."""
    arn = queue_probe(engine)

    def finish_late(eng: EngineContext, job_arn: str, _ctx: JobContext) -> None:
        # Long enough for the old worker's heartbeat thread to beat (it must not).
        time.sleep(HEARTBEAT_SECONDS * 1.5)
        end_job(eng, job_arn, ACTIVE, numItems=7)

    run_handing_over(engine, arn, finish_late)
    doc = doc_of(engine, arn)
    assert doc["status"] == IN_PROGRESS  # as the new worker found it
    assert "numItems" not in doc
    assert job_row(engine, arn) == ("running", OTHER, HANDED_OVER_AT, 2)
    assert "no longer this worker's" in caplog.text


def test_a_worker_that_lost_its_job_stops_at_its_next_check(engine: LocalEngine) -> None:
    """A task that checks for cancellation as training does stops within a check."""
    arn = queue_probe(engine)

    def train(eng: EngineContext, job_arn: str, ctx: JobContext) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ctx.check_cancelled()
            time.sleep(0.05)
        end_job(eng, job_arn, ACTIVE)

    assert run_handing_over(engine, arn, train) < 5
    assert doc_of(engine, arn)["status"] == IN_PROGRESS
    assert job_row(engine, arn) == ("running", OTHER, HANDED_OVER_AT, 2)


def test_a_worker_that_lost_its_job_records_no_failure(engine: LocalEngine) -> None:
    """A task that crashes after the hand-over: its failure is not the job's outcome."""
    arn = queue_probe(engine)

    def crash(_eng: EngineContext, _arn: str, _ctx: JobContext) -> None:
        raise RuntimeError("the old worker's bug")

    run_handing_over(engine, arn, crash)
    doc = doc_of(engine, arn)
    assert doc["status"] == IN_PROGRESS
    assert "failureReason" not in doc
    assert job_row(engine, arn) == ("running", OTHER, HANDED_OVER_AT, 2)


def test_a_task_cannot_write_around_its_fence(engine: LocalEngine) -> None:
    """The task's engine has no ``db``: a write through it directly, not through the fenced
    ``tx``, would land after the job was handed over."""
    arn = queue_probe(engine)

    def write_directly(eng: EngineContext, job_arn: str, _ctx: JobContext) -> None:
        doc = doc_of(eng, job_arn)
        with eng.db.begin() as conn:
            conn.execute(
                update(t.resources)
                .where(t.resources.c.arn == job_arn)
                .values(doc={**doc, "status": ACTIVE})
            )

    run_handing_over(engine, arn, write_directly)
    assert doc_of(engine, arn)["status"] == IN_PROGRESS
    assert job_row(engine, arn) == ("running", OTHER, HANDED_OVER_AT, 2)


def test_a_training_job_handed_over_stops_and_leaves_the_version_alone(
    shared_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The real training task (in a worker thread, held at least 30 s): once its job is
    another worker's, it stops without turning the version ACTIVE or FAILED."""
    settings = dataclasses.replace(shared_settings, min_training_seconds=30.0)
    clients = build_clients(settings)
    engine = get_engine(settings)
    version = start_training(clients, create_group(clients, settings.data_dir)["group"])
    deadline = time.monotonic() + 30
    while job_row(engine, version)[0] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    hand_over(engine, version)
    deadline = time.monotonic() + 10
    while "no longer this worker's" not in caplog.text:
        assert time.monotonic() < deadline, "the old worker kept training"
        time.sleep(0.05)
    described = clients.personalize.describe_solution_version(solutionVersionArn=version)
    assert described["solutionVersion"]["status"] == IN_PROGRESS
    assert job_row(engine, version) == ("running", OTHER, HANDED_OVER_AT, 2)


def test_a_training_job_handed_over_while_saving_leaves_the_new_workers_file_alone(
    shared_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The job is handed over once the old worker has begun writing its model: each attempt
    writes its own partial file, the old one is never renamed into place (its claim is gone)
    and is deleted; the file the new worker writes (attempt 2's) is not touched."""
    settings = dataclasses.replace(shared_settings, min_training_seconds=30.0)
    clients = build_clients(settings)
    engine = get_engine(settings)
    version = start_training(clients, create_group(clients, settings.data_dir)["group"])
    name = f"{version.rsplit('/', 2)[-2]}-{version.rsplit('/', 1)[-1]}"
    deadline = time.monotonic() + 60
    while not list(engine.models_dir.glob(f"{name}*")):  # the old worker is saving
        assert time.monotonic() < deadline, "the model was never written"
        time.sleep(0.01)
    hand_over(engine, version)
    theirs = attempt_partial(engine.models_dir / f"{name}.npz", OTHER, 2)
    assert theirs.name == f"{name}.4242-2.tmp.npz"
    theirs.write_bytes(b"PK\x03\x04 the new worker's model, half written")
    deadline = time.monotonic() + 10
    while "no longer this worker's" not in caplog.text:
        assert time.monotonic() < deadline, "the old worker kept training"
        time.sleep(0.05)
    assert sorted(engine.models_dir.glob(f"{name}*")) == [theirs]
    assert theirs.read_bytes() == b"PK\x03\x04 the new worker's model, half written"
    described = clients.personalize.describe_solution_version(solutionVersionArn=version)
    assert described["solutionVersion"]["status"] == IN_PROGRESS
    assert job_row(engine, version) == ("running", OTHER, HANDED_OVER_AT, 2)


THEIRS = "the new worker's output\n"


def batch_job(engine: LocalEngine) -> tuple[str, Path]:
    """A pending batch inference job (one blank input line: answered without a model)."""
    (engine.s3_dir / "bucket" / "in").mkdir(parents=True)
    (engine.s3_dir / "bucket" / "in" / "queries.json").write_text("\n", encoding="utf-8")
    arn = engine.arns.make("batch-inference-job", "fenced")
    doc = {
        "jobName": "fenced",
        "status": PENDING,
        "jobInput": {"s3DataSource": {"path": "s3://bucket/in/queries.json"}},
        "jobOutput": {"s3DataDestination": {"path": "s3://bucket/out/"}},
    }
    with engine.tx() as res:
        res.create(arn, "batch-inference-job", "fenced", doc)
        engine.jobs.enqueue(res.conn, "batch", arn)
    return arn, engine.s3_dir / "bucket" / "out" / "queries.json.out"


def export_job(engine: LocalEngine) -> tuple[str, Path]:
    """A pending export job of an empty Users dataset."""
    group = engine.arns.make("dataset-group", "g")
    dataset = f"{group.replace('dataset-group', 'dataset')}/USERS"
    arn = engine.arns.make("dataset-export-job", "fenced")
    with engine.tx() as res:
        res.create(group, "dataset-group", "g", {"datasetGroupArn": group, "status": ACTIVE})
        res.create(
            dataset,
            "dataset",
            "users",
            {"datasetArn": dataset, "datasetGroupArn": group, "datasetType": "Users"},
            group=group,
        )
        res.create(
            arn,
            "dataset-export-job",
            "fenced",
            {
                "jobName": "fenced",
                "status": PENDING,
                "datasetArn": dataset,
                "ingestionMode": "PUT",
                "jobOutput": {"s3DataDestination": {"path": "s3://bucket/exports/"}},
            },
        )
        engine.jobs.enqueue(res.conn, "export", arn)
    return arn, engine.s3_dir / "bucket" / "exports" / "fenced" / "part-00000.csv"


@pytest.mark.parametrize(
    ("make", "module"), [(batch_job, batch), (export_job, exports)], ids=["batch", "export"]
)
def test_a_job_handed_over_leaves_the_new_workers_output_alone(
    engine: LocalEngine,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[[LocalEngine], tuple[str, Path]],
    module: Any,
) -> None:
    """The real batch inference (as batch segment) and export tasks in a worker thread: the
    job is handed over just before the old worker writes its output, and the new worker has
    already written its own. The old worker's is never put in place, nor left behind."""
    arn, out = make(engine)
    real_output_dir = module.output_dir

    def handed_over_meanwhile(eng: EngineContext, location: str) -> Path:
        hand_over(engine, arn)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(THEIRS, encoding="utf-8")
        return real_output_dir(eng, location)

    monkeypatch.setattr(module, "output_dir", handed_over_meanwhile)
    runner = JobRunner(engine, tasks=TASKS)
    runner.kick()
    try:
        deadline = time.monotonic() + 20
        while "no longer this worker's" not in caplog.text:
            assert time.monotonic() < deadline, "the old worker never learnt it lost the job"
            time.sleep(0.05)
    finally:
        runner.stop()
    assert out.read_text(encoding="utf-8") == THEIRS
    assert sorted(out.parent.iterdir()) == [out]  # no partial file of the old worker's
    assert doc_of(engine, arn)["status"] == IN_PROGRESS
    assert job_row(engine, arn) == ("running", OTHER, HANDED_OVER_AT, 2)


def test_an_import_handed_over_leaves_the_new_workers_attribution_report_alone(
    shared_settings: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real import task (in a worker thread) with an attribution report to publish: the
    job is handed over once its rows are staged, and the new worker has published its report
    in the same second (so under the same name). The old worker neither overwrites nor
    deletes it, and registers nothing."""
    clients = build_clients(shared_settings)
    engine = get_engine(shared_settings)
    p = clients.personalize
    ws = create_group(clients, shared_settings.data_dir)
    output = {"roleArn": ROLE, "s3DataDestination": {"path": "s3://bucket/attribution/"}}
    views = {"eventType": "view", "metricName": "views", "expression": "SAMPLECOUNT()"}
    attribution = p.create_metric_attribution(
        name="m", datasetGroupArn=ws["group"], metrics=[views], metricsOutputConfig=output
    )["metricAttributionArn"]
    wait_for(
        lambda: p.describe_metric_attribution(metricAttributionArn=attribution),
        "metricAttribution",
    )
    with engine.read_db.connect() as conn:
        files_before = conn.execute(select(t.bulk_files.c.path)).scalars().all()
    now = 1_800_000_000
    monkeypatch.setattr(engine, "clock", lambda: float(now))
    theirs = (
        engine.s3_dir
        / "bucket"
        / "attribution"
        / (f"AggregatedAttributionMetrics-INCREMENTAL-{now}.csv")
    )
    stage_parts = engine.bulk.stage_parts

    def handed_over_once_staged(*args: Any, **kwargs: Any) -> Any:
        staged = stage_parts(*args, **kwargs)
        with engine.read_db.connect() as conn:
            job = conn.execute(
                select(t.jobs.c.arn).where(t.jobs.c.kind == "import", t.jobs.c.state == "running")
            ).scalar_one()
        hand_over(engine, job)
        theirs.parent.mkdir(parents=True, exist_ok=True)
        theirs.write_text(THEIRS, encoding="utf-8")
        return staged

    monkeypatch.setattr(engine.bulk, "stage_parts", handed_over_once_staged)
    job = p.create_dataset_import_job(
        jobName="with-report",
        datasetArn=ws["dataset"],
        dataSource={"dataLocation": "s3://bucket/shop/interactions.csv"},
        roleArn=ROLE,
        importMode="INCREMENTAL",
        publishAttributionMetricsToS3=True,
    )["datasetImportJobArn"]
    deadline = time.monotonic() + 30
    while "no longer this worker's" not in caplog.text:
        assert time.monotonic() < deadline, "the old worker never learnt it lost the job"
        time.sleep(0.05)
    assert theirs.read_text(encoding="utf-8") == THEIRS
    assert sorted(theirs.parent.iterdir()) == [theirs]  # no partial file of the old worker's
    described = p.describe_dataset_import_job(datasetImportJobArn=job)["datasetImportJob"]
    assert described["status"] == IN_PROGRESS
    assert job_row(engine, job) == ("running", OTHER, HANDED_OVER_AT, 2)
    with engine.read_db.connect() as conn:
        assert conn.execute(select(t.bulk_files.c.path)).scalars().all() == files_before
