"""Refresh runs, their steps and the per-dataset-group lock, in the dashboard store.

Every step is written as it happens, so a page or another process sees progress, and a run
whose process died can be found (its lock expired) and resumed or failed. The lock is a row per
dataset group with an expiry that the running process keeps pushing forward (heartbeat); a
second trigger that finds a live lock gets the running run back instead of starting one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from services.store import UtcDateTime, open_store_tables, store_unavailable

RUNNING, SUCCEEDED, REFUSED, FAILED, SKIPPED = (
    "RUNNING",
    "SUCCEEDED",
    "REFUSED",
    "FAILED",
    "SKIPPED",
)
RUN_OUTCOMES = (SUCCEEDED, REFUSED, FAILED)
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


@dataclass(frozen=True)
class RefreshStep:
    """One step: ``status`` is RUNNING, SUCCEEDED, FAILED, REFUSED or SKIPPED."""

    key: str
    kind: str  # plan, check, import, train, guardrail, deploy, verify
    label: str
    target: str | None
    status: str
    started: datetime
    finished: datetime | None
    reason: str | None
    detail: Mapping[str, Any]

    @property
    def seconds(self) -> float | None:
        return (self.finished - self.started).total_seconds() if self.finished else None


@dataclass(frozen=True)
class RefreshRun:
    """A run; ``status`` is RUNNING, SUCCEEDED, REFUSED (a guardrail kept a campaign on its
    version) or FAILED. ``stale`` is true for a RUNNING run whose process stopped heartbeating."""

    id: int
    dataset_group_arn: str
    dataset_group_name: str
    trigger: str
    actor: str
    options: Mapping[str, Any]
    status: str
    reason: str | None
    started: datetime
    finished: datetime | None
    heartbeat: datetime
    owner: str
    resumes: int
    steps: tuple[RefreshStep, ...] = ()
    stale: bool = False

    @property
    def seconds(self) -> float | None:
        return (self.finished - self.started).total_seconds() if self.finished else None

    @property
    def guardrails(self) -> list[Mapping[str, Any]]:
        """The guardrail numbers of every campaign (metric, new, served, change %, …)."""
        return [dict(s.detail) for s in self.steps if s.kind == "guardrail" and s.detail]

    def step(self, key: str) -> RefreshStep | None:
        return next((s for s in self.steps if s.key == key), None)


@dataclass(frozen=True)
class Claim:
    """The outcome of asking for the group's lock: a new run, a resumed one, or a busy group."""

    run_id: int
    owned: bool  # True: this caller runs it now (new or resumed); False: another process does
    resumed: bool = False
    failed_orphan: int | None = None  # an earlier run marked FAILED because its process died


def _now() -> datetime:
    return datetime.now(UTC)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


