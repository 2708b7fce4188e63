"""Reading refresh runs (with their steps, and whether a RUNNING one's process stopped)."""

from __future__ import annotations

import sqlalchemy as sa

import services.pipeline.runs.run_tables as tables
from services.pipeline.runs.run_values import RUNNING, SUCCEEDED, RefreshRun, RefreshStep


class RunReads:
    """Plain read transactions on the reader engine; part of ``RunStore``."""

    _reader: sa.Engine

    def get(self, run_id: int) -> RefreshRun | None:
        with self._reader.connect() as conn:
            row = (
                conn.execute(
                    sa.select(tables.refresh_runs).where(tables.refresh_runs.c.id == run_id)
                )
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
        query = (
            sa.select(tables.refresh_runs).order_by(tables.refresh_runs.c.id.desc()).limit(limit)
        )
        if group_arn is not None:
            query = query.where(tables.refresh_runs.c.dataset_group_arn == group_arn)
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
            sa.select(tables.refresh_runs)
            .where(
                tables.refresh_runs.c.dataset_group_arn == group_arn,
                tables.refresh_runs.c.status == status,
            )
            .order_by(tables.refresh_runs.c.id.desc())
        )
        with self._reader.connect() as conn:
            row = conn.execute(query).mappings().first()
            return self._run(conn, row, with_steps=with_steps) if row else None

    def _run(self, conn: sa.Connection, row: sa.RowMapping, *, with_steps: bool) -> RefreshRun:
        steps: tuple[RefreshStep, ...] = ()
        if with_steps:
            rows = conn.execute(
                sa.select(tables.refresh_steps)
                .where(tables.refresh_steps.c.run_id == row["id"])
                .order_by(tables.refresh_steps.c.id)
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
                sa.select(tables.refresh_locks.c.expires).where(
                    tables.refresh_locks.c.run_id == row["id"]
                )
            ).scalar()
            stale = expires is None or expires <= tables.now()
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

    def running_runs(self) -> list[RefreshRun]:
        """Every RUNNING run (live or stale) of every group, with its steps, oldest first."""
        query = (
            sa.select(tables.refresh_runs)
            .where(tables.refresh_runs.c.status == RUNNING)
            .order_by(tables.refresh_runs.c.id)
        )
        with self._reader.connect() as conn:
            return [self._run(conn, r, with_steps=True) for r in conn.execute(query).mappings()]
