"""The per-dataset-group lock of refresh runs: claim (start, resume or join), heartbeat, finish.

The lock is a row per dataset group with an expiry that the running process keeps pushing
forward; a second trigger that finds a live lock gets the running run back instead of starting
one, and one that finds an expired lock takes the run over (its process died).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, ParamSpec

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

import services.pipeline.runs.run_tables as tables
from services.pipeline.runs.run_values import FAILED, RUN_OUTCOMES, RUNNING, Claim
from services.store.tables import inserted_id, store_unavailable

P = ParamSpec("P")


def _retried_on_lost_race(claim: Callable[P, Claim]) -> Callable[P, Claim]:
    """``claim`` run again, up to 3 times in all, when its transaction lost an insert race to
    another process on a shared database (IntegrityError: the next read sees the winner's
    lock); any other database error means no run starts (``store_unavailable``)."""

    @functools.wraps(claim)
    def retried(*args: P.args, **kwargs: P.kwargs) -> Claim:
        for _ in range(3):
            try:
                return claim(*args, **kwargs)
            except IntegrityError:
                continue
            except SQLAlchemyError as err:  # read-only or locked: no run starts
                raise store_unavailable(err) from err
        raise RuntimeError("could not claim the refresh lock: 3 insert races lost in a row")

    return retried


class RunLock:
    """Claiming and releasing a group's lock; part of ``RunStore``."""

    _engine: sa.Engine

    @_retried_on_lost_race
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
        over (``resumed=True``) unless it was already resumed ``tables.MAX_RESUMES`` times, in which
        case it is marked FAILED with the reason and a new run starts. A transaction that lost
        an insert race to another process is run again (``_retried_on_lost_race``).
        """
        now = tables.now()
        expires = now + timedelta(seconds=lock_seconds)
        with self._engine.begin() as conn:
            lock = (
                conn.execute(
                    sa.select(tables.refresh_locks).where(
                        tables.refresh_locks.c.dataset_group_arn == group_arn
                    )
                )
                .mappings()
                .first()
            )
            failed_orphan = None
            if lock is not None:
                if lock["expires"] > now:
                    return Claim(lock["run_id"], owned=False)
                run = (
                    conn.execute(
                        sa.select(tables.refresh_runs).where(
                            tables.refresh_runs.c.id == lock["run_id"]
                        )
                    )
                    .mappings()
                    .first()
                )
                if run is not None and run["status"] == RUNNING:
                    if run["resumes"] < tables.MAX_RESUMES:
                        conn.execute(
                            sa.update(tables.refresh_runs)
                            .where(tables.refresh_runs.c.id == run["id"])
                            .values(owner=owner, heartbeat=now, resumes=run["resumes"] + 1)
                        )
                        conn.execute(
                            sa.update(tables.refresh_locks)
                            .where(tables.refresh_locks.c.dataset_group_arn == group_arn)
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
                    sa.delete(tables.refresh_locks).where(
                        tables.refresh_locks.c.dataset_group_arn == group_arn
                    )
                )
            run_id = inserted_id(
                conn,
                sa.insert(tables.refresh_runs).values(
                    dataset_group_arn=group_arn,
                    dataset_group_name=group_name,
                    trigger=trigger,
                    actor=actor,
                    options=tables.jsonable(dict(options)),
                    status=RUNNING,
                    started=now,
                    heartbeat=now,
                    owner=owner,
                    resumes=0,
                ),
            )
            conn.execute(
                sa.insert(tables.refresh_locks).values(
                    dataset_group_arn=group_arn, run_id=run_id, owner=owner, expires=expires
                )
            )
        return Claim(run_id, owned=True, failed_orphan=failed_orphan)

    def heartbeat(self, run_id: int, owner: str, lock_seconds: float) -> bool:
        """Push the lock's expiry forward; False when this owner no longer holds it."""
        now = tables.now()
        with self._engine.begin() as conn:
            held = conn.execute(
                sa.update(tables.refresh_locks)
                .where(
                    tables.refresh_locks.c.run_id == run_id, tables.refresh_locks.c.owner == owner
                )
                .values(expires=now + timedelta(seconds=lock_seconds))
            ).rowcount
            if held:
                conn.execute(
                    sa.update(tables.refresh_runs)
                    .where(tables.refresh_runs.c.id == run_id)
                    .values(heartbeat=now)
                )
        return bool(held)

    def finish(self, run_id: int, owner: str, status: str, reason: str | None) -> bool:
        """Record the outcome and release the lock (only by the owner); False if not owner."""
        if status not in RUN_OUTCOMES:
            raise ValueError(f"a run ends {', '.join(RUN_OUTCOMES)}, not {status!r}")
        with self._engine.begin() as conn:
            run = conn.execute(
                sa.select(tables.refresh_runs.c.owner, tables.refresh_runs.c.status).where(
                    tables.refresh_runs.c.id == run_id
                )
            ).first()
            if run is None or run.owner != owner or run.status != RUNNING:
                return False
            self._finish(conn, run_id, status, reason, tables.now())
        return True

    @staticmethod
    def _finish(
        conn: sa.Connection, run_id: int, status: str, reason: str | None, now: datetime
    ) -> None:
        conn.execute(
            sa.update(tables.refresh_runs)
            .where(tables.refresh_runs.c.id == run_id)
            .values(status=status, reason=reason, finished=now)
        )
        conn.execute(
            sa.update(tables.refresh_steps)
            .where(
                tables.refresh_steps.c.run_id == run_id, tables.refresh_steps.c.status == RUNNING
            )
            .values(status=FAILED, finished=now, reason=reason if status == FAILED else None)
        )
        conn.execute(sa.delete(tables.refresh_locks).where(tables.refresh_locks.c.run_id == run_id))
