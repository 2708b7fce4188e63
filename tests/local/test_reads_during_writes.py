"""Describe/List answer while imports and training write, from any process (issue #8 item 4).

Reads run in plain read transactions and never write; an import writes its rows to a Parquet
file outside any transaction and registers it in one short one. So a writer holding SQLite's
lock never makes a read wait, and a second process polling every 100 ms sees no failure. The
first two tests run on SQLite and on PostgreSQL (whose writers hold an advisory lock instead).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from services import db as db_module
from services.config import Settings
from services.db import PG_WRITER_LOCK
from services.local.engine import get_engine, reset_engines
from services.local.jobs.context import Cancelled, JobContext
from services.personalize.clients import build_clients
from tests.local.server import ROOT
from tests.local.workspace import INTERACTIONS_SCHEMA, create_group, wait_for


def _write_interactions(path: Path, n: int) -> None:
    rng = np.random.default_rng(3)
    users = rng.integers(0, n // 20, size=n)
    items = np.minimum(rng.zipf(1.3, size=n), n // 50)
    frame = pd.DataFrame(
        {
            "USER_ID": np.char.add("u", users.astype(str)),
            "ITEM_ID": np.char.add("i", items.astype(str)),
            "TIMESTAMP": 1_700_000_000 + np.arange(n),
            "EVENT_TYPE": "View",
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)


LOCK_WAIT_SECONDS = 20  # for a write in progress to end; the engine's writes are short


@contextmanager
def another_writer(url: str) -> Iterator[None]:
    """Another process's long write (as an import's was) holds the store's write lock for the
    duration: SQLite's, or the writers' advisory lock on PostgreSQL (services/db.py). Taking
    it waits (at most ``LOCK_WAIT_SECONDS``) for a write in progress, the engine's worker's
    (a heartbeat, a job's outcome), to end; the block runs once the lock is held."""
    if url.startswith("sqlite"):
        writer = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=LOCK_WAIT_SECONDS)
        writer.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        writer = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        writer.execute(f"SET lock_timeout = '{LOCK_WAIT_SECONDS}s'")
        writer.execute("SELECT pg_advisory_xact_lock(%s)", (PG_WRITER_LOCK,))
    try:
        yield
    finally:
        writer.rollback()
        writer.close()


def _settings(tmp_path: Path, db_url: Callable[[str], str], lifecycle: float) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        lifecycle_seconds=lifecycle,
        worker_mode="thread",
        engine_db_url=db_url("engine"),
    )


def test_reads_do_not_wait_for_a_writer_holding_the_lock(
    tmp_path: Path, db_url: Callable[[str], str]
) -> None:
    settings = _settings(tmp_path, db_url, 0.0)
    clients = build_clients(settings)
    p = clients.personalize
    try:
        ws = create_group(clients, settings.data_dir)
        # A write of the engine in progress when the lock is taken, as the worker's may be at
        # any time: the lock is taken once it ends (it failed "database is locked" at once).
        writing = threading.Event()

        def engine_write() -> None:
            with get_engine(settings).tx():
                writing.set()
                time.sleep(0.5)

        threading.Thread(target=engine_write, daemon=True).start()
        assert writing.wait(10)
        with another_writer(settings.engine_db_url):
            started = time.monotonic()
            group = p.describe_dataset_group(datasetGroupArn=ws["group"])["datasetGroup"]
            jobs = p.list_dataset_import_jobs()["datasetImportJobs"]
            job = p.describe_dataset_import_job(datasetImportJobArn=jobs[0]["datasetImportJobArn"])
            datasets = p.list_datasets(datasetGroupArn=ws["group"])["datasets"]
            waited = time.monotonic() - started
        assert waited < 10  # no read waited for the lock (30 s)
        assert group["status"] == "ACTIVE"
        assert job["datasetImportJob"]["status"] == "ACTIVE"
        assert [d["datasetType"] for d in datasets] == ["Interactions"]
    finally:
        reset_engines()


