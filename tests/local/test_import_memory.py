"""An import job allocates from mimalloc and without numpy's huge pages while it runs
(``jobs/tasks/import_memory.py``) and leaves the process as it found it, whether the import
succeeds or fails, and whichever of several imports running at once ends first."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pyarrow as pa
import pytest

from services.config import Settings
from services.local.engine import reset_engines
from services.local.jobs.tasks import import_memory, imports
from services.local.jobs.tasks.import_memory import ImportMemory, numpy_hugepages
from services.personalize.clients import Clients, build_clients
from tests.local.workspace import create_group, wait_for


def _settings() -> tuple[str, bool | None]:
    """The process's pyarrow pool and numpy's huge-page setting (read by setting it back)."""
    hugepages = numpy_hugepages(False)
    if hugepages is not None:
        numpy_hugepages(hugepages)
    return pa.default_memory_pool().backend_name, hugepages


def _given_back() -> tuple[str, bool | None]:
    """The settings once the import's worker thread has left the job: it marks the job ACTIVE
    (or FAILED) inside the switch, so the switch back may follow the status by a moment."""
    deadline = time.monotonic() + 10
    while _settings() in (("mimalloc", False), ("mimalloc", None), ("system", False)):
        if time.monotonic() > deadline:
            break
        time.sleep(0.01)
    return _settings()


@pytest.fixture
def process_settings() -> Iterator[None]:
    """The process on the system allocator with numpy's huge pages on, as a worker process
    runs (``spawn_worker``; numpy's default on Linux)."""
    pool = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    hugepages = numpy_hugepages(True)
    yield
    pa.set_memory_pool(pool)
    if hugepages is not None:
        numpy_hugepages(hugepages)


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool | None]]:
    """The settings when each import starts reading its file (the real read follows)."""
    out: list[tuple[str, bool | None]] = []
    read = imports.read_dataset_csv

    def recording(*args: object, **kwargs: object) -> object:
        out.append(_settings())
        return read(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(imports, "read_dataset_csv", recording)
    return out


def test_an_import_runs_on_mimalloc_without_hugepages_and_gives_them_back(
    clients: Clients, settings: Settings, process_settings: None, seen: list[tuple[str, bool]]
) -> None:
    off = ("mimalloc", False if numpy_hugepages(True) is not None else None)
    made = create_group(clients, settings.data_dir)
    assert seen == [off]
    assert _given_back() in (("system", True), ("system", None))

    # a file the import refuses: FAILED, and the settings are given back all the same
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
    assert seen == [off, off]
    assert _given_back() in (("system", True), ("system", None))


def test_without_mimalloc_the_import_keeps_the_pool(
    clients: Clients,
    settings: Settings,
    process_settings: None,
    seen: list[tuple[str, bool | None]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pyarrow built without mimalloc: the import runs on the pool the process has."""

    def unavailable() -> pa.MemoryPool:
        raise pa.ArrowNotImplementedError("built without mimalloc")

    monkeypatch.setattr(import_memory.pa, "mimalloc_memory_pool", unavailable)
    create_group(clients, settings.data_dir)
    assert [pool for pool, _ in seen] == ["system"]
    assert _given_back()[0] == "system"


def test_imports_at_once_keep_the_settings_until_the_last_one_ends(
    process_settings: None,
) -> None:
    """Two imports in two threads, the first to start ending first: the second still runs on
    the import's settings, and only its end gives the process back its own."""
    memory = ImportMemory()
    before = _settings()
    during = ("mimalloc", None if before[1] is None else False)
    in_b, a_ended, observed = threading.Event(), threading.Event(), {}

    def second() -> None:
        with memory():
            in_b.set()
            assert a_ended.wait(10)
            observed["after the first ended"] = _settings()
        observed["after both"] = _settings()

    with memory():
        observed["first"] = _settings()
        thread = threading.Thread(target=second)
        thread.start()
        assert in_b.wait(10)
    a_ended.set()
    thread.join(10)
    assert observed == {
        "first": during,
        "after the first ended": during,
        "after both": before,
    }
    assert _settings() == before


def _huge_page_advised(pid: int) -> list[int]:
    """Sizes in KiB of the mappings of process ``pid`` advised for transparent huge pages
    (``hg`` among their VmFlags in /proc/PID/smaps)."""
    sizes, size = [], 0
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        if line.startswith("Size:"):
            size = int(line.split()[1])
        elif line.startswith("VmFlags:") and "hg" in line.split()[1:]:
            sizes.append(size)
    return sizes


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="Linux /proc only")
def test_a_worker_process_imports_on_mimalloc_without_transparent_huge_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mimalloc would advise its whole 1 GiB arena for transparent huge pages, so each page an
    import touches would be a 2 MiB page zeroed first (``spawn_worker``). After a real import
    in a real worker process, no mapping of the worker of 1 GiB or more (the arena) is so
    advised; numpy's arrays of a few MiB outside imports may be, and are not counted."""
    monkeypatch.delenv("MIMALLOC_ALLOW_THP", raising=False)
    settings = Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="process")
    try:
        create_group(build_clients(settings), settings.data_dir)  # imported by the worker
        with sqlite3.connect(settings.data_dir / "engine.db") as db:
            (worker,) = {w for (w,) in db.execute("SELECT worker FROM jobs") if w}
        pid = int(worker.split(":")[1])  # the worker that ran the imports, still waiting
        assert pid in {child.pid for child in psutil.Process().children()}
        advised = _huge_page_advised(pid)
    finally:
        reset_engines()
    assert [size for size in advised if size >= 2**20] == []
