"""Bulk files store IDs as plain strings without a dictionary (services/local/data/
bulk.py, ``_stored``): what a reader gets is what it got when USER_ID was stored as a
dictionary, histories find the same rows, and a group holding files of both kinds (written
before and after the change, INCREMENTAL imports) reads as one table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import sqlalchemy as sa

from services.db import make_engine
from services.local.data.storage import tables as t
from services.local.data.storage.bulk import BulkStore, plain_strings
from services.local.data.storage.histories import BulkHistories

GROUP = "arn:aws:personalize:us-east-1:000000000000:dataset-group/g"


def _events(n: int, seed: int, users: int = 40) -> pa.Table:
    """As an import leaves them: USER_ID and EVENT_TYPE dictionaries, Hangul IDs."""
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "USER_ID": pc.dictionary_encode(
                pa.array([f"사용자{u}" for u in rng.integers(0, users, n)])
            ),
            "ITEM_ID": [f"상품-{k}" for k in rng.integers(0, 10**6, n)],
            "TIMESTAMP": pa.array(rng.integers(1_700_000_000, 1_700_000_500, n), pa.int64()),
            "EVENT_TYPE": pc.dictionary_encode(pa.array(rng.choice(["View", "구매"], n))),
            "EVENT_VALUE": pa.array(np.where(rng.random(n) < 0.5, None, rng.random(n))),
        }
    )


def _db(tmp_path: Path) -> sa.Engine:
    db = make_engine(f"sqlite:///{tmp_path / 'engine.db'}")
    t.metadata.create_all(db)
    return db


def test_ids_are_stored_plain_and_read_back_as_before(tmp_path: Path) -> None:
    db, store = _db(tmp_path), BulkStore(tmp_path)
    table = _events(3000, seed=1)
    staged = store.stage(GROUP, "Interactions", table)
    with db.begin() as conn:
        store.commit(conn, staged, full=True)
    with ipc.open_file(pa.OSFile(str(staged.path))) as stored:  # Interactions: Arrow IPC
        types = {f.name: f.type for f in stored.schema}
    assert types["USER_ID"] == pa.string() and types["ITEM_ID"] == pa.string()
    assert pa.types.is_dictionary(types["EVENT_TYPE"])  # a few values: a dictionary still pays
    # Items stay Parquet: the ID without a Parquet dictionary page, repeated text with one
    items = pa.table({"ITEM_ID": [f"상품-{k}" for k in range(2000)], "GENRE": ["a", "b"] * 1000})
    chunk = pq.ParquetFile(store.stage(GROUP, "Items", items).path).metadata.row_group(0)
    names = [chunk.column(i).path_in_schema for i in range(chunk.num_columns)]
    assert not chunk.column(names.index("ITEM_ID")).has_dictionary_page
    assert chunk.column(names.index("GENRE")).has_dictionary_page

    # what a reader gets: the rows grouped by user, oldest first, as plain strings
    got = store.read(db, GROUP, "Interactions")
    codes = table.column("USER_ID").chunk(0).indices.to_numpy()  # first appearance order
    order = np.lexsort((table.column("TIMESTAMP").to_numpy(), codes))
    assert got.equals(plain_strings(table).take(pa.array(order)))

    histories = BulkHistories(db, store)
    mine = [r for r in got.to_pylist() if r["USER_ID"] == "사용자7"]
    expected = [(r["ITEM_ID"], r["EVENT_TYPE"], r["TIMESTAMP"]) for r in mine]
    assert histories.latest(GROUP, "사용자7", 1000) == expected and expected


def test_a_group_with_files_of_both_kinds_reads_as_one(tmp_path: Path) -> None:
    """A file written as before (USER_ID an Arrow dictionary in the file) and one written now,
    registered together: read as one table of plain strings (a plain concatenation refuses
    dictionary and string columns of one name)."""
    db, store = _db(tmp_path), BulkStore(tmp_path)
    old, new = _events(500, seed=2), _events(700, seed=3)
    before = tmp_path / "bulk" / "before.parquet"
    before.parent.mkdir(parents=True)
    pq.write_table(old, before)  # the old layout: USER_ID a dictionary
    assert pa.types.is_dictionary(pq.ParquetFile(before).schema_arrow.field("USER_ID").type)
    staged = store.stage(GROUP, "Interactions", new)
    with db.begin() as conn:
        conn.execute(
            sa.insert(t.bulk_files).values(
                group_arn=GROUP,
                dataset_type="Interactions",
                path="before.parquet",
                rows=old.num_rows,
                created=0.0,
            )
        )
        store.commit(conn, staged, full=False)
    got = store.read(db, GROUP, "Interactions")
    assert got.num_rows == 1200 and got.schema.field("USER_ID").type == pa.string()
    assert got.slice(0, 500).equals(plain_strings(old))  # the old file first, as written
    assert sorted(got.slice(500).column("ITEM_ID").to_pylist()) == sorted(
        new.column("ITEM_ID").to_pylist()
    )
