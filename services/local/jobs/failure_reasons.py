"""What a job that did not finish says: the failureReason written on its resource.

Shared by the worker loop (a task raised) and recovery (a worker died, maybe of a full disk).
"""

from __future__ import annotations

import errno
import os
import shutil

from services.local.data.storage.faults import StorageFault
from services.local.data.storage.resources import FAILED, Resources

DISK_FULL_BYTES = 1 << 20  # below this much free space a dead worker's job is failed, not resumed


def ended(status: str, outcome: str) -> str | None:
    """The status a job's resource now ``status`` ends with as ``outcome`` ("FAILED" or
    "STOPPED"), with the same prefix: "CREATE IN_PROGRESS" -> "CREATE FAILED", "CREATE
    STOPPING" -> "CREATE STOPPED", a data deletion's "IN_PROGRESS" -> "FAILED"; None when the
    job already ended (ACTIVE, FAILED, STOPPED: nothing may overwrite that)."""
    prefix, _, state = status.rpartition(" ")
    if state not in ("PENDING", "IN_PROGRESS", "STOPPING"):
        return None
    return f"{prefix} {outcome}".strip()


def fail_doc(res: Resources, arn: str, reason: str) -> None:
    """Mark the resource ``arn`` FAILED with ``reason`` unless it already settled."""
    doc = res.find(arn)
    if doc is not None and doc.get("status") not in ("ACTIVE", FAILED):
        doc.update(status=FAILED, failureReason=reason, lastUpdatedDateTime=res.now)
        res.save(arn, doc)


def failure_reason(err: BaseException, data_dir: os.PathLike[str]) -> str:
    """The failureReason for a task that raised ``err``: a storage fault's own message (even
    when recording it failed, e.g. the database is on the same full disk), "no space left"
    for ENOSPC/EDQUOT or SQLite's SQLITE_FULL ("database or disk is full"), else an internal
    error."""
    chain: list[BaseException] = []
    seen: BaseException | None = err
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for fault in chain:
        if isinstance(fault, StorageFault):
            return fault.message
    for fault in chain:
        full = isinstance(fault, OSError) and fault.errno in (errno.ENOSPC, errno.EDQUOT)
        if full or "database or disk is full" in str(fault):
            return _no_space(data_dir)
    return "The local engine hit an internal error; see its log."


def _no_space(data_dir: os.PathLike[str]) -> str:
    return f"No space left on the device holding {data_dir}; free some space and start it again."


def disk_full(data_dir: os.PathLike[str]) -> str | None:
    """The failure reason when the device holding ``data_dir`` has (almost) no space left
    (under ``DISK_FULL_BYTES``), else None."""
    try:
        free = shutil.disk_usage(data_dir).free
    except OSError:
        return None
    return _no_space(data_dir) if free < DISK_FULL_BYTES else None
