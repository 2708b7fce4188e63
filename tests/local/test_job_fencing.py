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

import pytest
from sqlalchemy import select, update

from services.config import Settings
from services.local.context import EngineContext
from services.local.data import tables as t
from services.local.data.model_files import attempt_partial
from services.local.data.resources import ACTIVE, IN_PROGRESS, PENDING
from services.local.engine import LocalEngine, get_engine
from services.local.jobs.context import JobContext
from services.local.jobs.liveness import HEARTBEAT_SECONDS
from services.local.jobs.queue import JobRunner
from services.local.jobs.tasks.lifecycle import end_job, start_job
from services.personalize.clients import build_clients
from tests.local.workspace import create_group, start_training

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
            hand_over(eng, job_arn)
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
