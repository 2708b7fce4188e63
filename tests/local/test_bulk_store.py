"""Bulk rows in Parquet: invisible until committed, FULL replaces, INCREMENTAL upserts; the
files' registry on SQLite and on PostgreSQL (the ``db`` fixture)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa

from services.config import Settings
from services.db import make_engine
from services.local.data.storage import tables as t
from services.local.data.storage.bulk import BulkStore
from services.local.data.storage.histories import BulkHistories
from services.local.engine import get_engine, reset_engines
from services.personalize.clients import build_clients
from tests.local.test_errors import snapshot
from tests.local.workspace import create_group, wait_for

ROOT = Path(__file__).resolve().parents[2]

GROUP = "arn:aws:personalize:us-east-1:000000000000:dataset-group/g"


@pytest.fixture
def db(db_url: Callable[[str], str]) -> sa.Engine:
    """The engine's store, on SQLite and on PostgreSQL."""
    db = make_engine(db_url("engine"))
    t.metadata.create_all(db)
    return db


def _events(rows: list[tuple[str, str, int]]) -> pa.Table:
    users, items, ts = zip(*rows, strict=True)
    return pa.table(
        {
            "USER_ID": list(users),
            "ITEM_ID": list(items),
            "TIMESTAMP": pa.array(ts, pa.int64()),
            "EVENT_TYPE": ["View"] * len(rows),
            "EVENT_VALUE": pa.nulls(len(rows), pa.float64()),
        }
    )


def test_a_staged_file_is_invisible_until_committed_and_discard_removes_it(
    tmp_path: Path,
    db: sa.Engine,
) -> None:
    store = BulkStore(tmp_path)
    staged = store.stage(GROUP, "Interactions", _events([("u1", "i1", 5)]))
    assert staged.path.exists()
    assert store.read(db, GROUP, "Interactions") is None
    store.discard(staged)
    assert not staged.path.exists()


def test_full_replaces_and_incremental_appends(tmp_path: Path, db: sa.Engine) -> None:
    store = BulkStore(tmp_path)
    first = store.stage(GROUP, "Interactions", _events([("u1", "i1", 5), ("u2", "i2", 6)]))
    with db.begin() as conn:
        assert store.commit(conn, first, full=True) == []
    second = store.stage(GROUP, "Interactions", _events([("u3", "i3", 7)]))
    with db.begin() as conn:
        replaced = store.commit(conn, second, full=True)
    assert replaced == [first.path]
    store.remove(replaced)
    assert store.read(db, GROUP, "Interactions").column("USER_ID").to_pylist() == ["u3"]
    third = store.stage(GROUP, "Interactions", _events([("u1", "i9", 9)]))
    with db.begin() as conn:
        assert store.commit(conn, third, full=False) == []
        assert store.count(conn, GROUP, "Interactions") == 2
    frame = store.read(db, GROUP, "Interactions").to_pandas()
    assert frame["ITEM_ID"].tolist() == ["i3", "i9"]
    assert frame["ITEM_ID"].dtype != "category"  # dictionary columns come back as strings


def test_items_imported_twice_keep_the_last_row_per_id(tmp_path: Path, db: sa.Engine) -> None:
    store = BulkStore(tmp_path)
    for price, ids in ((1.0, ["a", "b"]), (2.0, ["b", "c"])):
        staged = store.stage(
            GROUP, "Items", pa.table({"ITEM_ID": ids, "PRICE": [price] * len(ids)})
        )
        with db.begin() as conn:
            store.commit(conn, staged, full=False)
    frame = store.read(db, GROUP, "Items").to_pandas()
    assert dict(zip(frame["ITEM_ID"], frame["PRICE"], strict=True)) == {
        "a": 1.0,
        "b": 2.0,
        "c": 2.0,
    }


def test_a_users_history_is_their_latest_rows_across_files_oldest_first(
    tmp_path: Path, db: sa.Engine
) -> None:
    store = BulkStore(tmp_path)
    rows = [("u2", "x", 1), ("u1", "a", 30), ("u1", "b", 10), ("u2", "y", 2), ("u1", "c", 20)]
    for full, chunk in ((True, rows), (False, [("u1", "d", 25)])):
        staged = store.stage(GROUP, "Interactions", _events(chunk))
        with db.begin() as conn:
            store.commit(conn, staged, full=full)
    histories = BulkHistories(
        make_engine(db.url.render_as_string(hide_password=False), read_only=True), store
    )
    got = histories.latest(GROUP, "u1", 3)
    assert [item for item, _, _ in got] == ["c", "d", "a"]
    assert [ts for _, _, ts in got] == [20, 25, 30]
    assert histories.latest(GROUP, "nobody", 3) == []
    assert histories.latest_timestamp(GROUP) == 30


