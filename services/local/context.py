"""What an operation handler or a background task may use of the engine.

Handlers and tasks are written against ``EngineContext``, never against ``LocalEngine``, so the
engine can import the operation table (``services.local.wire.operations``) without a cycle: the
engine depends on the handlers, the handlers only on this protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, Engine

from services.config import Settings
from services.local.data.storage.bulk import BulkStore
from services.local.data.storage.histories import BulkHistories
from services.local.data.storage.resources import Arns, Resources

if TYPE_CHECKING:
    from services.local.runtime.answer_log import AnswerLog
    from services.local.runtime.model_cache import ModelCache


class JobQueue(Protocol):
    """The job queue as handlers use it (``services.local.jobs.queue.JobRunner``)."""

    def enqueue(self, conn: Connection, kind: str, arn: str) -> None:
        """Queue a job inside the caller's transaction (it exists only if that commits)."""
        ...

    def cancel(self, conn: Connection, arn: str, *, finished: bool) -> None:
        """Ask a job to stop; ``finished`` marks a job that never started as done."""
        ...

    def kick(self) -> None:
        """Make sure a worker looks at the queue now (call after commit)."""
        ...


class EngineContext(Protocol):
    """The engine as its handlers see it: storage, settings, the model cache and the job queue.

    ``db`` takes writes (and the job claims), ``read_db`` every read transaction; ``bulk``
    holds imported rows (Parquet) and ``histories`` finds one user's bulk rows fast;
    ``clock`` returns epoch seconds and is replaced by tests that move time forward;
    ``answers`` takes the lists the runtime answers and writes them off the request path.
    """

    settings: Settings
    data_dir: Path
    models_dir: Path
    s3_dir: Path
    db: Engine
    read_db: Engine
    arns: Arns
    lifecycle_seconds: float
    clock: Callable[[], float]
    models: ModelCache
    answers: AnswerLog
    bulk: BulkStore
    histories: BulkHistories

    @property
    def jobs(self) -> JobQueue:
        """The job queue (read-only here, so the engine's ``JobRunner`` satisfies it)."""
        ...

    def reading(self) -> AbstractContextManager[Resources]:
        """A read transaction: never writes (statuses that are due advance in memory only)."""
        ...

    def tx(self) -> AbstractContextManager[Resources]:
        """One write transaction; everything in it lands together or not at all."""
        ...


Operation = Callable[[EngineContext, dict[str, Any]], dict[str, Any] | None]
"""A handler: the engine and the request's validated parameters → the response document."""
