"""A job's resource through its statuses: IN_PROGRESS when the worker starts it, then its end."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from services.local.context import EngineContext
from services.local.data.storage.faults import StorageFault, write_cause
from services.local.data.storage.resources import IN_PROGRESS, PENDING
from services.local.jobs.failure_reasons import ended

if TYPE_CHECKING:
    from services.local.jobs.context import JobContext

_log = logging.getLogger(__name__)

STOPPED, STOPPING = "CREATE STOPPED", "CREATE STOPPING"

Task = Callable[[EngineContext, str, "JobContext"], None]


def start_job(engine: EngineContext, arn: str) -> dict[str, Any] | None:
    """Mark a job's resource IN_PROGRESS; None if it was stopped before it started."""
    with engine.tx() as res:
        doc = res.find(arn)
        if doc is None or doc["status"] not in (PENDING, IN_PROGRESS, STOPPING):
            return None
        if doc["status"] == STOPPING:
            doc.update(status=STOPPED, lastUpdatedDateTime=res.now)
            res.save(arn, doc)
            return None
        doc.update(status=IN_PROGRESS, lastUpdatedDateTime=res.now)
        res.save(arn, doc)
        return doc


def end_job(
    engine: EngineContext, arn: str, status: str, reason: str | None = None, **fields: Any
) -> None:
    """Set a job's final status (with ``reason`` as failureReason and any extra fields)."""
    with engine.tx() as res:
        doc = res.find(arn)
        if doc is None:
            return
        doc.update(status=status, lastUpdatedDateTime=res.now, **fields)
        if reason:
            doc["failureReason"] = reason
        res.save(arn, doc)


def ends_on_storage_faults(task: Task) -> Task:
    """``task``, made to end its job FAILED with the cause when a file fault escapes it.

    Tasks name the faults they expect themselves (the model could not be saved, the rows could
    not be staged); this is the net under them: a ``StorageFault`` or an ``OSError`` from any
    other file (a bulk file that is corrupt, a folder that is gone) fails a job that has not
    ended yet ("CREATE IN_PROGRESS" becomes "CREATE FAILED", a data deletion's "IN_PROGRESS"
    "FAILED") with a reason that says what happened, instead of an internal error.
    """

    @functools.wraps(task)
    def run(engine: EngineContext, arn: str, ctx: JobContext) -> None:
        try:
            task(engine, arn, ctx)
        except StorageFault as err:
            reason = err.message
        except OSError as err:
            where = Path(err.filename) if isinstance(err.filename, str) else engine.data_dir
            reason = f"A file of the local engine could not be used: {write_cause(err, where)}."
        else:
            return
        _log.warning("job %s failed on a storage fault: %s", arn, reason)
        fail_unfinished(engine, arn, reason)

    return run


def fail_unfinished(engine: EngineContext, arn: str, reason: str) -> None:
    """End a job that is still PENDING, IN_PROGRESS or STOPPING (with any prefix, such as
    CREATE) as FAILED with the same prefix; a job that already ended keeps its status."""
    with engine.tx() as res:
        doc = res.find(arn)
        if doc is None:
            return
        status = ended(str(doc.get("status", "")), "FAILED")
        if status is None:
            return
        doc.update(status=status, failureReason=reason, lastUpdatedDateTime=res.now)
        res.save(arn, doc)
