"""Refresh runs, their steps and the per-dataset-group lock, in the dashboard store.

Every step is written as it happens, so a page or another process sees progress, and a run
whose process died can be found (its lock expired) and resumed or failed. ``RunStore`` is the
one object callers hold; each of its parts has its own module:

- ``run_values``: statuses and the frozen values readers get (RefreshRun, RefreshStep, Claim);
- ``run_tables``: the three tables and the clock every row is stamped with;
- ``run_lock``: claim, heartbeat and finish (the lock);
- ``run_steps``: begin, record and end a step;
- ``run_reads``: get, history, running runs, the last success.
"""

from __future__ import annotations

import services.pipeline.runs.run_tables as tables
from services.pipeline.runs.run_lock import RunLock
from services.pipeline.runs.run_reads import RunReads
from services.pipeline.runs.run_steps import StepRecords
from services.pipeline.runs.run_values import (
    FAILED,
    REFUSED,
    RUN_OUTCOMES,
    RUNNING,
    SKIPPED,
    SUCCEEDED,
    Claim,
    RefreshRun,
    RefreshStep,
)
from services.store.tables import open_store_tables


class RunStore(RunLock, StepRecords, RunReads):
    """Refresh runs on the dashboard's database (any SQLAlchemy URL)."""

    def __init__(self, url: str) -> None:
        """Open the runs' tables (created when missing); a locked or read-only database that
        has them opens for reading.

        Raises:
            StoreUnavailable: the tables are missing and cannot be created.
        """
        self._engine, self._reader = open_store_tables(url, tables.metadata)


__all__ = [
    "FAILED",
    "REFUSED",
    "RUNNING",
    "RUN_OUTCOMES",
    "SKIPPED",
    "SUCCEEDED",
    "Claim",
    "RefreshRun",
    "RefreshStep",
    "RunStore",
]
