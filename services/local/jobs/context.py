"""What a running task sees of its job: cancellation checks (and the exceptions they raise)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from services.local.data import tables as t

if TYPE_CHECKING:
    from services.local.jobs.queue import JobRunner


class Cancelled(Exception):
    """The job was asked to stop (StopSolutionVersionCreation)."""


class ShuttingDown(Exception):
    """The worker is stopping; the job stays claimed and is resumed by recovery."""


class JobContext:
    """Handed to a task: progress heartbeats and cancellation checks."""

    def __init__(self, runner: JobRunner, job_id: int, arn: str) -> None:
        self._runner = runner
        self.job_id = job_id
        self.arn = arn

    def check_cancelled(self) -> None:
        """Raise Cancelled if someone asked this job to stop (ShuttingDown if we are)."""
        if self._runner.stopping:
            raise ShuttingDown(self.arn)
        with self._runner.engine.db.begin() as conn:
            row = conn.execute(select(t.jobs.c.cancel).where(t.jobs.c.id == self.job_id)).first()
        if row is not None and row.cancel:
            raise Cancelled(self.arn)
