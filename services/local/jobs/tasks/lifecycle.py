"""A job's resource through its statuses: IN_PROGRESS when the worker starts it, then its end."""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.data.resources import IN_PROGRESS, PENDING

STOPPED, STOPPING = "CREATE STOPPED", "CREATE STOPPING"


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
