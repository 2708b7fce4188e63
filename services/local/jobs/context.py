"""What a running task sees of its job: cancellation checks (and the exceptions they raise)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from sqlalchemy import select

from services.local.context import EngineContext
from services.local.data.storage import tables as t
from services.local.data.storage.model_files import attempt_partial
from services.local.jobs import job_table


class Runner(Protocol):
    """What a job's context reads of the runner (``services.local.jobs.queue.JobRunner``)."""

    @property
    def stopping(self) -> bool:
        """True once the worker was asked to stop."""
        ...

    @property
    def engine(self) -> EngineContext:
        """The engine the runner works for."""
        ...

    @property
    def identity(self) -> str:
        """The worker as job rows name it (``liveness.worker_identity``)."""
        ...


class Cancelled(Exception):
    """The job was asked to stop (StopSolutionVersionCreation)."""


class ClaimLost(Exception):
    """The job is no longer this worker's: recovery requeued it (and another worker may run
    it now) or it ended. The task stops without writing anything more (``claimed``)."""


class ShuttingDown(Exception):
    """The worker is stopping; it gives the job back to the queue (``job_table.release``)."""


class JobContext:
    """Handed to a task: progress heartbeats and cancellation checks."""

    def __init__(self, runner: Runner, job_id: int, arn: str) -> None:
        self._runner = runner
        self.job_id = job_id
        self.arn = arn

    def check_cancelled(self) -> None:
        """Raise Cancelled if someone asked this job to stop, ShuttingDown if we are, and
        ClaimLost if the job is no longer this worker's (so it stops long before its end)."""
        if self._runner.stopping:
            raise ShuttingDown(self.arn)
        # A read transaction (the reader engine: plain BEGIN on SQLite's WAL, a snapshot on
        # PostgreSQL), not a write one: training checks every ALS iteration and every 50 v2
        # steps, and must neither queue behind a heartbeat or a request's write nor hold the
        # writers' lock while it reads one row.
        with self._runner.engine.read_db.connect() as conn:
            row = conn.execute(
                select(t.jobs.c.cancel, t.jobs.c.worker, t.jobs.c.state).where(
                    t.jobs.c.id == self.job_id
                )
            ).first()
        if row is None or row.worker != self._runner.identity or row.state != "running":
            raise ClaimLost(self.arn)
        if row.cancel:
            raise Cancelled(self.arn)

    def partial_file(self, path: Path) -> Path:
        """Where this attempt of the job writes the file ``path`` (a model, an output) before
        it is placed (``model_files.attempt_partial``: ``<name>.<pid>-<attempt>.tmp.npz`` for a
        model), so a worker the job was handed to never writes the same file (``outputs``).

        Raises:
            ClaimLost: the job is no longer this worker's.
        """
        with self._runner.engine.db.connect() as conn:
            number = job_table.attempt(conn, self.job_id, self._runner.identity)
        if number is None:
            raise ClaimLost(self.arn)
        return attempt_partial(path, self._runner.identity, number)


Task = Callable[[EngineContext, str, JobContext], None]
"""A job kind's work: the engine, the job's resource ARN and its context."""
