"""An import job allocates from mimalloc while it runs (``imports._import_memory_pool``) and
leaves the process's pyarrow pool as it found it, whether the import succeeds or fails."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest

from services.config import Settings
from services.local.jobs.tasks import imports
from services.personalize.clients import Clients
from tests.local.workspace import create_group, wait_for


@pytest.fixture
def system_pool() -> Iterator[None]:
    """The process on the system allocator, as a worker process runs (``spawn_worker``)."""
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    yield
    pa.set_memory_pool(before)


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pool's backend when each import starts reading its file (the real read follows)."""
    out: list[str] = []
    read = imports.read_dataset_csv

    def recording(*args: object, **kwargs: object) -> object:
        out.append(pa.default_memory_pool().backend_name)
        return read(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(imports, "read_dataset_csv", recording)
    return out


def test_an_import_runs_on_mimalloc_and_gives_the_pool_back(
    clients: Clients, settings: Settings, system_pool: None, seen: list[str]
) -> None:
    made = create_group(clients, settings.data_dir)
    assert seen == ["mimalloc"]
    assert pa.default_memory_pool().backend_name == "system"

    # a file the import refuses: FAILED, and the pool is given back all the same
    bad = settings.data_dir / "s3" / "bucket" / "bad.csv"
    bad.write_text("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,yesterday,View\n")
    p = clients.personalize
    job = p.create_dataset_import_job(
        jobName="bad",
        datasetArn=made["dataset"],
        dataSource={"dataLocation": "s3://bucket/bad.csv"},
    )["datasetImportJobArn"]
    done = wait_for(
        lambda: p.describe_dataset_import_job(datasetImportJobArn=job),
        "datasetImportJob",
    )
    assert done["status"] == "CREATE FAILED" and "yesterday" in done["failureReason"]
    assert seen == ["mimalloc", "mimalloc"]
    assert pa.default_memory_pool().backend_name == "system"


def test_without_mimalloc_the_import_keeps_the_pool(
    clients: Clients,
    settings: Settings,
    system_pool: None,
    seen: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pyarrow built without mimalloc: the import runs on the pool the process has."""

    def unavailable() -> pa.MemoryPool:
        raise pa.ArrowNotImplementedError("built without mimalloc")

    monkeypatch.setattr(imports.pa, "mimalloc_memory_pool", unavailable)
    create_group(clients, settings.data_dir)
    assert seen == ["system"] and pa.default_memory_pool().backend_name == "system"
