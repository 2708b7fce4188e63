"""The dashboard's own tables: audit log and metric snapshots (SQLAlchemy Core).

Refresh runs and their locks live in ``services.pipeline.runs.records``, on the same database.

Any SQLAlchemy URL works; the default (from Settings) is a SQLite file under ``.data/``.
Rows never leave this module: callers get frozen dataclasses. Times are stored as UTC and
come back timezone-aware.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from services.db import open_tables
from services.errors import StoreUnavailable
from services.store.audit_text import UNRECORDED  # until the action reports back, or forever

__all__ = ["UNRECORDED", "AuditEntry", "AuditRecord", "MetricSnapshot", "Store"]

_log = logging.getLogger(__name__)

Json = Any  # a JSON-serialisable value


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out (SQLite drops the offset otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store times must be timezone-aware (use datetime.now(UTC))")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("target", sa.String(2048), nullable=True, index=True),
    sa.Column("parameters", sa.JSON, nullable=False),
    sa.Column("result", sa.String(8), nullable=False),
    sa.Column("message", sa.Text, nullable=True),
    sa.CheckConstraint("result IN ('ok', 'error')", name="audit_result"),
)

metric_snapshots = sa.Table(
    "metric_snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_arn", sa.String(2048), nullable=False, index=True),
    sa.Column("taken_at", UtcDateTime, nullable=False),
    sa.Column("metrics", sa.JSON, nullable=False),
)


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    params: Mapping[str, Json]
    result: str  # "ok" | "error"
    message: str | None


@dataclass(frozen=True)
class MetricSnapshot:
    id: int
    version_arn: str
    taken_at: datetime
    metrics: Mapping[str, float]


@dataclass
class AuditEntry:
    """Yielded by ``Store.audit``: set ``message`` to record a note with the ok result."""

    message: str | None = None


class _HasDashboardUrl(Protocol):
    @property
    def dashboard_db_url(self) -> str: ...


def store_unavailable(err: SQLAlchemyError) -> StoreUnavailable:
    """The page message for a store that cannot be written; never shows the URL (it may hold
    a password)."""
    reason = " ".join(str(getattr(err, "orig", None) or err).split())[:200]
    return StoreUnavailable(
        f"The dashboard's store cannot record actions ({reason}), so nothing was done. Check "
        "that DASHBOARD_DB_URL points at a writable database that no other process holds "
        "locked, then try again.",
        code=type(err).__name__,
    )


def inserted_id(conn: sa.Connection, insert: sa.Insert) -> int:
    """Run a one-row ``insert`` and return the integer primary key the database gave the row.

    Raises:
        sqlalchemy.exc.InvalidRequestError: the statement reported no primary key (not a
            one-row insert), so callers that turn SQLAlchemyError into StoreUnavailable do.
    """
    key = conn.execute(insert).inserted_primary_key
    if key is None:
        raise sa.exc.InvalidRequestError("the insert reported no primary key")
    return int(key[0])


def open_store_tables(url: str, tables: sa.MetaData) -> tuple[sa.Engine, sa.Engine]:
    """``db.open_tables`` for a table set of the dashboard's store: (writer, reader).

    Raises:
        StoreUnavailable: a table is missing and cannot be created.
    """
    try:
        return open_tables(url, tables)
    except SQLAlchemyError as err:
        raise store_unavailable(err) from err


def _now() -> datetime:
    return datetime.now(UTC)


def _jsonable(value: Json) -> Json:
    # Round-trip now so an unserialisable value fails here, not inside a half-done transaction;
    # datetimes and other objects are recorded as their string form.
    return json.loads(json.dumps(value, default=str))


class Store:
    """The dashboard's persistent state on one database."""

    def __init__(self, url: str) -> None:
        """Open the store, creating its tables when missing.

        Raises:
            StoreUnavailable: the tables are missing and cannot be created.
        """
        # Reads take no write lock (plain BEGIN): the audit log and metric history stay
        # readable while another process writes, or when the database is read-only.
        self._engine, self._reader = open_store_tables(url, metadata)

    @classmethod
    def from_settings(cls, settings: _HasDashboardUrl) -> Store:
        return cls(settings.dashboard_db_url)

    # --- audit log --------------------------------------------------------------------------

    def record_action(
        self,
        actor: str,
        action: str,
        target: str | None,
        params: Mapping[str, Json] | None = None,
        result: str = "ok",
        message: str | None = None,
    ) -> int:
        """Append one audit entry; returns its id.

        Raises:
            StoreUnavailable: the database cannot be written (read-only, locked, full…).
        """
        if result not in ("ok", "error"):
            raise ValueError(f"result must be 'ok' or 'error', not {result!r}")
        row = {
            "at": _now(),
            "actor": actor,
            "action": action,
            "target": target,
            "parameters": _jsonable(dict(params or {})),
            "result": result,
            "message": message,
        }
        try:
            with self._engine.begin() as conn:
                return inserted_id(conn, sa.insert(audit_log).values(row))
        except SQLAlchemyError as err:
            raise store_unavailable(err) from err

    @contextmanager
    def audit(
        self, actor: str, action: str, target: str | None, params: Mapping[str, Json] | None = None
    ) -> Iterator[AuditEntry]:
        """Record the wrapped action: its row is written first, so an action the store cannot
        record is never started; then it is marked ok, or error with its message (re-raised).

        Raises:
            StoreUnavailable: the row could not be written (read-only or locked database, disk
                full…); the wrapped block did not run.
        """
        entry_id = self.record_action(actor, action, target, params, "error", UNRECORDED)
        entry = AuditEntry()
        try:
            yield entry
        except Exception as exc:
            self._finish(entry_id, "error", str(exc) or repr(exc))
            raise
        self._finish(entry_id, "ok", entry.message)

    def _finish(self, entry_id: int, result: str, message: str | None) -> None:
        # The action ran: a store that fails now must not turn its outcome into an error, so
        # the row keeps UNRECORDED and the failure is logged.
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    sa.update(audit_log)
                    .where(audit_log.c.id == entry_id)
                    .values(result=result, message=message)
                )
        except SQLAlchemyError:
            _log.exception("could not record the result of audit entry %s", entry_id)

    def recent_actions(self, limit: int = 50, target: str | None = None) -> list[AuditRecord]:
        """The newest audit entries first, optionally only those about ``target``."""
        query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if target is not None:
            query = query.where(audit_log.c.target == target)
        with self._reader.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            AuditRecord(
                id=r["id"],
                at=r["at"],
                actor=r["actor"],
                action=r["action"],
                target=r["target"],
                params=r["parameters"],
                result=r["result"],
                message=r["message"],
            )
            for r in rows
        ]

    # --- metric snapshots -------------------------------------------------------------------

    def save_metrics(
        self, version_arn: str, metrics: Mapping[str, float], taken_at: datetime | None = None
    ) -> int:
        """Keep a copy of a version's metrics (they vanish from AWS with the version)."""
        row = {
            "version_arn": version_arn,
            "taken_at": taken_at or _now(),
            "metrics": {k: float(v) for k, v in metrics.items()},
        }
        with self._engine.begin() as conn:
            return inserted_id(conn, sa.insert(metric_snapshots).values(row))

    def metric_history(self, version_arn: str | None = None) -> list[MetricSnapshot]:
        """Snapshots oldest first, of one version or of all."""
        query = sa.select(metric_snapshots).order_by(
            metric_snapshots.c.taken_at, metric_snapshots.c.id
        )
        if version_arn is not None:
            query = query.where(metric_snapshots.c.version_arn == version_arn)
        with self._reader.connect() as conn:
            return [MetricSnapshot(**r) for r in conn.execute(query).mappings().all()]
