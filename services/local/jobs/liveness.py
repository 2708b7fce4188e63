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
    """Whether the process that claimed a job still runs (pid check on this host)."""
    if not worker:
        return False
    host, _, rest = worker.partition(":")
    pid_text, _, started = rest.partition(":")
    # A worker that stopped beating is hung or gone, wherever it runs.
    if heartbeat is None or now - heartbeat >= STALE_SECONDS:
        return False
    if host != socket.gethostname():
        return True
    try:
        proc = psutil.Process(int(pid_text))
        # A killed child whose parent died too may linger as a zombie nobody reaps.
        return (
            abs(proc.create_time() - float(started)) < 0.01
            and proc.status() != psutil.STATUS_ZOMBIE
        )
    except (psutil.Error, ValueError):
        return False
