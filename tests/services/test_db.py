"""make_engine: one cached Engine per URL, SQLite in WAL with BEGIN IMMEDIATE writers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.db import make_engine

pytestmark = pytest.mark.usefixtures("fresh_engines")


def test_engine_is_cached_per_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert make_engine(url) is make_engine(url)
    assert make_engine(url) is not make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    assert make_engine(url) is not make_engine(url, read_only=True)


def test_sqlite_file_gets_wal_and_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'x.db'}"  # parent folders are created
    with make_engine(url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "nested" / "dir" / "x.db").exists()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fk.db'}")
    meta = sa.MetaData()
    parent = sa.Table("parent", meta, sa.Column("id", sa.Integer, primary_key=True))
    child = sa.Table(
        "child",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.ForeignKey(parent.c.id), nullable=False),
    )
    meta.create_all(engine)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(child).values(id=1, parent_id=99))


def test_in_memory_database_is_shared_between_threads() -> None:
    engine = make_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    seen: list[int] = []

    def read() -> None:
        with engine.connect() as conn:
            seen.append(conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one())

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert seen == [0]  # the other thread saw the table, not an empty database


def test_read_modify_write_from_8_threads_loses_nothing(tmp_path: Path) -> None:
    # The case BEGIN IMMEDIATE exists for: each transaction reads a counter, then writes it.
    engine = make_engine(f"sqlite:///{tmp_path / 'counter.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    failures: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(25):
                with engine.begin() as conn:
                    n = conn.exec_driver_sql("SELECT n FROM counter").scalar_one()
                    conn.exec_driver_sql("UPDATE counter SET n = ?", (n + 1,))
        except BaseException as err:  # reported by the assert below
            failures.append(err)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM counter").scalar_one() == 200
