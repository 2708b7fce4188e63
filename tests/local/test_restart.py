"""Restart safety: work interrupted by a crash never stays IN_PROGRESS forever."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from services.config import Settings
from services.local.data import tables as t
from services.local.engine import LocalEngine, reset_engines
from services.local.jobs.recovery import MAX_ATTEMPTS
from services.personalize.clients import build_clients
from tests.local.server import EngineServer
from tests.local.workspace import create_group, start_training, trained, wait_for, worker_pid


def test_training_resumes_after_the_engine_is_killed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    slow = {
        "PERSONALIZE_LOCAL_LIFECYCLE_SECONDS": "0",
        "PERSONALIZE_LOCAL_WORKER": "process",
        "PERSONALIZE_LOCAL_MIN_TRAINING_SECONDS": "60",
    }
    server = EngineServer(data_dir, **slow).start()
    try:
        clients = build_clients(Settings(endpoint_url=server.url, data_dir=data_dir))
        ws = create_group(clients, data_dir)
        version = start_training(clients, ws["group"])
        worker = worker_pid(data_dir, version)
        os.kill(worker, signal.SIGKILL)
        server.kill()
    finally:
        server.stop()

    # A new engine on the same data directory finds the orphaned job and resumes it.
    restarted = EngineServer(
        data_dir, PERSONALIZE_LOCAL_LIFECYCLE_SECONDS="0", PERSONALIZE_LOCAL_WORKER="process"
    ).start()
    try:
        clients = build_clients(Settings(endpoint_url=restarted.url, data_dir=data_dir))
        done = wait_for(
            lambda: clients.personalize.describe_solution_version(solutionVersionArn=version),
            "solutionVersion",
            timeout=60,
        )
        assert done["status"] == "ACTIVE", done.get("failureReason")
        metrics = clients.personalize.get_solution_metrics(solutionVersionArn=version)
        assert metrics["metrics"]["coverage"] > 0
    finally:
        restarted.stop()


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


def test_a_job_that_crashed_too_often_fails_with_a_reason(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        lifecycle_seconds=0.0,
        worker_mode="thread",
        min_training_seconds=30.0,
    )
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
def test_stop_solution_version_creation(tmp_path: Path, when: str) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        lifecycle_seconds=0.0,
        worker_mode="thread",
        min_training_seconds=30.0,
    )
    clients = build_clients(settings)
    try:
        p = clients.personalize
        ws = create_group(clients, settings.data_dir)
        solution = p.create_solution(
            name="pop",
            datasetGroupArn=ws["group"],
            recipeArn="arn:aws:personalize:::recipe/aws-popularity-count",
        )["solutionArn"]
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
    finally:
        reset_engines()


def test_recovery_keeps_the_outcome_a_dead_worker_already_wrote(tmp_path: Path) -> None:
    """A worker that wrote its version ACTIVE and died before settling its job row: recovery
    ends the row, and the version stays ACTIVE (it was failed over its finished model)."""
    settings = Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    try:
        ws = create_group(clients, settings.data_dir)
        p = clients.personalize
        # not start_training: its wait for CREATE IN_PROGRESS can miss a popularity count
        # that is ACTIVE within one poll
        solution = p.create_solution(
            name="pop",
            datasetGroupArn=ws["group"],
            recipeArn="arn:aws:personalize:::recipe/aws-popularity-count",
        )["solutionArn"]
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
