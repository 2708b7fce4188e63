"""A large Interactions import is written as several bulk files at once
(``BulkStore.stage_parts``): each holds whole users, oldest first, together the rows one file
would hold; a file that cannot be written leaves none behind; through the engine, a FULL import
in parts replaces every part, and a user's history is the same as from one file."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from services.config import Settings
from services.local.data.imports.importer import read_dataset_csv
from services.local.data.schemas import parse_schema
from services.local.data.storage import bulk
from services.local.data.storage.bulk import BulkStore
from services.local.data.storage.faults import StorageFault
from services.local.engine import get_engine, reset_engines
from services.personalize.clients import build_clients
from tests.local import test_full_disk
from tests.local.workspace import create_group, import_file, interactions_schema

GROUP = "arn:aws:personalize:us-east-1:000000000000:dataset-group/g"
small_disk = test_full_disk.small_disk  # a 32 MiB tmpfs (the fixture), filled by the test


def _events(n: int, users: int = 97, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "USER_ID": [f"u{u}" for u in rng.integers(0, users, n)],
            "ITEM_ID": [f"item-{rng.integers(0, 10**9)}" for _ in range(n)],
            "TIMESTAMP": pa.array(rng.integers(1_700_000_000, 1_700_100_000, n), pa.int64()),
            "EVENT_TYPE": ["View"] * n,
            "EVENT_VALUE": pa.nulls(n, pa.float64()),
        }
    )


def _read(path: Path) -> pa.Table:
    """A staged file as the store reads it (Arrow IPC or Parquet)."""
    return BulkStore(path.parent).read_file(path, GROUP, "Interactions")


def _rows(paths: list[Path]) -> list[dict]:
    out: list[dict] = []
    for path in paths:
        table = _read(path)
        out += table.cast(table.schema).to_pylist()
    return out


def test_parts_hold_whole_users_and_the_rows_of_one_file(tmp_path: Path) -> None:
    table = _events(5000)
    store = BulkStore(tmp_path)
    one = store.stage(GROUP, "Interactions", table)
    parts = store.stage_parts(GROUP, "Interactions", table, parts=3)
    assert len(parts) == 3 and sum(p.rows for p in parts) == 5000
    users = [set(_read(p.path).column("USER_ID").to_pylist()) for p in parts]
    assert not (users[0] & users[1]) and not (users[1] & users[2]) and not (users[0] & users[2])
    assert _rows([p.path for p in parts]) == _rows([one.path])
    for p in parts:  # each file on its own: a user's rows together, oldest first
        rows = _read(p.path).to_pylist()
        seen: list[str] = []
        for prev, row in zip(rows, rows[1:], strict=False):
            if row["USER_ID"] == prev["USER_ID"]:
                assert row["TIMESTAMP"] >= prev["TIMESTAMP"]
            else:
                assert row["USER_ID"] not in seen
                seen.append(prev["USER_ID"])


def test_other_tables_and_small_imports_are_one_file(tmp_path: Path) -> None:
    store = BulkStore(tmp_path)
    items = pa.table({"ITEM_ID": ["a", "b"], "PRICE": [1.0, 2.0]})
    assert len(store.stage_parts(GROUP, "Items", items, parts=4)) == 1
    assert len(store.stage_parts(GROUP, "Interactions", _events(100))) == 1  # < PART_ROWS


def test_a_part_that_cannot_be_written_leaves_no_file(small_disk: Path) -> None:
    """On a full disk (a real tmpfs, the kernel's ENOSPC): StorageFault, and no part stays."""
    test_full_disk._fill(small_disk, leave=256 * 1024)
    store = BulkStore(small_disk)
    with pytest.raises(StorageFault):
        store.stage_parts(GROUP, "Interactions", _events(200_000, users=5000), parts=4)
    assert not [p for p in (small_disk / "bulk").rglob("*") if p.is_file()]


def test_an_import_in_parts_through_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "PART_ROWS", 1000)
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    table = _events(6000, users=300)
    frame = table.to_pandas().drop(columns=["EVENT_VALUE"])

    def write(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False)

    ws = create_group(clients, data_dir, write=write)
    engine = get_engine(settings)
    with engine.read_db.connect() as conn:
        first = engine.bulk.files(conn, ws["group"], "Interactions")
    assert len(first) == min(os.cpu_count() or 1, 6) and len(first) >= 1  # one per core
    history = engine.histories.latest(ws["group"], "u7", 500)
    mine = frame[frame["USER_ID"] == "u7"].sort_values("TIMESTAMP", kind="stable")
    assert [h[0] for h in history] == mine["ITEM_ID"].tolist()
    import_file(clients, ws["dataset"], "again", "s3://bucket/shop/interactions.csv")
    with engine.read_db.connect() as conn:
        again = engine.bulk.files(conn, ws["group"], "Interactions")
    assert len(again) == len(first) and not set(again) & set(first)  # FULL replaced them all
    assert not [p for p in first if p.exists()]
    reset_engines()


@pytest.mark.parametrize("parts", [1, 3])
def test_an_imported_table_is_stored_as_its_grouped_rows(tmp_path: Path, parts: int) -> None:
    """``grouped=True`` (the import job's single file, whose rows ``read_dataset_csv`` delivers
    in the stored order) writes the same files' rows as the store's own grouping of them."""
    events = _events(5000)
    csv = tmp_path / "interactions.csv"
    events.drop_columns(["EVENT_VALUE"]).to_pandas().to_csv(csv, index=False)
    table = read_dataset_csv(csv, parse_schema(interactions_schema()), "Interactions").table
    store = BulkStore(tmp_path)
    checked = store.stage_parts(GROUP, "Interactions", table, parts=parts)
    vouched = store.stage_parts(GROUP, "Interactions", table, parts=parts, grouped=True)
    assert len(vouched) == len(checked) == parts
    assert _rows([p.path for p in vouched]) == _rows([p.path for p in checked])
    # and the rows the store keeps of the file's rows as they came (its own grouping)
    assert _rows([p.path for p in vouched]) == _rows(
        [store.stage(GROUP, "Interactions", events).path]
    )
