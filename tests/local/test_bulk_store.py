"""Bulk rows in Parquet: invisible until committed, FULL replaces, INCREMENTAL upserts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from services.clients import build_clients
from services.config import Settings
from services.db import make_engine
from services.local import tables as t
from services.local.engine import get_engine, reset_engines
from services.local.storage.bulk import BulkStore
from services.local.storage.histories import BulkHistories
from tests.local.test_errors import snapshot
from tests.local.workspace import create_group, wait_for

GROUP = "arn:aws:personalize:us-east-1:000000000000:dataset-group/g"


def _db(tmp_path: Path) -> sa.Engine:
    db = make_engine(f"sqlite:///{tmp_path / 'engine.db'}")
    t.metadata.create_all(db)
    return db


def _events(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    users, items, ts = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "USER_ID": list(users),
            "ITEM_ID": list(items),
            "TIMESTAMP": list(ts),
            "EVENT_TYPE": "View",
            "EVENT_VALUE": np.nan,
        }
    )


def test_a_staged_file_is_invisible_until_committed_and_discard_removes_it(
    tmp_path: Path,
) -> None:
    db, store = _db(tmp_path), BulkStore(tmp_path)
    staged = store.stage(GROUP, "Interactions", _events([("u1", "i1", 5)]))
    assert staged.path.exists()
    assert store.read(db, GROUP, "Interactions") is None
    store.discard(staged)
    assert not staged.path.exists()


def test_full_replaces_and_incremental_appends(tmp_path: Path) -> None:
    db, store = _db(tmp_path), BulkStore(tmp_path)
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


def test_items_imported_twice_keep_the_last_row_per_id(tmp_path: Path) -> None:
    db, store = _db(tmp_path), BulkStore(tmp_path)
    for price, ids in ((1.0, ["a", "b"]), (2.0, ["b", "c"])):
        staged = store.stage(
            GROUP, "Items", pd.DataFrame({"ITEM_ID": ids, "PRICE": [price] * len(ids)})
        )
        with db.begin() as conn:
            store.commit(conn, staged, full=False)
    frame = store.read(db, GROUP, "Items").to_pandas()
    assert dict(zip(frame["ITEM_ID"], frame["PRICE"], strict=True)) == {
        "a": 1.0,
        "b": 2.0,
        "c": 2.0,
    }


def test_a_users_history_is_their_latest_rows_across_files_oldest_first(tmp_path: Path) -> None:
    db, store = _db(tmp_path), BulkStore(tmp_path)
    rows = [("u2", "x", 1), ("u1", "a", 30), ("u1", "b", 10), ("u2", "y", 2), ("u1", "c", 20)]
    for full, chunk in ((True, rows), (False, [("u1", "d", 25)])):
        staged = store.stage(GROUP, "Interactions", _events(chunk))
        with db.begin() as conn:
            store.commit(conn, staged, full=full)
    histories = BulkHistories(
        make_engine(f"sqlite:///{tmp_path / 'engine.db'}", read_only=True), store
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
        assert list((settings.data_dir / "bulk").rglob("*.parquet"))
        clients.personalize.delete_dataset(datasetArn=ws["dataset"])
        assert not list((settings.data_dir / "bulk").rglob("*.parquet"))
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
        assert len(list((settings.data_dir / "bulk").rglob("*.parquet"))) == 1  # the first import
    finally:
        reset_engines()
