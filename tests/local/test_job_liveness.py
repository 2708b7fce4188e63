"""Which running jobs recovery takes back: only those whose worker is gone (issue #24).

On this host a worker's pid decides, whatever its heartbeat says: the x10 run's training job
was started again while its worker, starved of CPU at load 18-34, still trained it. Only a
worker on another host (a shared PostgreSQL database) is judged by its heartbeat. The
workers here are real processes: this one, a child that sleeps, a child killed and reaped,
a child killed and left a zombie.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from sqlalchemy import select, update

from services.config import Settings
from services.local.data.storage import tables as t
from services.local.engine import LocalEngine
from services.local.jobs import job_table
from services.local.jobs.context import JobContext
from services.local.jobs.liveness import STALE_SECONDS, worker_identity
from services.local.jobs.queue import JobRunner
from services.local.jobs.recovery import recover_dead_jobs

ARN = "arn:aws:personalize:us-east-1:000000000000:solution/s/probe"
TEN_MINUTES = 600.0


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[LocalEngine]:
    """An engine that never runs jobs itself: the tests set the job rows."""
    settings = Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread")
    engine = LocalEngine(settings, start_worker=False)
    yield engine
    engine.close()


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A live child process (a worker that is busy, as far as anyone here can tell)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def identity_of(pid: int) -> str:
    """The worker name a job row gives process ``pid`` (as ``worker_identity`` does)."""
    return f"{socket.gethostname()}:{pid}:{psutil.Process(pid).create_time():.3f}"


def running(engine: LocalEngine, worker: str, heartbeat_age: float) -> None:
    """Queue the probe job and mark it claimed by ``worker``, last heard of ``heartbeat_age``
    seconds ago, on its first attempt."""
    with engine.db.begin() as conn:
        job_table.enqueue(conn, "train", ARN)
        conn.execute(
            update(t.jobs)
            .where(t.jobs.c.arn == ARN)
            .values(
                state="running", worker=worker, heartbeat=time.time() - heartbeat_age, attempts=1
            )
        )


def job_row(engine: LocalEngine) -> tuple[str, str | None, int]:
    with engine.db.connect() as conn:
        row = conn.execute(
            select(t.jobs.c.state, t.jobs.c.worker, t.jobs.c.attempts).where(t.jobs.c.arn == ARN)
        ).one()
    return row.state, row.worker, row.attempts


def recovered(engine: LocalEngine) -> int:
    """What recovery touches now, and whether a request's cheap check would call it."""
    unattended = job_table.unattended(engine.read_db, idle=False, queued_for=1.0)
    touched, _ = recover_dead_jobs(engine.db, engine.data_dir)
    assert unattended == bool(touched)  # the request's check and recovery agree
    return touched


def test_this_live_process_keeps_its_job_whatever_its_heartbeat(engine: LocalEngine) -> None:
    running(engine, worker_identity(), TEN_MINUTES)
    assert recovered(engine) == 0
    assert job_row(engine) == ("running", worker_identity(), 1)


def test_a_live_child_worker_keeps_its_job_whatever_its_heartbeat(
    engine: LocalEngine, sleeper: subprocess.Popen[bytes]
) -> None:
    worker = identity_of(sleeper.pid)
    running(engine, worker, TEN_MINUTES)
    assert recovered(engine) == 0
    assert job_row(engine) == ("running", worker, 1)


def test_a_dead_worker_with_a_fresh_heartbeat_is_resumed(
    engine: LocalEngine, sleeper: subprocess.Popen[bytes]
) -> None:
    worker = identity_of(sleeper.pid)
    sleeper.kill()
    sleeper.wait()  # reaped: the pid is gone
    running(engine, worker, 0.0)
    assert recovered(engine) == 1
    assert job_row(engine) == ("queued", None, 1)  # the next claim counts attempt 2


def test_a_zombie_worker_is_dead(engine: LocalEngine, sleeper: subprocess.Popen[bytes]) -> None:
    worker = identity_of(sleeper.pid)
    sleeper.kill()
    deadline = time.monotonic() + 10
    while psutil.Process(sleeper.pid).status() != psutil.STATUS_ZOMBIE:  # dead, not reaped
        assert time.monotonic() < deadline
        time.sleep(0.01)
    running(engine, worker, 0.0)
    assert recovered(engine) == 1
    assert job_row(engine)[0] == "queued"


def test_a_later_process_with_the_workers_pid_is_not_the_worker(engine: LocalEngine) -> None:
    host, pid, started = worker_identity().split(":")
    running(engine, f"{host}:{pid}:{float(started) - 100:.3f}", 0.0)  # pid reused
    assert recovered(engine) == 1


@pytest.mark.parametrize(
    ("age", "resumed"),
    [(STALE_SECONDS + 1, True), (TEN_MINUTES, True), (1.0, False), (STALE_SECONDS - 5, False)],
)
def test_a_worker_on_another_host_is_judged_by_its_heartbeat(
    engine: LocalEngine, age: float, resumed: bool
) -> None:
    # The pid is this process's: on another host it names some other process.
    _, pid, started = worker_identity().split(":")
    running(engine, f"elsewhere-{socket.gethostname()}:{pid}:{started}", age)
    assert recovered(engine) == int(resumed)
    assert job_row(engine)[0] == ("queued" if resumed else "running")


def test_a_worker_thread_that_stops_gives_its_job_back(engine: LocalEngine) -> None:
    """The process lives on, so recovery would never find the job's worker dead: the worker
    thread queues the job again as it stops (the engine closing, or being replaced)."""
    started = threading.Event()

    def task(_engine: object, _arn: str, ctx: JobContext) -> None:
        started.set()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # checks as training's progress callback does
            ctx.check_cancelled()
            time.sleep(0.01)

    with engine.db.begin() as conn:
        job_table.enqueue(conn, "probe", ARN)
    runner = JobRunner(engine, tasks={"probe": task})
    runner.kick()
    assert started.wait(10)
    assert job_row(engine) == ("running", worker_identity(), 1)
    runner.stop()
    assert job_row(engine) == ("queued", None, 1)
    assert job_table.claim(engine.db, "next-worker") is not None  # ready for the next one
