"""Writing a refresh run's steps as they happen: begin, record facts, end."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

import services.pipeline.runs.run_tables as tables
from services.pipeline.runs.run_values import RUNNING, STEP_OUTCOMES


class StepRecords:
    """A run's step rows; part of ``RunStore``."""

    _engine: sa.Engine

    def begin_step(
        self, run_id: int, key: str, kind: str, label: str, target: str | None
    ) -> Mapping[str, Any]:
        """Mark a step RUNNING (a resumed step keeps its detail, which is returned)."""
        now = tables.now()
        with self._engine.begin() as conn:
            row = conn.execute(
                sa.select(tables.refresh_steps.c.id, tables.refresh_steps.c.detail).where(
                    tables.refresh_steps.c.run_id == run_id, tables.refresh_steps.c.key == key
                )
            ).first()
            if row is None:
                conn.execute(
                    sa.insert(tables.refresh_steps).values(
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
                sa.update(tables.refresh_steps)
                .where(tables.refresh_steps.c.id == row.id)
                .values(status=RUNNING, finished=None, reason=None)
            )
            return dict(row.detail or {})

    def record(self, run_id: int, key: str, **detail: Any) -> None:
        """Merge facts into a running step's detail (a created ARN, before waiting on it)."""
        with self._engine.begin() as conn:
            row = conn.execute(
                sa.select(tables.refresh_steps.c.id, tables.refresh_steps.c.detail).where(
                    tables.refresh_steps.c.run_id == run_id, tables.refresh_steps.c.key == key
                )
            ).one()
            merged = {**(row.detail or {}), **tables.jsonable(detail)}
            conn.execute(
                sa.update(tables.refresh_steps)
                .where(tables.refresh_steps.c.id == row.id)
                .values(detail=merged)
            )

    def end_step(
        self,
        run_id: int,
        key: str,
        status: str,
        reason: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        if status not in STEP_OUTCOMES:
            raise ValueError(f"a step ends SUCCEEDED, FAILED, REFUSED or SKIPPED, not {status!r}")
        with self._engine.begin() as conn:
            row = conn.execute(
                sa.select(tables.refresh_steps.c.id, tables.refresh_steps.c.detail).where(
                    tables.refresh_steps.c.run_id == run_id, tables.refresh_steps.c.key == key
                )
            ).one()
            conn.execute(
                sa.update(tables.refresh_steps)
                .where(tables.refresh_steps.c.id == row.id)
                .values(
                    status=status,
                    reason=reason,
                    finished=tables.now(),
                    detail={**(row.detail or {}), **tables.jsonable(dict(detail or {}))},
                )
            )
