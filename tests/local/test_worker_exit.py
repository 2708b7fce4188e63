"""A worker that exits never strands work (issue #17, "first run").

A job queued at the moment a worker gives up for lack of work used to wait for the next kick:
the kick reached the dying worker (a byte down a closing pipe, or an event for a thread about
to return). These tests queue jobs at exactly that moment, many times, with real workers: the
idle limit is 0 (a worker exits as soon as the queue is empty) and, for threads, the injected
clock queues the jobs from inside the worker's idle check. Requests do not look for stranded
work here (``WATCH_SECONDS`` is an hour), so only the exit handshake can run the jobs.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from services.config import Settings
from services.local.engine import get_engine, reset_engines
from services.local.jobs import queue as jobs
from services.personalize.clients import Clients, build_clients
from tests.local.workspace import (
    create_group,
    start_training,
    wait_for,
    worker_pid,
    write_interactions,
)

# A worker thread that raises would strand jobs as surely as a lost kick.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
THREAD_ROUNDS = 60
PROCESS_ROUNDS = 5


@pytest.fixture
def no_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests would otherwise start a worker for stranded jobs within a second."""
    monkeypatch.setattr(jobs, "WATCH_SECONDS", 3600.0)


@pytest.fixture
def cleanup() -> Iterator[None]:
    yield
    reset_engines()


def _import(clients: Clients, dataset: str, name: str) -> str:
    return clients.personalize.create_dataset_import_job(
        jobName=name, datasetArn=dataset, dataSource={"dataLocation": "s3://b/race.csv"}
    )["datasetImportJobArn"]


def _active(clients: Clients, arn: str, timeout: float = 20) -> None:
    """Wait for an import to end (polled often: these tests run hundreds of them)."""
    deadline = time.monotonic() + timeout
    while True:
        doc = clients.personalize.describe_dataset_import_job(datasetImportJobArn=arn)
        status = doc["datasetImportJob"]["status"]
        if status not in ("CREATE PENDING", "CREATE IN_PROGRESS"):
            break
        assert time.monotonic() < deadline, f"{arn} still {status} after {timeout}s"
        time.sleep(0.005)
    assert status == "ACTIVE", doc["datasetImportJob"].get("failureReason")


def _workspace(tmp_path: Path, mode: str) -> tuple[Settings, Clients, str]:
    """Workers in ``mode`` that exit as soon as the queue is empty; a dataset to import into."""
    settings = Settings(
        data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode=mode, worker_idle_seconds=0
    )
    clients = build_clients(settings)
    ws = create_group(clients, settings.data_dir)
    write_interactions(settings.data_dir / "s3" / "b" / "race.csv")
    return settings, clients, ws["dataset"]


class _IdleCheckClock:
    """time.monotonic for the job runner; when armed, its ``after``-th call from a worker
    thread first runs ``action`` (queueing jobs) in that thread. Every worker-thread call
    happens between two steps of the worker loop, the idle check among them."""

    def __init__(self) -> None:
        self.action: Callable[[], None] | None = None
        self.after = 0
        self.fired = threading.Event()

    def arm(self, action: Callable[[], None], after: int) -> None:
        self.fired.clear()
        self.after, self.action = after, action

    def __call__(self) -> float:
        action = self.action
        if action is not None and threading.current_thread().name == "personalize-local-worker":
            if self.after == 0:
                self.action = None  # before running it: the action's requests read the clock
                action()
                self.fired.set()
            else:
                self.after -= 1
        return time.monotonic()


def test_jobs_queued_while_a_worker_thread_exits_all_run(
    tmp_path: Path, no_watch: None, cleanup: None
) -> None:
    settings, clients, dataset = _workspace(tmp_path, "thread")
    runner = get_engine(settings).jobs
    clock = _IdleCheckClock()
    runner.clock = clock
    queued: list[str] = []
    for n in range(THREAD_ROUNDS):
        # A worker thread reads the clock between the steps of its loop (starting, recovery
        # due and done, after a job, in its idle check: the moment it decides to exit);
        # offsets 0-5 queue the jobs at each of them, ten times each.
        clock.arm(lambda n=n: queued.extend(_imports(clients, dataset, f"t{n}")), n % 6)
        for start in range(20):
            _import_and_wait(clients, dataset, f"start{n}-{start}")  # a worker reads the clock
            if clock.fired.wait(0.5):
                break
        assert clock.fired.is_set(), f"round {n}: no worker read the clock"
        for arn in queued[-2:]:
            _active(clients, arn)
    assert len(queued) == 2 * THREAD_ROUNDS


