"""A task's view of the engine, fenced by its job's claim.

Recovery may give a running job to another worker while the first still runs: a worker on
another host whose heartbeat went quiet (``liveness.worker_alive``) is not necessarily dead.
Two workers would then both write the job's resource, and the slower one would overwrite the
newer result (an import committed twice, a version turned back to IN_PROGRESS). So a task
gets the engine as ``ClaimedEngine``: each of its write transactions first checks that the
job row still names this worker and is running (``job_table.holds``), and raises
``ClaimLost`` before anything is written otherwise. The check is atomic with the
transaction's writes: writers queue on one lock (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's
advisory lock, ``services.db``), and recovery requeues a job in a writer transaction too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from services.local.context import EngineContext
from services.local.data.storage.resources import Resources
from services.local.jobs import job_table
from services.local.jobs.context import ClaimLost


class ClaimedEngine:
    """``engine`` as the task of job ``job_id``, claimed by ``identity``, may use it: the same
    in every respect but ``tx``, which raises ``ClaimLost`` once the job is not theirs, and
    ``db``, which it does not have: a write through the writers' database directly would
    bypass the fence (a task reads with ``reading`` or ``read_db``). The files a task leaves
    are placed in such a transaction too (``outputs``)."""

    def __init__(self, engine: EngineContext, job_id: int, identity: str) -> None:
        self._engine = engine
        self._job_id = job_id
        self._identity = identity

    def __getattr__(self, name: str) -> Any:
        if name == "db":
            raise AttributeError(
                "a job's task writes only through tx(), which its claim fences; engine.db "
                "would bypass it"
            )
        return getattr(self._engine, name)

    @contextmanager
    def tx(self) -> Iterator[Resources]:
        """One write transaction of the engine, opened only while the job is still this
        worker's.

        Raises:
            ClaimLost: the job was requeued (and perhaps claimed by another worker) or ended
                by someone else; nothing of the transaction is written.
        """
        with self._engine.tx() as res:
            if not job_table.holds(res.conn, self._job_id, self._identity):
                raise ClaimLost(f"job {self._job_id} is no longer {self._identity}'s")
            yield res
