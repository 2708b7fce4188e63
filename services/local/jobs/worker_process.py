"""The worker process: how the engine starts one and kicks it, and how it hears the kicks.

The engine writes a byte down the worker's stdin after queueing a job (``nudge``); the worker
reads them on a thread (``KickListener``) that sets its wake event. Closing the worker's end of
the pipe is how it stops accepting kicks: the engine's next kick fails with EPIPE and starts a
new worker (``spawn_worker``).
"""

from __future__ import annotations

import os
import select as selectors
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from services.local.context import EngineContext


def nudge(proc: subprocess.Popen[bytes]) -> bool:
    """Tell a worker process to look at the queue now (it polls anyway, so a nudge lost to a
    full pipe only costs a poll interval). False when the worker closed its end (it is
    exiting) or its pipe is closed."""
    if proc.stdin is None or proc.stdin.closed:
        return False
    try:
        os.write(proc.stdin.fileno(), b"\n")
    except BlockingIOError:
        return True  # the pipe is full of nudges it has not read yet: it is busy, not gone
    except (BrokenPipeError, ValueError, OSError):
        return False
    return True


def spawn_worker(engine: EngineContext, *, idle_exit: float) -> subprocess.Popen[bytes]:
    """Start ``python -m services.local worker`` for this engine's data directory; it exits
    after ``idle_exit`` seconds without work."""
    settings = engine.settings
    env = dict(os.environ)
    env.update(
        PERSONALIZE_DATA_DIR=str(engine.data_dir),
        LOCAL_ENGINE_DB_URL=settings.engine_db_url,
        PERSONALIZE_LOCAL_LIFECYCLE_SECONDS=str(settings.lifecycle_seconds),
        PERSONALIZE_LOCAL_MIN_TRAINING_SECONDS=str(settings.min_training_seconds),
        PERSONALIZE_LOCAL_COMPILE_CACHE=str(settings.compile_cache_dir),
        AWS_REGION=settings.region,
        OPENBLAS_NUM_THREADS=env.get("OPENBLAS_NUM_THREADS", "1"),
        # pyarrow on the system allocator, not its default, mimalloc: a first 3M-row import
        # was faster on it (bench/import_phases.py: 0.97 s against 1.18 s), and the ×10
        # shop's training peak was measured on it. Imports now switch to mimalloc while they
        # run (jobs/tasks/import_memory.py).
        ARROW_DEFAULT_MEMORY_POOL=env.get("ARROW_DEFAULT_MEMORY_POOL", "system"),
        # mimalloc without transparent huge pages (read once, when pyarrow loads): it asks for
        # them on its whole 1 GiB arena, so each page an import touches, and touches again
        # after mimalloc gave it back, is a 2 MiB page the kernel zeroes first. An import of
        # 6,000,000 events took 2.7 s of CPU instead of 3.4-3.8 (bench/import_vs_pyarrow.py,
        # rounds alternating with the code before, load 6).
        MIMALLOC_ALLOW_THP=env.get("MIMALLOC_ALLOW_THP", "0"),
    )
    cmd = [sys.executable, "-m", "services.local", "worker", "--parent", str(os.getpid())]
    cmd += ["--idle-exit", repr(float(idle_exit))]
    log = open(engine.data_dir / "worker.log", "ab")  # noqa: SIM115 - the child owns it
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.PIPE,  # kicks (see module doc)
        start_new_session=True,
    )
    assert proc.stdin is not None
    os.set_blocking(proc.stdin.fileno(), False)  # a kick never waits on a busy worker
    return proc


class KickListener:
    """In a worker process: set ``wake`` on each byte from ``kicks`` (the engine's pipe); its
    end means the engine is gone (``parent_gone``). Runs a thread until ``close``.

    It reads the file descriptor, not the buffered file: a daemon thread blocked inside a
    buffered read of stdin aborts the interpreter at exit (``_enter_buffered_busy``).
    """

    def __init__(self, kicks: BinaryIO, wake: threading.Event) -> None:
        self.parent_gone = False
        fd = kicks.fileno()
        stop_read, self._unlisten = os.pipe()
        self._kicks_fd = fd
        self._kicks = kicks  # closing the file (when collected) would close fd under us

        def read() -> None:
            try:
                while True:
                    ready, _, _ = selectors.select([fd, stop_read], [], [])
                    if stop_read in ready:
                        return
                    if not os.read(fd, 64):
                        self.parent_gone = True
                        wake.set()
                        return
                    wake.set()
            finally:
                os.close(stop_read)

        self._thread = threading.Thread(target=read, name="personalize-local-kicks")
        self._thread.daemon = True
        self._thread.start()

    def close(self) -> None:
        """Stop accepting kicks: the engine's kicks from now on start a new worker."""
        try:
            os.write(self._unlisten, b"x")
        except BrokenPipeError:
            pass  # it already returned: the engine closed the pipe
        self._thread.join()
        os.close(self._unlisten)
        # Our end of the pipe closes (fd reused for /dev/null, so stdin stays a valid file):
        # the engine's next kick fails with EPIPE and starts a new worker.
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, self._kicks_fd)
        os.close(devnull)
