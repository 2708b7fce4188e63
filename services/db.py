"""One SQLAlchemy Engine per database URL, created once per process and shared by threads.

SQLite gets the recipe of STACK.md section 5: WAL (readers never block the writer), foreign
keys on, and ``BEGIN IMMEDIATE`` for every transaction of a writer engine, so two writers queue
on the lock (up to ``busy_timeout``) instead of failing with "database is locked" when a deferred
transaction tries to upgrade. ``read_only=True`` gives a separate engine with plain ``BEGIN``
for pages that only read.

PostgreSQL (issue #25) gets the same two guarantees by its own means. A writer transaction
starts by taking one transaction-scoped advisory lock per database
(``pg_advisory_xact_lock``), the equivalent of ``BEGIN IMMEDIATE``: writers queue (up to
``lock_timeout``, the same 30 s) and the code's read-then-write transactions lose no update,
as on SQLite; a reader transaction is ``REPEATABLE READ``, one snapshot for all its statements,
as a WAL reader sees. Job claims also say ``FOR UPDATE SKIP LOCKED`` (services/local/jobs), which
PostgreSQL honours and SQLite leaves out. Any other URL is used as-is with ``pool_pre_ping``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

__all__ = ["dispose_engines", "make_engine", "open_tables"]

SQLITE_BUSY_TIMEOUT_S = 30  # a writer waits this long for the lock before giving up
# The advisory lock key of the writers' lock on PostgreSQL: any constant, the same in every
# process that shares the database (here the first 8 bytes of "personal", as a bigint).
PG_WRITER_LOCK = int.from_bytes(b"personal", "big") >> 1

_engines: dict[tuple[str, bool], sa.Engine] = {}
_lock = threading.Lock()


def make_engine(url: str, *, read_only: bool = False) -> sa.Engine:
    """The process-wide Engine for ``url`` (created on first use, then cached)."""
    if read_only and _in_memory(url):
        read_only = False  # an in-memory database exists once, in the writer's connection
    key = (url, read_only)
    with _lock:  # creating two engines for one URL would give two pools on one file
        engine = _engines.get(key)
        if engine is None:
            engine = _create(url, read_only)
            _engines[key] = engine
        return engine


def open_tables(url: str, metadata: sa.MetaData) -> tuple[sa.Engine, sa.Engine]:
    """(writer, reader) engines of ``url``, with ``metadata``'s tables created when missing.

    ``create_all`` takes the write lock even when every table exists; a database that is
    locked by another writer or read-only but has the tables still opens, for reading (its
    writes then fail one by one).

    Raises:
        SQLAlchemyError: a table is missing and cannot be created.
    """
    writer = make_engine(url)
    reader = make_engine(url, read_only=True)
    try:
        metadata.create_all(writer)
    except sa.exc.SQLAlchemyError:
        if not set(metadata.tables) <= set(sa.inspect(reader).get_table_names()):
            raise
    return writer, reader


def dispose_engines() -> None:
    """Close every cached engine's connections and forget them (tests, shutdown)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _in_memory(url: str) -> bool:
    parsed = make_url(url)
    database = parsed.database or ""
    return parsed.get_backend_name() == "sqlite" and (
        database in ("", ":memory:") or database.startswith("file::memory:")
    )


def _create(url: str, read_only: bool) -> sa.Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return _create_postgresql(url, read_only)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)

    database = parsed.database or ""
    in_memory = _in_memory(url)
    kwargs: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S}}
    if in_memory:
        # One shared connection: otherwise each pooled connection (and thread) would get its
        # own empty database. Fine for tests; use a file for real concurrency.
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        # A URI filename ("file:/path?mode=ro", with ?uri=true) names the same file.
        path = database.removeprefix("file:").split("?", 1)[0]
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN instead of pysqlite's legacy implicit one,
        # which starts transactions late (after a SELECT) and loses updates.
        dbapi_conn.isolation_level = None
        pragmas = ["foreign_keys=ON", f"busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}"]
        if not in_memory:
            pragmas += ["journal_mode=WAL", "synchronous=NORMAL"]
        for pragma in pragmas:
            dbapi_conn.execute(f"PRAGMA {pragma}")

    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine


def _create_postgresql(url: str, read_only: bool) -> sa.Engine:
    """A PostgreSQL engine: readers see one snapshot per transaction, writers take the
    database's writer lock first (see the module docstring)."""
    lock_timeout_ms = SQLITE_BUSY_TIMEOUT_S * 1000
    if read_only:
        return sa.create_engine(url, pool_pre_ping=True, isolation_level="REPEATABLE READ")
    engine = sa.create_engine(url, pool_pre_ping=True)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Waiting for the writers' lock (or a row lock) fails after this long, as SQLite's
        # busy_timeout does, instead of hanging a page.
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = {lock_timeout_ms}")
        dbapi_conn.commit()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITER_LOCK})")

    return engine