class RunStore:
    """Refresh runs on the dashboard's database (any SQLAlchemy URL)."""

    def __init__(self, url: str) -> None:
        """Open the runs' tables (created when missing); a locked or read-only database that
        has them opens for reading.

        Raises:
            StoreUnavailable: the tables are missing and cannot be created.
        """
        self._engine, self._reader = open_store_tables(url, metadata)

    # --- the lock ---------------------------------------------------------------------------

    def claim(
        self,
        group_arn: str,
        group_name: str,
        *,
        options: Mapping[str, Any],
        trigger: str,
        actor: str,
        owner: str,
        lock_seconds: float,
    ) -> Claim:
        """Start a run for the group, resume its dead one, or return the live one.

        In one transaction: a live lock (not expired) returns that run with ``owned=False``; an
        expired lock whose run is still RUNNING means its process died, so the run is taken
        over (``resumed=True``) unless it was already resumed ``MAX_RESUMES`` times, in which
        case it is marked FAILED with the reason and a new run starts.
        """
        for _ in range(3):  # a lost insert race on another database retries the read
            try:
                return self._claim(
                    group_arn, group_name, options, trigger, actor, owner, lock_seconds
                )
            except IntegrityError:
                continue
            except SQLAlchemyError as err:  # read-only or locked: no run starts
                raise store_unavailable(err) from err
        raise RuntimeError(f"could not claim the refresh lock of {group_name}")

    def _claim(
        self,
        group_arn: str,
        group_name: str,
        options: Mapping[str, Any],
        trigger: str,
        actor: str,
        owner: str,
        lock_seconds: float,
    ) -> Claim:
        now = _now()
        expires = now + timedelta(seconds=lock_seconds)
        with self._engine.begin() as conn:
            lock = (
                conn.execute(
                    sa.select(refresh_locks).where(refresh_locks.c.dataset_group_arn == group_arn)
                )
                .mappings()
                .first()
            )
            failed_orphan = None
            if lock is not None:
                if lock["expires"] > now:
                    return Claim(lock["run_id"], owned=False)
                run = (
                    conn.execute(sa.select(refresh_runs).where(refresh_runs.c.id == lock["run_id"]))
                    .mappings()
                    .first()
                )
                if run is not None and run["status"] == RUNNING:
                    if run["resumes"] < MAX_RESUMES:
                        conn.execute(
                            sa.update(refresh_runs)
                            .where(refresh_runs.c.id == run["id"])
                            .values(owner=owner, heartbeat=now, resumes=run["resumes"] + 1)
                        )
                        conn.execute(
                            sa.update(refresh_locks)
                            .where(refresh_locks.c.dataset_group_arn == group_arn)
                            .values(owner=owner, expires=expires)
                        )
                        return Claim(run["id"], owned=True, resumed=True)
                    reason = (
                        f"The process running this refresh stopped (last sign of life "
                        f"{run['heartbeat']:%Y-%m-%d %H:%M:%S} UTC) after it had already been "
                        "resumed once; it was not resumed again. Campaigns not yet updated "
                        "keep serving their previous versions."
                    )
                    self._finish(conn, run["id"], FAILED, reason, now)
                    failed_orphan = run["id"]
                conn.execute(
                    sa.delete(refresh_locks).where(refresh_locks.c.dataset_group_arn == group_arn)
                )
            run_id = int(
                conn.execute(
                    sa.insert(refresh_runs).values(
                        dataset_group_arn=group_arn,
                        dataset_group_name=group_name,
                        trigger=trigger,
                        actor=actor,
                        options=_jsonable(dict(options)),
                        status=RUNNING,
                        started=now,
                        heartbeat=now,
                        owner=owner,
                        resumes=0,
                    )
                ).inserted_primary_key[0]
            )
            conn.execute(
                sa.insert(refresh_locks).values(
                    dataset_group_arn=group_arn, run_id=run_id, owner=owner, expires=expires
                )
            )
        return Claim(run_id, owned=True, failed_orphan=failed_orphan)

    def heartbeat(self, run_id: int, owner: str, lock_seconds: float) -> bool:
        """Push the lock's expiry forward; False when this owner no longer holds it."""
        now = _now()
        with self._engine.begin() as conn:
            held = conn.execute(
                sa.update(refresh_locks)
                .where(refresh_locks.c.run_id == run_id, refresh_locks.c.owner == owner)
                .values(expires=now + timedelta(seconds=lock_seconds))
            ).rowcount
            if held:
                conn.execute(
                    sa.update(refresh_runs).where(refresh_runs.c.id == run_id).values(heartbeat=now)
                )
        return bool(held)

    def finish(self, run_id: int, owner: str, status: str, reason: str | None) -> bool:
        """Record the outcome and release the lock (only by the owner); False if not owner."""
        if status not in RUN_OUTCOMES:
            raise ValueError(f"a run ends {', '.join(RUN_OUTCOMES)}, not {status!r}")
        with self._engine.begin() as conn:
            run = conn.execute(
                sa.select(refresh_runs.c.owner, refresh_runs.c.status).where(
                    refresh_runs.c.id == run_id
                )
            ).first()
            if run is None or run.owner != owner or run.status != RUNNING:
                return False
            self._finish(conn, run_id, status, reason, _now())
        return True

    @staticmethod
    def _finish(
        conn: sa.Connection, run_id: int, status: str, reason: str | None, now: datetime
    ) -> None:
        conn.execute(
            sa.update(refresh_runs)
            .where(refresh_runs.c.id == run_id)
            .values(status=status, reason=reason, finished=now)
        )
        conn.execute(
            sa.update(refresh_steps)
            .where(refresh_steps.c.run_id == run_id, refresh_steps.c.status == RUNNING)
            .values(status=FAILED, finished=now, reason=reason if status == FAILED else None)
        )
        conn.execute(sa.delete(refresh_locks).where(refresh_locks.c.run_id == run_id))

    # --- steps ------------------------------------------------------------------------------

    def begin_step(
        self, run_id: int, key: str, kind: str, label: str, target: str | None
    ) -> Mapping[str, Any]:
        """Mark a step RUNNING (a resumed step keeps its detail, which is returned)."""
        now = _now()
        with self._engine.begin() as conn:
            row = conn.execute(
                sa.select(refresh_steps.c.id, refresh_steps.c.detail).where(
                    refresh_steps.c.run_id == run_id, refresh_steps.c.key == key
                )
            ).first()
            if row is None:
                conn.execute(
                    sa.insert(refresh_steps).values(
                        run_id=run_id,
                        key=key,
                        kind=kind,
                        label=label,
                        target=target,
                        status=RUNNING,
                        started=now,
                        detail={},
                    )
                )
                return {}
            conn.execute(
                sa.update(refresh_steps)
                .where(refresh_steps.c.id == row.id)
                .values(status=RUNNING, finished=None, reason=None)
            )
            return dict(row.detail or {})

    def record(self, run_id: int, key: str, **detail: Any) -> None:
        """Merge facts into a running step's detail (a created ARN, before waiting on it)."""
        with self._engine.begin() as conn:
            row = conn.execute(
                sa.select(refresh_steps.c.id, refresh_steps.c.detail).where(
                    refresh_steps.c.run_id == run_id, refresh_steps.c.key == key
                )
            ).one()
            merged = {**(row.detail or {}), **_jsonable(detail)}
            conn.execute(
                sa.update(refresh_steps).where(refresh_steps.c.id == row.id).values(detail=merged)
            )

    def end_step(
        self,
        run_id: int,
        key: str,
        status: str,
        reason: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        if status not in (SUCCEEDED, FAILED, REFUSED, SKIPPED):
            raise ValueError(f"a step ends SUCCEEDED, FAILED, REFUSED or SKIPPED, not {status!r}")
        with self._engine.begin() as conn:
            row = conn.execute(
                sa.select(refresh_steps.c.id, refresh_steps.c.detail).where(
                    refresh_steps.c.run_id == run_id, refresh_steps.c.key == key
                )
            ).one()
            conn.execute(
                sa.update(refresh_steps)
                .where(refresh_steps.c.id == row.id)
                .values(
                    status=status,
                    reason=reason,
                    finished=_now(),
                    detail={**(row.detail or {}), **_jsonable(dict(detail or {}))},
                )
            )

    # --- reading ----------------------------------------------------------------------------

    def get(self, run_id: int) -> RefreshRun | None:
        with self._reader.connect() as conn:
            row = (
                conn.execute(sa.select(refresh_runs).where(refresh_runs.c.id == run_id))
                .mappings()
                .first()
            )
            if row is None:
                return None
            return self._run(conn, row, with_steps=True)

    def history(
        self, group_arn: str | None = None, limit: int = 20, *, with_steps: bool = False
    ) -> list[RefreshRun]:
        """Newest runs first, of one dataset group or of all."""
        query = sa.select(refresh_runs).order_by(refresh_runs.c.id.desc()).limit(limit)
        if group_arn is not None:
            query = query.where(refresh_runs.c.dataset_group_arn == group_arn)
        with self._reader.connect() as conn:
            return [
                self._run(conn, r, with_steps=with_steps) for r in conn.execute(query).mappings()
            ]

    def running(self, group_arn: str) -> RefreshRun | None:
        """The group's RUNNING run (live or stale), if any, with its steps."""
        return self._latest(group_arn, RUNNING, with_steps=True)

    def last_success(self, group_arn: str) -> RefreshRun | None:
        """The group's newest SUCCEEDED run (no steps)."""
        return self._latest(group_arn, SUCCEEDED, with_steps=False)

    def _latest(self, group_arn: str, status: str, *, with_steps: bool) -> RefreshRun | None:
        query = (
            sa.select(refresh_runs)
            .where(refresh_runs.c.dataset_group_arn == group_arn, refresh_runs.c.status == status)
            .order_by(refresh_runs.c.id.desc())
        )
        with self._reader.connect() as conn:
            row = conn.execute(query).mappings().first()
            return self._run(conn, row, with_steps=with_steps) if row else None

    def _run(self, conn: sa.Connection, row: Mapping[str, Any], *, with_steps: bool) -> RefreshRun:
        steps: tuple[RefreshStep, ...] = ()
        if with_steps:
            rows = conn.execute(
                sa.select(refresh_steps)
                .where(refresh_steps.c.run_id == row["id"])
                .order_by(refresh_steps.c.id)
            ).mappings()
            steps = tuple(
                RefreshStep(
                    key=s["key"],
                    kind=s["kind"],
                    label=s["label"],
                    target=s["target"],
                    status=s["status"],
                    started=s["started"],
                    finished=s["finished"],
                    reason=s["reason"],
                    detail=s["detail"] or {},
                )
                for s in rows
            )
        stale = False
        if row["status"] == RUNNING:
            expires = conn.execute(
                sa.select(refresh_locks.c.expires).where(refresh_locks.c.run_id == row["id"])
            ).scalar()
            stale = expires is None or expires <= _now()
        return RefreshRun(
            id=row["id"],
            dataset_group_arn=row["dataset_group_arn"],
            dataset_group_name=row["dataset_group_name"],
            trigger=row["trigger"],
            actor=row["actor"],
            options=row["options"],
            status=row["status"],
            reason=row["reason"],
            started=row["started"],
            finished=row["finished"],
            heartbeat=row["heartbeat"],
            owner=row["owner"],
            resumes=row["resumes"],
            steps=steps,
            stale=stale,
        )
