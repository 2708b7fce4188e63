"""A queued job starts when its engine kicks the worker, not at the worker's next poll."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from services.config import Settings
from services.local.engine import get_engine, reset_engines
from services.local.jobs import queue as jobs
from services.personalize.clients import build_clients
from tests.local.workspace import (
    INTERACTIONS_SCHEMA,
    create_group,
    wait_for,
    write_interactions,
)


@pytest.fixture
def no_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """An idle worker would otherwise only look at the queue again in an hour."""
    monkeypatch.setattr(jobs, "POLL_SECONDS", 3600.0)


def _queue_import(settings: Settings, name: str) -> str:
    p = build_clients(settings).personalize
    schema = p.create_schema(name=name, schema=INTERACTIONS_SCHEMA)["schemaArn"]
    group = p.create_dataset_group(name=name)["datasetGroupArn"]
    dataset = p.create_dataset(
        name=name, schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    write_interactions(settings.data_dir / "s3" / "b" / f"{name}.csv")
    return p.create_dataset_import_job(
        jobName=name, datasetArn=dataset, dataSource={"dataLocation": f"s3://b/{name}.csv"}
    )["datasetImportJobArn"]


def test_an_idle_worker_thread_starts_a_new_job_when_kicked(
    tmp_path: Path, no_polling: None
) -> None:
    settings = Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    try:
        create_group(clients, settings.data_dir)  # its import started the worker thread
        worker = get_engine(settings).jobs._thread
        assert worker is not None and worker.is_alive()  # idle now, waiting for a kick
        job = _queue_import(settings, "second")
        done = wait_for(
            lambda: clients.personalize.describe_dataset_import_job(datasetImportJobArn=job),
            "datasetImportJob",
        )
        assert done["status"] == "ACTIVE", done.get("failureReason")
        assert get_engine(settings).jobs._thread is worker  # the same thread, woken
    finally:
        reset_engines()


def test_a_worker_process_wakes_on_each_byte_of_its_pipe_and_stops_at_its_end(
    tmp_path: Path, no_polling: None
) -> None:
    # What `python -m services.local worker --parent PID` does with its stdin, in a thread.
    settings = Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="process")
    engine = get_engine(settings, start_worker=False)  # queues jobs, never runs them
    try:
        read_end, write_end = os.pipe()
        engine.jobs.listen(os.fdopen(read_end, "rb"))
        worker = threading.Thread(target=engine.jobs.work, kwargs={"idle_exit": 3600.0})
        worker.start()
        job = _queue_import(settings, "kicked")
        os.write(write_end, b"\n")
        p = build_clients(settings).personalize
        done = wait_for(
            lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
        )
        assert done["status"] == "ACTIVE", done.get("failureReason")
        os.close(write_end)  # the engine that started the worker is gone
        worker.join(timeout=30)
        assert not worker.is_alive()
    finally:
        reset_engines()