def _imports(clients: Clients, dataset: str, prefix: str) -> list[str]:
    return [_import(clients, dataset, f"{prefix}-{k}") for k in (0, 1)]


def _import_and_wait(clients: Clients, dataset: str, name: str) -> None:
    _active(clients, _import(clients, dataset, name))


def _exits(data_dir: Path) -> list[int]:
    """The process IDs of workers that decided to exit, in order (their log lines)."""
    log = data_dir / "worker.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    return [int(pid) for pid in re.findall(r"worker (\d+) idle for [\d.]+s: exiting", text)]


def _ran(data_dir: Path, arns: list[str]) -> set[int]:
    """The process IDs of the workers that ran these jobs."""
    with sqlite3.connect(data_dir / "engine.db") as db:
        rows = db.execute(
            f"SELECT worker FROM jobs WHERE arn IN ({','.join('?' * len(arns))})", arns
        ).fetchall()
    return {int(worker.split(":")[1]) for (worker,) in rows}


def test_jobs_queued_while_a_worker_process_exits_all_run(
    tmp_path: Path, no_watch: None, cleanup: None
) -> None:
    settings, clients, dataset = _workspace(tmp_path, "process")
    data_dir = settings.data_dir
    seen = len(_exits(data_dir))
    _active(clients, _import(clients, dataset, "warm"), timeout=60)
    for n in range(PROCESS_ROUNDS):
        # The worker that ran the last jobs finds the queue empty and exits; the moment it
        # logs that decision, queue two jobs (its interpreter takes tens of ms more to end).
        # generous: on a loaded 2-core runner with two test workers an exit has taken > 60 s
        deadline = time.monotonic() + 180
        while len(exits := _exits(data_dir)) <= seen:
            assert time.monotonic() < deadline, "no worker exited"
            time.sleep(0.002)
        seen = len(exits)
        racing = _imports(clients, dataset, f"p{n}")
        for arn in racing:
            _active(clients, arn, timeout=60)
        if _ran(data_dir, racing) == {exits[-1]}:
            # The exiting worker ran them after it stopped listening: the next round needs
            # a new worker (the other way round, the new worker that ran them exits next).
            _active(clients, _import(clients, dataset, f"p{n}-warm"), timeout=60)
    assert "Fatal Python error" not in (data_dir / "worker.log").read_text()


def test_a_dead_worker_is_replaced_by_the_next_request(tmp_path: Path, cleanup: None) -> None:
    """Killed mid-training with nothing else queued: the next Describe reaps it (no zombie),
    requeues its job and starts a new worker, which finishes the job."""
    slow = {"lifecycle_seconds": 0.0, "min_training_seconds": 3.0}  # in a worker process
    settings = Settings(data_dir=tmp_path / "data", **slow)
    clients = build_clients(settings)
    p = clients.personalize
    version = start_training(clients, create_group(clients, settings.data_dir)["group"])
    pid = worker_pid(settings.data_dir, version)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:  # dead, not yet reaped
        assert time.monotonic() < deadline
        time.sleep(0.02)
    done = wait_for(
        lambda: p.describe_solution_version(solutionVersionArn=version),
        "solutionVersion",
        timeout=60,
    )
    assert done["status"] == "ACTIVE", done.get("failureReason")
    assert not psutil.pid_exists(pid)  # reaped by a request, not left a zombie
    with sqlite3.connect(settings.data_dir / "engine.db") as db:
        attempts = db.execute("SELECT attempts FROM jobs WHERE arn = ?", (version,)).fetchone()
    assert attempts == (2,)  # resumed once, by a request's recovery


def test_an_idle_worker_that_exited_is_reaped_by_the_next_request(
    tmp_path: Path, cleanup: None
) -> None:
    settings = Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_idle_seconds=0.0)
    p = build_clients(settings).personalize
    proc = get_engine(settings).jobs._proc  # warmed with the engine; exits at once
    assert proc is not None
    deadline = time.monotonic() + 30
    while psutil.Process(proc.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(jobs.WATCH_SECONDS)
    p.list_dataset_groups()
    assert not psutil.pid_exists(proc.pid)
    assert get_engine(settings).jobs._proc is None  # no work queued: none started
