"""The jobs table: queue, cancel, claim, beat and settle a job, each one statement.

Several processes may share one data directory, so a job is claimed with a row update inside
a write transaction, never by an in-memory flag. A row's ``state`` goes queued -> running ->
done | failed; ``worker`` and ``heartbeat`` say who runs it (``liveness``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    exists,
    func,
    insert,
    select,
    update,
)

from services.local.data.storage import tables as t
from services.local.jobs.liveness import worker_alive


def enqueue(conn: Connection, kind: str, arn: str) -> None:
    """Queue a job inside the caller's transaction (it exists only if that commits)."""
    conn.execute(
        insert(t.jobs).values(
            kind=kind, arn=arn, state="queued", attempts=0, cancel=0, created=time.time()
        )
    )


@dataclass(frozen=True)
class QueuePlace:
    """Where a queued job stands. ``position``: 1 for the next job a worker claims (workers
    claim the oldest queued job first: ``claim``); ``running``: the (job kind, resource ARN)
    of every job running now, the oldest queued first; ``started_before``: whether a worker
    has ever claimed a job of this engine, so that with nothing running the queue is between
    jobs rather than waiting for its first."""

    position: int
    running: tuple[tuple[str, str], ...]
    started_before: bool = False


def place(conn: Connection, arn: str) -> QueuePlace | None:
    """Where the queued job of the resource ``arn`` stands (one read transaction: ``conn``);
    None when it has no queued job (it runs, it ended, or nothing queues for it)."""
    jobs = t.jobs.c
    mine = conn.execute(select(jobs.id).where(jobs.arn == arn, jobs.state == "queued")).scalar()
    if mine is None:
        return None
    ahead = conn.execute(
        select(func.count()).where(jobs.state == "queued", jobs.id < mine)
    ).scalar_one()
    running = conn.execute(
        select(jobs.kind, jobs.arn).where(jobs.state == "running").order_by(jobs.id)
    ).all()
    started = conn.execute(select(exists().where(jobs.attempts > 0))).scalar_one()
    return QueuePlace(int(ahead) + 1, tuple((row.kind, row.arn) for row in running), bool(started))


def cancel(conn: Connection, arn: str, *, finished: bool) -> None:
    """Ask a job to stop; ``finished`` marks a job that never started as done."""
    values: dict[str, object] = {"cancel": 1}
    if finished:
        values["state"] = "done"
    conn.execute(update(t.jobs).where(t.jobs.c.arn == arn).values(**values))


def claim(db: Engine, identity: str) -> tuple[int, str, str] | None:
    """Take the oldest queued job for the worker ``identity``: (job id, kind, arn), or None."""
    with db.begin() as conn:
        row = conn.execute(
            select(t.jobs.c.id, t.jobs.c.kind, t.jobs.c.arn, t.jobs.c.attempts)
            .where(t.jobs.c.state == "queued")
            .order_by(t.jobs.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        conn.execute(
            update(t.jobs)
            .where(t.jobs.c.id == row.id)
            .values(
                state="running",
                worker=identity,
                heartbeat=time.time(),
                attempts=row.attempts + 1,
            )
        )
    return row.id, row.kind, row.arn


def _held(job_id: int, identity: str) -> ColumnElement[bool]:
    """The row of job ``job_id`` while it runs under the worker ``identity``."""
    return and_(t.jobs.c.id == job_id, t.jobs.c.worker == identity, t.jobs.c.state == "running")


def unattended(read_db: Engine, *, idle: bool, queued_for: float) -> bool:
    """One read: a running job whose worker is gone, or (``idle``) a job queued for longer
    than ``queued_for`` seconds, longer than a live worker anywhere would leave it."""
    now = time.time()
    with read_db.begin() as conn:
        running = conn.execute(
            select(t.jobs.c.worker, t.jobs.c.heartbeat).where(t.jobs.c.state == "running")
        ).all()
        if any(not worker_alive(row.worker, row.heartbeat, now) for row in running):
            return True
        if not idle:
            return False
        waiting = exists().where(t.jobs.c.state == "queued", t.jobs.c.created < now - queued_for)
        return bool(conn.execute(select(waiting)).scalar())


def settle(conn: Connection, job_id: int, identity: str, state: str) -> bool:
    """Record a finished job's ``state``, only while it is still ``identity``'s (recovery may
    have given it to another worker). Returns whether it was."""
    mine = conn.execute(update(t.jobs).where(_held(job_id, identity)).values(state=state)).rowcount
    return bool(mine)


def release(db: Engine, job_id: int, identity: str) -> bool:
    """Queue a running job again, while it is still ``identity``'s: its worker is stopping
    (thread mode) and the process lives on, so recovery would never see it dead
    (``liveness.worker_alive``). The next claim counts a new attempt. Returns whether it was."""
    with db.begin() as conn:
        mine = conn.execute(
            update(t.jobs).where(_held(job_id, identity)).values(state="queued", worker=None)
        ).rowcount
    return bool(mine)


def holds(conn: Connection, job_id: int, identity: str) -> bool:
    """Whether the job is still running under the worker ``identity`` (read in the caller's
    transaction, ``claimed.ClaimedEngine``)."""
    row = conn.execute(select(t.jobs.c.id).where(_held(job_id, identity))).first()
    return row is not None


def attempt(conn: Connection, job_id: int, identity: str) -> int | None:
    """The job's attempt number (1 for its first claim) while it runs under the worker
    ``identity``; None once it is not theirs."""
    number = conn.execute(select(t.jobs.c.attempts).where(_held(job_id, identity))).scalar()
    return None if number is None else int(number)


def beat(db: Engine, job_id: int, identity: str) -> bool:
    """Refresh a running job's heartbeat (epoch seconds), only while it is ``identity``'s (a
    beat must not keep another worker's claim looking alive). Returns whether it was."""
    with db.begin() as conn:
        mine = conn.execute(
            update(t.jobs).where(_held(job_id, identity)).values(heartbeat=time.time())
        ).rowcount
    return bool(mine)
