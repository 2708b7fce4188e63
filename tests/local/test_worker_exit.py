"""A worker that exits never strands work (issue #17, "first run").

A job queued at the moment a worker gives up for lack of work used to wait for the next kick:
the kick reached the dying worker (a byte down a closing pipe, or an event for a thread about
to return). These tests queue jobs at exactly that moment, many times, with real workers: the
idle limit is 0 (a worker exits as soon as the queue is empty) and, for threads, the injected
clock queues the jobs from inside the worker's idle check. Requests do not look for stranded
work here (``WATCH_SECONDS`` is an hour), so only the exit handshake can run the jobs.

The waits are on conditions, not on the clock: a job is stranded when it is still queued while
no worker of the engine runs (nothing else would ever start one here), and a round fails at
that moment; while a worker runs, the test waits for it, however long a loaded machine takes to
start one (a worker process imports pandas and pyarrow: 4 s at load 9, 48 s at load 12 under
nice 10). pytest's timeout still ends a worker that hangs.
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


def _active(
    clients: Clients, arn: str, workers_running: Callable[[], bool], poll: float = 0.005
) -> None:
    """Wait for an import to end, polling every ``poll`` s; fail as soon as it is still
    queued or running while ``workers_running()`` is false: no worker is left to run it."""
    while True:
        running = workers_running()  # before the read: a worker that ran it may end meanwhile
        doc = clients.personalize.describe_dataset_import_job(datasetImportJobArn=arn)
        status = doc["datasetImportJob"]["status"]
        if status not in ("CREATE PENDING", "CREATE IN_PROGRESS"):
            break
        assert running, f"{arn} is {status} and no worker runs: it is stranded"
        time.sleep(poll)
    assert status == "ACTIVE", doc["datasetImportJob"].get("failureReason")


def _worker_threads() -> bool:
    """Whether a worker thread runs (an exiting one included: it runs what it finds last)."""
    return any(th.name == "personalize-local-worker" for th in threading.enumerate())


def _worker_processes(settings: Settings) -> Callable[[], bool]:
    """Whether a worker process of the engine of ``settings`` runs, an exiting one included:
    its exit, and its jobs, are still to come. The runner holds every worker process it
    started that may still run (its current one, and those that stopped listening)."""

    def running() -> bool:
        runner = get_engine(settings).jobs
        procs = [*runner._exiting, *([runner._proc] if runner._proc is not None else [])]
        return any(proc.poll() is None for proc in procs)

    return running


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
            _active(clients, arn, _worker_threads)
    assert len(queued) == 2 * THREAD_ROUNDS


def _imports(clients: Clients, dataset: str, prefix: str) -> list[str]:
    return [_import(clients, dataset, f"{prefix}-{k}") for k in (0, 1)]


def _import_and_wait(clients: Clients, dataset: str, name: str) -> None:
    _active(clients, _import(clients, dataset, name), _worker_threads)


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


def _next_exit(data_dir: Path, seen: int, workers_running: Callable[[], bool]) -> list[int]:
    """The exit lines once there are more than ``seen``, read every 2 ms (so that jobs can
    be queued the moment a worker decides to go); fails as soon as there are not and no
    worker runs that could still write one (looked at every 0.1 s)."""
    looked = time.monotonic()
    while len(exits := _exits(data_dir)) <= seen:
        if time.monotonic() - looked > 0.1:
            running, looked = workers_running(), time.monotonic()
            # a worker writes its line, then ends: read again after finding none running
            if not running and len(exits := _exits(data_dir)) <= seen:
                raise AssertionError("no worker exited, and none runs that could")
        time.sleep(0.002)
    return exits


@pytest.mark.timeout(900)  # a hung worker; slow ones are waited for (module docstring)
def test_jobs_queued_while_a_worker_process_exits_all_run(
    tmp_path: Path, no_watch: None, cleanup: None
) -> None:
    settings, clients, dataset = _workspace(tmp_path, "process")
    data_dir = settings.data_dir
    workers = _worker_processes(settings)
    seen = len(_exits(data_dir))
    _active(clients, _import(clients, dataset, "warm"), workers, poll=0.05)
    for n in range(PROCESS_ROUNDS):
        # The worker that ran the last jobs finds the queue empty and exits; the moment it
        # logs that decision, queue two jobs (its interpreter takes tens of ms more to end).
        exits = _next_exit(data_dir, seen, workers)
        seen = len(exits)
        racing = _imports(clients, dataset, f"p{n}")
        for arn in racing:
            _active(clients, arn, workers, poll=0.05)
        if _ran(data_dir, racing) == {exits[-1]}:
            # The exiting worker ran them after it stopped listening: the next round needs
            # a new worker (the other way round, the new worker that ran them exits next).
            _active(clients, _import(clients, dataset, f"p{n}-warm"), workers, poll=0.05)
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