def test_a_status_that_falls_due_is_read_without_a_write(
    tmp_path: Path, db_url: Callable[[str], str]
) -> None:
    settings = _settings(tmp_path, db_url, 0.5)
    p = build_clients(settings).personalize
    try:
        arn = p.create_dataset_group(name="late")["datasetGroupArn"]
        time.sleep(0.6)
        with another_writer(settings.engine_db_url):
            first = p.describe_dataset_group(datasetGroupArn=arn)["datasetGroup"]
            second = p.describe_dataset_group(datasetGroupArn=arn)["datasetGroup"]
        assert first["status"] == second["status"] == "ACTIVE"
        assert first["lastUpdatedDateTime"] == second["lastUpdatedDateTime"]
    finally:
        reset_engines()


def test_a_running_job_reads_a_stop_while_another_process_holds_the_write_lock(
    tmp_path: Path, db_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """JobContext.check_cancelled, which training calls every ALS iteration and every 50 v2
    steps, reads its job's row in a read transaction: it answers, a stop included, while
    another process holds the writers' lock. The engine's writers give up after 0.2 s here
    (30 s otherwise), so a check that took the lock fails instead of answering."""
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    settings = _settings(tmp_path, db_url, 0.0)
    try:
        engine = get_engine(settings, start_worker=False)  # claims by hand: no worker
        running, stopped = (engine.arns.make("batch-inference-job", n) for n in ("run", "stop"))
        with engine.tx() as res:
            engine.jobs.enqueue(res.conn, "probe", running)
            engine.jobs.enqueue(res.conn, "probe", stopped)
            engine.jobs.cancel(res.conn, stopped, finished=False)  # asked to stop, still queued
        contexts = {}
        for _ in range(2):
            claimed = engine.jobs.claim()
            assert claimed is not None
            contexts[claimed[2]] = JobContext(engine.jobs, claimed[0], claimed[2])
        with another_writer(settings.engine_db_url):
            contexts[running].check_cancelled()  # returns: neither stopped nor handed over
            with pytest.raises(Cancelled):
                contexts[stopped].check_cancelled()
    finally:
        reset_engines()


@pytest.mark.slow
def test_a_second_process_polls_without_failure_during_import_and_training(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(
        data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="process", min_training_seconds=3.0
    )
    p = build_clients(settings).personalize
    try:
        schema = p.create_schema(name="poll", schema=INTERACTIONS_SCHEMA)["schemaArn"]
        group = p.create_dataset_group(name="poll")["datasetGroupArn"]
        dataset = p.create_dataset(
            name="poll", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
        )["datasetArn"]
        _write_interactions(data_dir / "s3" / "b" / "big.csv", 400_000)
        poller = subprocess.Popen(
            [sys.executable, "-m", "tests.local.poller", str(data_dir), group],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert poller.stdout is not None and poller.stdout.readline().strip() == "ready"
            job = p.create_dataset_import_job(
                jobName="big", datasetArn=dataset, dataSource={"dataLocation": "s3://b/big.csv"}
            )["datasetImportJobArn"]
            done = wait_for(
                lambda: p.describe_dataset_import_job(datasetImportJobArn=job),
                "datasetImportJob",
                timeout=300,
            )
            assert done["status"] == "ACTIVE", done.get("failureReason")
            solution = p.create_solution(
                name="poll",
                datasetGroupArn=group,
                recipeArn="arn:aws:personalize:::recipe/aws-popularity-count",
            )["solutionArn"]
            version = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
            done = wait_for(
                lambda: p.describe_solution_version(solutionVersionArn=version),
                "solutionVersion",
                timeout=300,
            )
            assert done["status"] == "ACTIVE", done.get("failureReason")
        finally:
            poller.terminate()
            out, _ = poller.communicate(timeout=60)
        result = json.loads(out.strip().splitlines()[-1])
        assert result["failures"] == 0, result["errors"]
        # It answered while each write was under way, not only before and after.
        assert "dataset-import-job CREATE IN_PROGRESS" in result["seen"]
        assert "solution CREATE IN_PROGRESS" in result["seen"]
        assert len(result["seconds"]) >= 20
    finally:
        reset_engines()
