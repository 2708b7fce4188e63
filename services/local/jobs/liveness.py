"""Who runs a job and whether it still does: a worker's identity and the liveness check.

A claimed job row names its worker as ``host:pid:start-time`` and carries a heartbeat (epoch
seconds) the worker refreshes every ``HEARTBEAT_SECONDS``; recovery asks ``worker_alive``.
"""

from __future__ import annotations

import socket

import psutil

HEARTBEAT_SECONDS = 1.0
STALE_SECONDS = 30.0  # a worker on another host is presumed dead after this much silence


def worker_identity() -> str:
    """This process as a job row names it: ``host:pid:start-time``."""
    proc = psutil.Process()
    return f"{socket.gethostname()}:{proc.pid}:{proc.create_time():.3f}"


def worker_alive(worker: str | None, heartbeat: float | None, now: float) -> bool:
    """Whether the process that claimed a job still runs.

    ``worker`` is the row's ``host:pid:start-time`` (``worker_identity``), ``heartbeat`` and
    ``now`` epoch seconds. On this host the process table decides and the heartbeat is not
    asked: the pid runs, started at the time the row names (not a later process that reuses
    the pid), and is not a zombie (a killed child whose parent died too may linger unreaped).
    A heartbeat is a thread of the worker that needs the GIL and a core: a long numpy or
    pandas pass on a loaded machine can starve it for minutes (issue #24: at load 18-34 on 2
    cores a training job was started again while its worker still trained it). Only for a
    worker on another host (several hosts sharing one PostgreSQL database), whose pid cannot
    be checked from here, does a heartbeat older than ``STALE_SECONDS`` mean dead.

    A worker on this host that is alive but hung therefore keeps its job: nothing here can
    tell hung from slow. The user can stop the job (StopSolutionVersionCreation and the like
    set its cancel flag, which the task reads at its next progress check) or end the worker
    process (its pid is in the job row and in worker.log); recovery then resumes or fails the
    job. Should a live worker's job be requeued anyway (another host misjudged a slow one),
    the old worker's writes are fenced off (``services.local.jobs.claimed``).
    """
    if not worker:
        return False
    host, _, rest = worker.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname():
        return heartbeat is not None and now - heartbeat < STALE_SECONDS
    try:
        proc = psutil.Process(int(pid_text))
        return (
            abs(proc.create_time() - float(started)) < 0.01
            and proc.status() != psutil.STATUS_ZOMBIE
        )
    except (psutil.Error, ValueError):
        return False
