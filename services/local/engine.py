"""The local engine: one per process, state in SQL, work in a background worker."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from services.config import LOCAL_ACCOUNT, Settings
from services.db import make_engine
from services.local.control.tags import check_tags
from services.local.data.storage import tables
from services.local.data.storage.bulk import BulkStore
from services.local.data.storage.histories import BulkHistories
from services.local.data.storage.model_files import MODELS_FOLDER, sweep_partial
from services.local.data.storage.resources import Arns, Resources
from services.local.errors import NotInLocalEngine
from services.local.jobs.queue import JobRunner
from services.local.jobs.tasks.registry import TASKS
from services.local.runtime.answer_log import AnswerLog
from services.local.runtime.model_cache import ModelCache
from services.local.runtime.usage import RequestCounter
from services.local.wire.operations import operations

_log = logging.getLogger(__name__)


class LocalEngine:
    """Answers Personalize operations from a SQL database and a folder of model files.

    It satisfies ``services.local.context.EngineContext``, the only view handlers get of it.
    """

    def __init__(self, settings: Settings, *, start_worker: bool = True) -> None:
        self.settings = settings
        self.data_dir = Path(settings.data_dir).expanduser().resolve()
        self.models_dir = self.data_dir / MODELS_FOLDER
        self.s3_dir = self.data_dir / "s3"
        self.models_dir.mkdir(parents=True, exist_ok=True)
        self.db = make_engine(settings.engine_db_url)
        tables.metadata.create_all(self.db)
        # Runtime reads take plain BEGIN so they never queue behind writers (WAL).
        self.read_db = make_engine(settings.engine_db_url, read_only=True)
        self.arns = Arns(settings.region, LOCAL_ACCOUNT)
        self.bulk = BulkStore(self.data_dir)
        self.histories = BulkHistories(self.read_db, self.bulk)
        self.lifecycle_seconds = settings.lifecycle_seconds
        self.clock: Callable[[], float] = time.time
        self.operations = operations()
        self.models = ModelCache(self)
        # What CloudWatch counts on AWS: runtime calls per campaign (services.local.runtime.usage).
        self.requests = RequestCounter(self.db, lambda: self.clock())
        # The lists answered for impressions and attribution, written off the request path.
        self.answers = AnswerLog(self.db)
        self.jobs = JobRunner(
            self, tasks=TASKS, enabled=start_worker, idle_exit=settings.worker_idle_seconds
        )
        self.jobs.recover()  # also deletes bulk files orphaned by a crash
        sweep_partial(self.read_db, self.models_dir)  # and half-written model files
        self.jobs.warm()

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """Run one operation with already-validated parameters."""
        handler = self.operations.get((service, operation))
        if handler is None:
            raise NotInLocalEngine(
                f"{operation} is not available in the local engine (see docs/engine-coverage.md "
                "for the operations it implements)."
            )
        if operation.startswith("Create") and params.get("tags"):
            # Every Create* that takes tags refuses bad ones before it creates anything.
            check_tags(params["tags"])
        # A worker that died or exited with work queued is replaced by the next request.
        self.jobs.watch()
        result = handler(self, params)
        self.requests.record(operation, params)
        return result

    @contextmanager
    def reading(self) -> Iterator[Resources]:
        """A read transaction: never takes the write lock, never waits for a writer.

        Statuses that are due advance in the returned documents without being stored.
        """
        with self.read_db.begin() as conn:
            yield Resources(conn, self.clock(), writable=False)

    @contextmanager
    def tx(self) -> Iterator[Resources]:
        """One write transaction; every operation's changes land together or not at all."""
        with self.db.begin() as conn:
            yield Resources(conn, self.clock())

    def close(self) -> None:
        """Stop the worker this engine started and release the database."""
        self.jobs.stop()
        self.requests.flush()
        self.answers.close()
        self.db.dispose()
        self.read_db.dispose()


_engines: dict[tuple[str, str], LocalEngine] = {}
_lock = threading.Lock()


def get_engine(settings: Settings, *, start_worker: bool = True) -> LocalEngine:
    """The process's engine for these settings (one per database, created once).

    ``start_worker=False`` (on the first call) makes an engine that never runs jobs itself,
    for a process that only reads while another engine's worker does the work.
    """
    key = (settings.engine_db_url, str(Path(settings.data_dir).expanduser().resolve()))
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = LocalEngine(settings, start_worker=start_worker)
        return engine


def reset_engines() -> None:
    """Close every cached engine (tests use fresh data directories)."""
    with _lock:
        for engine in _engines.values():
            engine.close()
        _engines.clear()
