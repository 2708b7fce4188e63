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
from services.local import tables
from services.local.errors import UnknownOperation
from services.local.protocol import CONTROL, EVENTS, RUNTIME
from services.local.resources import Arns, Resources

_log = logging.getLogger(__name__)

Operation = Callable[["LocalEngine", dict[str, Any]], dict[str, Any] | None]


class LocalEngine:
    """Answers Personalize operations from a SQL database and a folder of model files."""

    def __init__(self, settings: Settings, *, start_worker: bool = True) -> None:
        self.settings = settings
        self.data_dir = Path(settings.data_dir).expanduser().resolve()
        self.models_dir = self.data_dir / "models"
        self.s3_dir = self.data_dir / "s3"
        self.models_dir.mkdir(parents=True, exist_ok=True)
        self.db = make_engine(settings.engine_db_url)
        tables.metadata.create_all(self.db)
        # Runtime reads take plain BEGIN so they never queue behind writers (WAL).
        self.read_db = make_engine(settings.engine_db_url, read_only=True)
        self.arns = Arns(settings.region, LOCAL_ACCOUNT)
        self.lifecycle_seconds = settings.lifecycle_seconds
        self.clock: Callable[[], float] = time.time
        self.operations = _operations()

        from services.local.jobs import JobRunner
        from services.local.runtime import ModelCache

        self.models = ModelCache(self)
        self.jobs = JobRunner(self, enabled=start_worker)
        self.jobs.recover()

    def call(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """Run one operation with already-validated parameters."""
        handler = self.operations.get((service, operation))
        if handler is None:
            raise UnknownOperation(f"The local engine does not implement {operation}.")
        return handler(self, params)

    @contextmanager
    def reading(self) -> Iterator[Resources]:
        """A read transaction for the runtime's hot path (statuses still advance)."""
        with self.read_db.begin() as conn:
            yield Resources(conn, self.clock())

    @contextmanager
    def tx(self) -> Iterator[Resources]:
        """One write transaction; every operation's changes land together or not at all."""
        with self.db.begin() as conn:
            yield Resources(conn, self.clock())

    def close(self) -> None:
        """Stop the worker this engine started and release the database."""
        self.jobs.stop()
        self.db.dispose()
        self.read_db.dispose()


def _operations() -> dict[tuple[str, str], Operation]:
    from services.local import events, runtime
    from services.local.control import (
        batch,
        campaigns,
        datasets,
        exports,
        filters,
        groups,
        imports,
        recipes,
        schemas,
        solutions,
        tags,
        trackers,
        versions,
    )

    table: dict[tuple[str, str], Operation] = {}
    for module in (
        schemas,
        groups,
        datasets,
        exports,
        imports,
        trackers,
        recipes,
        solutions,
        versions,
        campaigns,
        filters,
        batch,
        tags,
    ):
        table.update({(CONTROL, name): fn for name, fn in module.OPERATIONS.items()})
    table.update({(RUNTIME, name): fn for name, fn in runtime.OPERATIONS.items()})
    table.update({(EVENTS, name): fn for name, fn in events.OPERATIONS.items()})
    return table


_engines: dict[tuple[str, str], LocalEngine] = {}
_lock = threading.Lock()


def get_engine(settings: Settings) -> LocalEngine:
    """The process's engine for these settings (one per database, created once)."""
    key = (settings.engine_db_url, str(Path(settings.data_dir).expanduser().resolve()))
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = LocalEngine(settings)
        return engine


def reset_engines() -> None:
    """Close every cached engine (tests use fresh data directories)."""
    with _lock:
        for engine in _engines.values():
            engine.close()
        _engines.clear()