def test_deleting_a_dataset_deletes_its_bulk_files(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    try:
        ws = create_group(clients, settings.data_dir)
        assert list((settings.data_dir / "bulk").rglob("*.arrow"))
        clients.personalize.delete_dataset(datasetArn=ws["dataset"])
        assert not list((settings.data_dir / "bulk").rglob("*.arrow"))
    finally:
        reset_engines()


def test_one_bad_row_in_the_middle_of_a_big_file_imports_nothing_and_is_named(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    p = clients.personalize
    try:
        ws = create_group(clients, settings.data_dir)
        before = snapshot(get_engine(settings), ignore_import_jobs=True)
        n, bad = 200_000, 100_000  # the bad row is data row 100,001 (file line 100,002)
        rows = [f"u{i % 5000},i{i % 700},{1_700_000_000 + i},view" for i in range(n)]
        rows[bad] = f"u1,i1,{1_700_000_000 + bad}.5,view"
        path = settings.data_dir / "s3" / "bucket" / "big-bad.csv"
        path.write_text("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n" + "\n".join(rows) + "\n")
        job = p.create_dataset_import_job(
            jobName="big-bad",
            datasetArn=ws["dataset"],
            dataSource={"dataLocation": "s3://bucket/big-bad.csv"},
        )["datasetImportJobArn"]
        done = wait_for(
            lambda: p.describe_dataset_import_job(datasetImportJobArn=job),
            "datasetImportJob",
            timeout=120,
        )
        assert done["status"] == "CREATE FAILED"
        assert "data row 100001 (line 100002), column TIMESTAMP" in done["failureReason"]
        assert snapshot(get_engine(settings), ignore_import_jobs=True) == before
        assert len(list((settings.data_dir / "bulk").rglob("*.arrow"))) == 1  # the first import
    finally:
        reset_engines()


def test_sweep_keeps_registered_files_and_those_of_running_jobs(
    tmp_path: Path, db: sa.Engine
) -> None:
    store = BulkStore(tmp_path)
    with db.begin() as conn:
        for state in ("running", "done", "failed"):
            conn.execute(
                sa.insert(t.jobs).values(
                    kind="import", arn=state, state=state, attempts=1, cancel=0, created=0.0
                )
            )
        jobs = dict(conn.execute(sa.select(t.jobs.c.state, t.jobs.c.id)).all())
    rows = _events([("u1", "i1", 5)])
    registered = store.stage(GROUP, "Interactions", rows, job=jobs["done"])
    with db.begin() as conn:
        store.commit(conn, registered, full=True)
    writing = store.stage(GROUP, "Interactions", rows, job=jobs["running"])
    half_written = writing.path.with_name(f"job{jobs['running']}-x.part")
    half_written.write_bytes(b"PAR1")
    orphans = [
        store.stage(GROUP, "Interactions", rows, job=jobs["failed"]).path,
        store.stage(GROUP, "Items", pa.table({"ITEM_ID": ["a"]}), job=jobs["done"]).path,
        store.stage(GROUP, "Users", pa.table({"USER_ID": ["a"]})).path,  # no job at all
    ]
    crashed_write = orphans[0].with_suffix(".part")
    crashed_write.write_bytes(b"PAR1")

    removed = store.sweep(db)

    assert sorted(removed) == sorted([*orphans, crashed_write])
    left = sorted(store.root.rglob("*.*"))
    assert left == sorted([registered.path, writing.path, half_written])
    assert store.read(db, GROUP, "Interactions").num_rows == 1


def test_a_file_orphaned_by_a_crashed_import_is_deleted_when_an_engine_starts(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread")
    p = build_clients(settings).personalize
    try:
        ws = create_group(build_clients(settings), settings.data_dir)
        kept = sorted((settings.data_dir / "bulk").rglob("*.arrow"))
        assert len(kept) == 1
        reset_engines()
        # Queued by an engine that runs no jobs, then run by a worker that dies between
        # writing the file and registering it.
        quiet = get_engine(settings, start_worker=False)
        p = build_clients(settings).personalize
        job = p.create_dataset_import_job(
            jobName="crashes",
            datasetArn=ws["dataset"],
            dataSource={"dataLocation": "s3://bucket/shop/interactions.csv"},
            importMode="INCREMENTAL",
        )["datasetImportJobArn"]
        crash = subprocess.run(
            [sys.executable, "-m", "tests.local.crash_after_staging", str(settings.data_dir)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert crash.returncode == -signal.SIGKILL, crash.stderr
        orphan = Path(crash.stdout.strip())
        assert orphan.exists() and orphan not in kept
        with quiet.read_db.connect() as conn:
            assert quiet.bulk.files(conn, ws["group"], "Interactions") == kept
        reset_engines()

        # A new engine requeues the job of the dead worker, deletes the orphan, then runs
        # the job again from the start.
        p = build_clients(settings).personalize
        assert not orphan.exists()
        done = wait_for(
            lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
        )
        assert done["status"] == "ACTIVE", done.get("failureReason")
        engine = get_engine(settings)
        with engine.read_db.connect() as conn:
            registered = engine.bulk.files(conn, ws["group"], "Interactions")
        assert len(registered) == 2 and registered[0] == kept[0]
        assert sorted((settings.data_dir / "bulk").rglob("*.*")) == sorted(registered)
    finally:
        reset_engines()
