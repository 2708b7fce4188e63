"""Jobs whose worker died: resumed once, then failed with a reason, never left running.

A worker that dies mid-job is detected by ``liveness.worker_alive`` (on this host its pid is
gone; on another host its heartbeat is stale). Its job is queued again while it has attempts
left, the disk has room and nobody asked it to stop; otherwise it ends: STOPPED when a stop
was asked for (a worker killed in CREATE STOPPING: StopSolutionVersionCreation's CREATE
STOPPING -> CREATE STOPPED), else FAILED with a resource that says why.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from sqlalchemy import Engine, select, update

from services.local.data.storage import tables as t
from services.local.data.storage.resources import Resources
from services.local.jobs.failure_reasons import disk_full, ended
from services.local.jobs.liveness import worker_alive

_log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2  # the first run plus one resume after a crash


def recover_dead_jobs(db: Engine, data_dir: Path) -> tuple[int, bool]:
    """Requeue or fail jobs whose worker died. Returns (how many were touched, whether any
    job is queued now)."""
    now = time.time()
    touched = 0
    with db.begin() as conn:
        running = conn.execute(select(t.jobs).where(t.jobs.c.state == "running")).all()
        res = Resources(conn, now)
        for job in running:
            if worker_alive(job.worker, job.heartbeat, now):
                continue
            touched += 1
            full = disk_full(data_dir)
            if job.attempts < MAX_ATTEMPTS and not job.cancel and full is None:
                _log.warning("resuming %s %s after its worker died", job.kind, job.arn)
                conn.execute(
                    update(t.jobs).where(t.jobs.c.id == job.id).values(state="queued", worker=None)
                )
                continue
            reason = full or (
                "The local engine stopped while this job ran"
                + (" (twice)" if job.attempts >= MAX_ATTEMPTS else "")
                + "; start it again."
            )
            conn.execute(update(t.jobs).where(t.jobs.c.id == job.id).values(state="failed"))
            doc = res.find(job.arn)
            # A stop was asked for (CREATE STOPPING): the job ends as asked, STOPPED. A worker
            # that died after writing its outcome (ACTIVE) but before settling its row keeps it.
            outcome = "STOPPED" if job.cancel else "FAILED"
            if doc is not None and (status := ended(str(doc.get("status", "")), outcome)):
                doc.update(status=status, lastUpdatedDateTime=now)
                if not job.cancel:
                    doc["failureReason"] = reason
                res.save(job.arn, doc)
        queued = conn.execute(select(t.jobs.c.id).where(t.jobs.c.state == "queued")).first()
    return touched, queued is not None
