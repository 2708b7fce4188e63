"""The refresh runs' tables in the dashboard store: runs, their steps, and one lock row per
dataset group (with an expiry the running process keeps pushing forward)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from services.store.tables import UtcDateTime

MAX_RESUMES = 1  # a run whose process dies twice is failed rather than resumed again

metadata = sa.MetaData()

refresh_runs = sa.Table(
    "refresh_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset_group_arn", sa.String(2048), nullable=False, index=True),
    sa.Column("dataset_group_name", sa.String(256), nullable=False),
    sa.Column("trigger", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("started", UtcDateTime, nullable=False, index=True),
    sa.Column("finished", UtcDateTime, nullable=True),
    sa.Column("heartbeat", UtcDateTime, nullable=False),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("resumes", sa.Integer, nullable=False, default=0),
)

refresh_steps = sa.Table(
    "refresh_steps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("refresh_runs.id"), nullable=False, index=True),
    sa.Column("key", sa.String(600), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("label", sa.String(600), nullable=False),
    sa.Column("target", sa.String(2048), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started", UtcDateTime, nullable=False),
    sa.Column("finished", UtcDateTime, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.UniqueConstraint("run_id", "key", name="refresh_step_key"),
)

refresh_locks = sa.Table(
    "refresh_locks",
    metadata,
    sa.Column("dataset_group_arn", sa.String(2048), primary_key=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("refresh_runs.id"), nullable=False),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("expires", UtcDateTime, nullable=False),
)


def now() -> datetime:
    """The time every run and step row is stamped with (one place, so tests can move it)."""
    return datetime.now(UTC)


def jsonable(value: Any) -> Any:
    """``value`` as the JSON column stores it (dates and other objects as text)."""
    return json.loads(json.dumps(value, default=str))
