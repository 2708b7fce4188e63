"""Restart safety: work interrupted by a crash never stays IN_PROGRESS forever."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select, update

from services.config import Settings
from services.local.data.storage import tables as t
from services.local.engine import LocalEngine, reset_engines
from services.local.jobs.recovery import MAX_ATTEMPTS
from services.personalize.clients import build_clients
from tests.local.conftest import ServedTraining
from tests.local.workspace import (
    create_group,
    create_solution,
    start_training,
    trained,
    wait_for,
)


def test_training_resumes_after_the_engine_is_killed(served_training: ServedTraining) -> None:
    os.kill(served_training.worker, signal.SIGKILL)
    # A new engine on the same data directory finds the orphaned job and resumes it.
    p = served_training.restart(min_training_seconds=0).personalize
    version = served_training.version
    done = wait_for(
        lambda: p.describe_solution_version(solutionVersionArn=version),
        "solutionVersion",
        timeout=60,
    )
    assert done["status"] == "ACTIVE", done.get("failureReason")
    metrics = p.get_solution_metrics(solutionVersionArn=version)
    assert metrics["metrics"]["coverage"] > 0


def recovered_on_last_attempt(settings: Settings, version: str) -> LocalEngine:
    """An engine (no worker) on ``settings`` after recovery found ``version``'s job running
    under a dead worker on its last allowed attempt (asserted: the one job it touched)."""
    engine = LocalEngine(settings, start_worker=False)
    with engine.db.begin() as conn:
        conn.execute(
            update(t.jobs)
            .where(t.jobs.c.arn == version)
            .values(
                state="running", worker="nohost:999999:1.0", heartbeat=0.0, attempts=MAX_ATTEMPTS
            )
        )
    assert engine.jobs.recover() == 1
    return engine


@pytest.fixture
def slow_settings(settings: Settings) -> Iterator[Settings]:
    """``settings`` (a worker thread) with trainings held at least 30 s; the engine is reset
    afterwards."""
    yield replace(settings, min_training_seconds=30.0)
    reset_engines()


def test_a_job_that_crashed_too_often_fails_with_a_reason(slow_settings: Settings) -> None:
    settings = slow_settings
    clients = build_clients(settings)
    try:
        ws = create_group(clients, settings.data_dir)
        version = start_training(clients, ws["group"])
    finally:
        reset_engines()  # stops the worker thread (the job stays "running" in the table)

    # Pretend the job's worker was a process that died, on its last allowed attempt.
    engine = recovered_on_last_attempt(settings, version)
    with engine.tx() as res:
        doc = res.get(version, "solution-version")
    assert doc["status"] == "CREATE FAILED"
    assert "stopped while this job ran" in doc["failureReason"]
    with engine.db.connect() as conn:
        state = conn.execute(select(t.jobs.c.state).where(t.jobs.c.arn == version)).scalar_one()
    assert state == "failed"
    engine.close()


@pytest.mark.parametrize("when", ["pending", "in_progress"])
def test_stop_solution_version_creation(slow_settings: Settings, when: str) -> None:
    settings = slow_settings
    clients = build_clients(settings)
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    solution = create_solution(clients, ws["group"])
    if when == "pending":
        first = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
        version = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
        assert (
            p.describe_solution_version(solutionVersionArn=version)["solutionVersion"]["status"]
            == "CREATE PENDING"
        )
        p.stop_solution_version_creation(solutionVersionArn=version)
        doc = p.describe_solution_version(solutionVersionArn=version)["solutionVersion"]
        assert doc["status"] == "CREATE STOPPED"
        p.stop_solution_version_creation(solutionVersionArn=first)
    else:
        version = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
        wait_for(
            lambda: p.describe_solution_version(solutionVersionArn=version),
            "solutionVersion",
            done=("CREATE IN_PROGRESS",),
        )
        p.stop_solution_version_creation(solutionVersionArn=version)
        # IN_PROGRESS > STOPPING > STOPPED (StopSolutionVersionCreation API reference); the
        # worker may already have passed STOPPING when this read runs on a fast machine.
        assert p.describe_solution_version(solutionVersionArn=version)["solutionVersion"][
            "status"
        ] in ("CREATE STOPPING", "CREATE STOPPED")
        doc = wait_for(
            lambda: p.describe_solution_version(solutionVersionArn=version),
            "solutionVersion",
            timeout=20,
        )
        assert doc["status"] == "CREATE STOPPED"
    with pytest.raises(p.exceptions.ResourceInUseException):
        p.stop_solution_version_creation(solutionVersionArn=version)


def test_recovery_keeps_the_outcome_a_dead_worker_already_wrote(settings: Settings) -> None:
    """A worker that wrote its version ACTIVE and died before settling its job row: recovery
    ends the row, and the version stays ACTIVE (it was failed over its finished model)."""
    clients = build_clients(settings)
    try:
        ws = create_group(clients, settings.data_dir)
        p = clients.personalize
        # not start_training: its wait for CREATE IN_PROGRESS can miss a popularity count
        # that is ACTIVE within one poll
        solution = create_solution(clients, ws["group"])
        version = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
        trained(clients, version)  # asserts ACTIVE
    finally:
        reset_engines()

    engine = recovered_on_last_attempt(settings, version)
    with engine.tx() as res:
        doc = res.get(version, "solution-version")
    assert doc["status"] == "ACTIVE"
    assert "failureReason" not in doc
    engine.close()
