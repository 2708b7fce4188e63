"""StopSolutionVersionCreation takes effect within a bounded piece of work, whatever phase
training is in, and a worker killed while its version is CREATE STOPPING never leaves it there.

The x10 shop's aws-user-personalization training did not stop in ten minutes: the stop was
read only between training's phases, and the worker was scoring the metrics split's test users
(834 blocks at 5,000,000 items). Now training passes a checkpoint every ALS iteration, every
block of at most ``USERS_PER_CHECK`` scored users, every v2 epoch and between a fit's steps.

API reference, StopSolutionVersionCreation: CREATE_PENDING -> CREATE_STOPPED, CREATE_IN_PROGRESS
-> CREATE_STOPPING -> CREATE_STOPPED.

The stop is sent from the training's own progress log (a handler on the engine's training
logger, in the worker thread, at the checkpoint named): the request is committed while the
training is paused at a known iteration or block, so where it stopped is checked against where
the request was sent without any clock.
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from services.config import Settings
from services.local.engine import get_engine, reset_engines
from services.local.jobs.tasks.training import STOPPED_AT
from services.personalize.clients import Clients, build_clients
from tests.local.conftest import ServedTraining
from tests.local.workspace import create_group, wait_for, write_events

UP = "arn:aws:personalize:::recipe/aws-user-personalization"
# More items with 3+ interactions than User-Personalization's EASE takes (max_dense_items
# 6000): its item model is implicit's ALS, 15 iterations by default.
ITEMS = 6_500
PER_USER = 6  # each item is viewed by exactly 6 users (user u views items u .. u+5)
ALS_ITERATIONS = 15
TEST_USERS = 650  # Personalize's split: 10 % of the 6,500 users
TRAINING_LOG = "services.local.jobs.tasks.training"


def write_ring(path: Path) -> int:
    """User u views items u, u+1, ..., u+5 (mod ITEMS), one a minute: every item has exactly
    PER_USER viewers. Returns the row count."""
    return write_events(
        path,
        (
            (f"u{u}", f"i{(u + k) % ITEMS}", 1_700_000_000 + u * 600 + k * 60, "view")
            for u in range(ITEMS)
            for k in range(PER_USER)
        ),
    )


@dataclass
class StopAt:
    """A logging handler that sends StopSolutionVersionCreation once, when the training of
    ``version`` passes the checkpoint (``phase``, ``done``); ``sent`` is where it did."""

    clients: Clients
    version: str
    phase: str
    done: int
    sent: tuple[str, int, int] | None = None

    def handler(self) -> logging.Handler:
        stop = self

        class Send(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                args = record.args if isinstance(record.args, tuple) else ()
                if stop.sent is not None or len(args) != 4 or args[0] != stop.version:
                    return
                _, phase, done, total = args
                if phase == stop.phase and done == stop.done:
                    stop.clients.personalize.stop_solution_version_creation(
                        solutionVersionArn=stop.version
                    )
                    stop.sent = (phase, done, total)

        return Send(level=logging.DEBUG)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[Clients, Settings, str]]:
    settings = Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    try:
        ws = create_group(clients, settings.data_dir, write=write_ring)
        yield clients, settings, ws["group"]
    finally:
        reset_engines()


def stopped_training(
    clients: Clients, settings: Settings, group: str, phase: str, done: int
) -> tuple[StopAt, dict[str, Any], dict[str, Any]]:
    """Train User-Personalization on ``group`` with a stop sent at (``phase``, ``done``):
    (the stop, the version as DescribeSolutionVersion ends it, its engine document)."""
    p = clients.personalize
    solution = p.create_solution(name="up", datasetGroupArn=group, recipeArn=UP)["solutionArn"]
    version = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    stop = StopAt(clients, version, phase, done)
    log = logging.getLogger(TRAINING_LOG)
    handler, level = stop.handler(), log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        described = wait_for(
            lambda: p.describe_solution_version(solutionVersionArn=version),
            "solutionVersion",
            timeout=300,
        )
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
    with get_engine(settings).reading() as res:
        doc = res.get(version, "solution-version")
    return stop, described, doc


def assert_nothing_published(settings: Settings, doc: dict[str, Any]) -> None:
    """No model file of the version (placed or partial) and no model path on it."""
    assert "_modelPath" not in doc
    name = "-".join(doc["solutionVersionArn"].rsplit("/", 2)[-2:])
    assert not [f.name for f in (settings.data_dir / "models").iterdir() if name in f.name]


def test_a_stop_sent_mid_als_fit_ends_the_version_at_the_next_iteration(
    shop: tuple[Clients, Settings, str],
) -> None:
    clients, settings, group = shop
    stop, described, doc = stopped_training(
        clients, settings, group, "metrics fit: ALS iterations", 3
    )
    assert stop.sent == ("metrics fit: ALS iterations", 3, ALS_ITERATIONS)
    assert described["status"] == "CREATE STOPPED"
    # seen at the very checkpoint it was sent at: 3 of 15 iterations run, not the other 12,
    # the metrics, the final fit and the save that used to come before the next check
    assert doc[STOPPED_AT] == {"phase": "metrics fit: ALS iterations", "done": 3, "total": 15}
    assert_nothing_published(settings, doc)
    with pytest.raises(clients.personalize.exceptions.ResourceInUseException):
        clients.personalize.get_solution_metrics(solutionVersionArn=doc["solutionVersionArn"])


def test_a_stop_sent_while_scoring_test_users_ends_after_one_block(
    shop: tuple[Clients, Settings, str],
) -> None:
    clients, settings, group = shop
    phase = "metrics: scoring test users"
    stop, described, doc = stopped_training(clients, settings, group, phase, 256)
    # blocks of 256 users: 0, 256, 512 of 650 (the ALS fit finished: it is past its phase)
    assert stop.sent == (phase, 256, TEST_USERS)
    assert described["status"] == "CREATE STOPPED"
    assert doc[STOPPED_AT] == {"phase": phase, "done": 256, "total": TEST_USERS}
    assert_nothing_published(settings, doc)


def freeze_outside_a_write(data_dir: Path, pid: int, timeout: float = 30) -> None:
    """SIGSTOP ``pid`` at a moment it holds no write transaction on the engine's SQLite: one
    frozen inside its BEGIN IMMEDIATE (a progress or heartbeat write) would keep the engine's
    own writes, the stop among them, waiting out the busy timeout. A process that dies
    mid-write releases the lock; only a frozen one keeps it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        os.kill(pid, signal.SIGSTOP)
        db = sqlite3.connect(data_dir / "engine.db", timeout=0, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")  # fails at once while the frozen worker holds the lock
            db.execute("ROLLBACK")
            return
        except sqlite3.OperationalError:
            os.kill(pid, signal.SIGCONT)  # let it finish that write, and try again
            time.sleep(0.01)
        finally:
            db.close()
    raise AssertionError("the worker held the engine's write lock at every try")


@pytest.mark.parametrize("restart", [False, True], ids=["liveness check", "engine restart"])
def test_a_worker_killed_while_stopping_leaves_the_version_stopped(
    served_training: ServedTraining, restart: bool
) -> None:
    version, worker = served_training.version, served_training.worker
    # frozen, the worker cannot see the stop; then it dies, as the x10 run's did by pid
    freeze_outside_a_write(served_training.data_dir, worker)
    p = served_training.clients.personalize
    p.stop_solution_version_creation(solutionVersionArn=version)
    doc = p.describe_solution_version(solutionVersionArn=version)["solutionVersion"]
    assert doc["status"] == "CREATE STOPPING"
    os.kill(worker, signal.SIGKILL)
    if restart:
        p = served_training.restart().personalize
    # the next requests' liveness check (or the new engine's start) finds the dead worker
    done = wait_for(
        lambda: p.describe_solution_version(solutionVersionArn=version),
        "solutionVersion",
        timeout=30,
    )
    assert done["status"] == "CREATE STOPPED"
    assert "failureReason" not in done
