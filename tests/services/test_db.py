"""make_engine: one cached Engine per URL, SQLite in WAL with BEGIN IMMEDIATE writers, and the
same guarantees on PostgreSQL (a writers' lock, snapshot readers)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.db import make_engine
from tests.postgres import PostgresServer

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


def test_read_modify_write_from_8_threads_loses_nothing(db_url: Callable[[str], str]) -> None:
    # The case BEGIN IMMEDIATE (SQLite) and the writers' advisory lock (PostgreSQL) exist for:
    # each transaction reads a counter, then writes it.
    engine = make_engine(db_url("counter"))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    failures: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(25):
                with engine.begin() as conn:
                    n = conn.execute(sa.text("SELECT n FROM counter")).scalar_one()
                    conn.execute(sa.text("UPDATE counter SET n = :n"), {"n": n + 1})
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


def _one_row(url: str) -> tuple[sa.Engine, sa.Engine]:
    """(writer, reader) of ``url`` holding table t with one row, x = 1."""
    writer, reader = make_engine(url), make_engine(url, read_only=True)
    with writer.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    return writer, reader


def test_a_reader_sees_one_snapshot_while_a_writer_commits(db_url: Callable[[str], str]) -> None:
    # A page's reads in one transaction agree with each other, as a WAL reader's do: a commit
    # between two of them is not seen halfway.
    writer, reader = _one_row(db_url("snapshot"))
    with reader.begin() as conn:
        first = conn.exec_driver_sql("SELECT sum(x) FROM t").scalar_one()
        with writer.begin() as other:
            other.exec_driver_sql("INSERT INTO t VALUES (2)")
        again = conn.exec_driver_sql("SELECT sum(x) FROM t").scalar_one()
    with reader.begin() as conn:
        after = conn.exec_driver_sql("SELECT sum(x) FROM t").scalar_one()
    assert (first, again, after) == (1, 1, 3)


def test_a_reader_does_not_wait_for_a_writer_holding_the_lock(db_url: Callable[[str], str]) -> None:
    writer, reader = _one_row(db_url("busy"))
    with writer.begin() as holding:
        holding.exec_driver_sql("UPDATE t SET x = 5")
        started = time.monotonic()
        with reader.begin() as conn:
            assert conn.exec_driver_sql("SELECT x FROM t").scalar_one() == 1
        assert time.monotonic() - started < 2


def test_postgresql_writers_queue_on_one_lock(postgres_server: PostgresServer) -> None:
    # A second writer transaction waits at its start until the first commits (what BEGIN
    # IMMEDIATE does on SQLite), then proceeds; nothing fails.
    engine = make_engine(postgres_server.database("queue"))
    order: list[str] = []
    second_started = threading.Event()

    def second() -> None:
        second_started.set()
        with engine.begin() as conn:
            order.append("second")
            conn.exec_driver_sql("SELECT 1")

    with engine.begin() as conn:
        conn.exec_driver_sql("SELECT 1")
        thread = threading.Thread(target=second)
        thread.start()
        second_started.wait()
        time.sleep(0.3)  # the second writer is now waiting for the lock
        order.append("first")
    thread.join(timeout=10)
    assert order == ["first", "second"]
