"""Interactions bulk files are Arrow IPC files (``.arrow``) now and were Parquet before
(services/local/data/storage/bulk.py): a group holding one of each reads back every row of
both, its histories and training frame included; a truncated or damaged IPC file is refused
as unreadable with its cause; the footer check and the orphan sweep know both suffixes; the
other dataset types stay Parquet."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from services.local.data.storage import frames
from services.local.data.storage import tables as t
from services.local.data.storage.bulk import BulkStore
from services.local.data.storage.faults import StorageFault
from services.local.data.storage.histories import BulkHistories
from tests.local.test_bulk_ids import GROUP, _db, _events  # Hangul IDs, dictionaries as imported


def _register(db: sa.Engine, store: BulkStore, path: Path, rows: int) -> None:
    with db.begin() as conn:
        conn.execute(
            sa.insert(t.bulk_files).values(
                group_arn=GROUP,
                dataset_type="Interactions",
                path=path.relative_to(store.root).as_posix(),
                rows=rows,
                created=0.0,
            )
        )


Row = tuple[str, str, int, str, float | None]


def _rows(table: pa.Table) -> list[Row]:
    """Every row of ``table`` as plain Python values, in its order."""
    return list(
        zip(
            pc.cast(table.column("USER_ID"), pa.string()).to_pylist(),
            table.column("ITEM_ID").to_pylist(),
            table.column("TIMESTAMP").to_pylist(),
            pc.cast(table.column("EVENT_TYPE"), pa.string()).to_pylist(),
            table.column("EVENT_VALUE").to_pylist(),
            strict=True,
        )
    )


def _grouped(table: pa.Table) -> list[Row]:
    """``table``'s rows in the order a bulk file keeps them: each user's rows together, oldest
    first (ties in file order), users in order of first appearance."""
    rows = _rows(table)
    first: dict[str, int] = {}
    for k, row in enumerate(rows):
        first.setdefault(row[0], k)
    return sorted(rows, key=lambda r: (first[r[0]], r[2]))  # stable: file order among ties


def _old_parquet_file(store: BulkStore, table: pa.Table) -> Path:
    """An Interactions file as the engine wrote it before: Parquet, grouped by user."""
    folder = store.root / "g-old" / "interactions"
    folder.mkdir(parents=True)
    path = folder / "job1-old.parquet"
    schema = pa.schema(
        [("USER_ID", pa.string()), ("ITEM_ID", pa.string()), ("TIMESTAMP", pa.int64()),
         ("EVENT_TYPE", pa.string()), ("EVENT_VALUE", pa.float64())]
    )  # fmt: skip
    ordered = pa.Table.from_pylist(
        [dict(zip(schema.names, r, strict=True)) for r in _grouped(table)], schema
    )
    pq.write_table(ordered, path)
    return path


def test_an_old_parquet_file_and_a_new_ipc_file_read_back_every_row(tmp_path: Path) -> None:
    """Expected rows: each input table's rows sorted by hand in plain Python (``_grouped``), the
    old file first (registered first)."""
    db, store = _db(tmp_path), BulkStore(tmp_path)
    old, new = _events(400, seed=1), _events(600, seed=2)
    old_path = _old_parquet_file(store, old)
    _register(db, store, old_path, old.num_rows)
    staged = store.stage(GROUP, "Interactions", new)
    assert staged.path.suffix == ".arrow"
    with ipc.open_file(pa.OSFile(str(staged.path))) as stored:  # a real IPC file
        assert stored.schema.field("USER_ID").type == pa.string()
    with db.begin() as conn:
        store.commit(conn, staged, full=False)

    expected = _grouped(old) + _grouped(new)
    got = store.read(db, GROUP, "Interactions")
    assert got is not None and _rows(got) == expected
    frame = frames.interactions(db, store, GROUP, sources=("bulk",))
    assert len(frame) == 1000
    assert list(frame["USER_ID"]) == [r[0] for r in expected]
    assert list(frame["ITEM_ID"]) == [r[1] for r in expected]
    assert list(frame["TIMESTAMP"]) == [r[2] for r in expected]
    assert list(frame["EVENT_TYPE"]) == [r[3] for r in expected]

    # a user of both files: their latest rows of both, oldest first (a later file wins a tie)
    histories = BulkHistories(db, store)
    for user in ("사용자3", "사용자17"):
        theirs = [r for r in expected if r[0] == user]
        assert {r[0] for r in _rows(old)} & {r[0] for r in _rows(new)} >= {user}
        latest = sorted(theirs, key=lambda r: r[2])[-7:]  # stable: the later file last
        assert histories.latest(GROUP, user, 7) == [(r[1], r[3], r[2]) for r in latest]
    store.check(db, GROUP)  # both footers read


def _staged_ipc(tmp_path: Path) -> tuple[sa.Engine, BulkStore, Path]:
    db, store = _db(tmp_path), BulkStore(tmp_path)
    staged = store.stage(GROUP, "Interactions", _events(3000, seed=3))
    with db.begin() as conn:
        store.commit(conn, staged, full=True)
    return db, store, staged.path


def test_a_truncated_ipc_file_is_refused_as_corrupt(tmp_path: Path) -> None:
    db, store, path = _staged_ipc(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    relative = path.relative_to(tmp_path).as_posix()
    cause = (
        f"The bulk file {relative} is corrupt (truncated or damaged): import the Interactions "
        "dataset of dataset group g again with importMode FULL, which replaces its bulk files."
    )
    for read in (
        lambda: store.check(db, GROUP),
        lambda: store.read(db, GROUP, "Interactions"),
        lambda: BulkHistories(db, store).latest(GROUP, "사용자1", 5),
    ):
        with pytest.raises(StorageFault) as info:
            read()
        assert info.value.message == cause


def test_an_ipc_file_damaged_inside_is_refused_not_read_past_its_buffers(
    tmp_path: Path,
) -> None:
    """Every 4-byte word of the USER_ID offsets set past the end of its data: the footer and
    the record batch's layout still read, so only the full validation can tell."""
    db, store, path = _staged_ipc(tmp_path)
    with ipc.open_file(pa.OSFile(str(path))) as stored:
        batch = stored.get_batch(0)
    offsets = batch.column(0).buffers()[1]
    data = bytearray(path.read_bytes())
    at = bytes(data).find(offsets.to_pybytes())  # the buffer as written in the file
    assert at > 0
    data[at + 4 : at + 4 + 64] = (2**30).to_bytes(4, "little") * 16
    path.write_bytes(bytes(data))
    store.check(db, GROUP)  # the footer is intact
    with pytest.raises(StorageFault) as info:
        store.read(db, GROUP, "Interactions")
    assert "is corrupt (truncated or damaged)" in info.value.message


def test_sweep_deletes_orphans_of_both_formats_and_keeps_registered_files(
    tmp_path: Path,
) -> None:
    db, store, kept = _staged_ipc(tmp_path)
    folder = kept.parent
    orphans = [folder / "job9-x.arrow", folder / "job9-y.parquet", folder / "job9-z.part"]
    for orphan in orphans:
        orphan.write_bytes(b"x")
    other = folder / "notes.txt"  # not a bulk file's suffix: never touched
    other.write_text("keep")
    assert sorted(store.sweep(db)) == sorted(orphans)
    assert kept.exists() and other.exists() and not any(p.exists() for p in orphans)


def test_items_stay_parquet(tmp_path: Path) -> None:
    store = BulkStore(tmp_path)
    items = pa.table({"ITEM_ID": ["a", "b"], "CATEGORY": ["x", "y"]})
    staged = store.stage(GROUP, "Items", items)
    assert staged.path.suffix == ".parquet"
    assert pq.read_table(staged.path).column("ITEM_ID").to_pylist() == ["a", "b"]
