"""Servers a test starts die with the test process (issue #25).

A PostgreSQL or Streamlit server started by a test outlived a test run that was killed (``kill
-9`` of pytest, an xdist worker killed by its controller or by pytest-timeout's hard limit):
nothing ran its ``finally``, so the server kept its port and its temporary data directory.
``guard`` starts this file as a small process beside the server; it checks twice a second
whether the process that started it is still its parent, and when that process is gone it ends
the server (``signal``, then SIGKILL after ``GRACE_SECONDS``) and deletes the given folders.
When the server is stopped normally the watchdog sees it gone and exits by itself.

It watches its own parent (``os.getppid``), so a reused pid cannot fool it, and it works for a
server that is not the test's child (``pg_ctl`` detaches the postmaster). Linux's
``PR_SET_PDEATHSIG`` would not: it is cleared by the switch to the ``postgres`` user and fires
when the starting *thread* ends, not the process.

Run as a script in isolated mode (``python -I tests/watchdog.py PARENT PID SIGNAL [FOLDER ...]``)
so it imports nothing but the standard library.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

POLL_SECONDS = 0.5
GRACE_SECONDS = 10.0


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust kill(0)
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def end(pid: int, first: signal.Signals, grace: float = GRACE_SECONDS) -> None:
    """Send ``first`` to ``pid``; SIGKILL it if it still runs after ``grace`` seconds."""
    for sig, wait in ((first, grace), (signal.SIGKILL, grace)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not alive(pid):
                return
            time.sleep(0.05)


def guard(pid: int, sig: signal.Signals, remove: Iterable[Path] = ()) -> subprocess.Popen[bytes]:
    """Start a watchdog that ends ``pid`` with ``sig`` (and deletes ``remove``) if the calling
    process dies first. Keep the returned process and ``wait`` for it after stopping the
    server (it exits within ``POLL_SECONDS`` of the server)."""
    argv = [sys.executable, "-I", __file__, str(os.getpid()), str(pid), sig.name, *map(str, remove)]
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C meant for pytest does not end the watchdog first
    )


def main(argv: list[str]) -> int:
    parent, pid, sig, folders = int(argv[0]), int(argv[1]), signal.Signals[argv[2]], argv[3:]
    while alive(pid):
        if os.getppid() != parent:
            end(pid, sig)
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)
            return 0
        time.sleep(POLL_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
