"""Background work (imports, training, batch inference) claimed through the database.

Several processes may share one data directory (the dashboard and ``make serve``), so a job is
claimed with a row update inside a write transaction, never by an in-memory flag. Training runs
in a worker process by default so it cannot starve a Streamlit server; a worker that dies
mid-job is detected (its pid is gone, or its heartbeat is stale) and the job is resumed once,
then failed with a reason, so nothing stays IN_PROGRESS forever.

How a worker learns of a job: the engine that queued it kicks its own worker right after the
transaction commits (a byte down the worker process's stdin, or an event for the thread), so
a job starts within milliseconds; a worker also looks at the queue every ``POLL_SECONDS`` for
jobs other processes queued. A worker process is started with the engine, because starting
an interpreter with pandas and pyarrow takes a second or more; it exits after
``IDLE_EXIT_SECONDS`` without work and the next job starts a new one.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

import psutil
from sqlalchemy import Connection, insert, select, update

from services.local.data import tables as t
from services.local.data.resources import FAILED, Resources
from services.local.jobs.context import JobContext, ShuttingDown

if TYPE_CHECKING:
    from services.local.context import EngineContext

_log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0
STALE_SECONDS = 30.0  # a worker on another host is presumed dead after this much silence
MAX_ATTEMPTS = 2  # the first run plus one resume after a crash
IDLE_EXIT_SECONDS = 30.0
POLL_SECONDS = 0.2  # how often an idle worker looks for jobs queued by other processes


def _identity() -> str:
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


class JobRunner:
    """Queues jobs and runs them in a worker process or thread."""

    def __init__(self, engine: EngineContext, *, enabled: bool = True) -> None:
        self.engine = engine
        self.enabled = enabled
        self.mode = engine.settings.worker_mode
        self.identity = _identity()
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()  # a job was queued (kick) or the worker should stop
        self._parent_gone = False
        self._swept = False
        self._lock = threading.Lock()

    @property
    def stopping(self) -> bool:
        """True once ``stop`` was called."""
        return self._stop.is_set()

    # -- queueing -------------------------------------------------------------------------
    def enqueue(self, conn: Connection, kind: str, arn: str) -> None:
        """Queue a job inside the caller's transaction (it exists only if that commits)."""
        conn.execute(
            insert(t.jobs).values(
                kind=kind, arn=arn, state="queued", attempts=0, cancel=0, created=time.time()
            )
        )

    def cancel(self, conn: Connection, arn: str, *, finished: bool) -> None:
        """Ask a job to stop; ``finished`` marks a job that never started as done."""
        values: dict[str, Any] = {"cancel": 1}
        if finished:
            values["state"] = "done"
        conn.execute(update(t.jobs).where(t.jobs.c.arn == arn).values(**values))

    def kick(self) -> None:
        """Make sure a worker is running and looks at the queue now (call after commit)."""
        if not self.enabled:
            return
        with self._lock:
            if self.mode == "thread":
                if self._thread is None or not self._thread.is_alive():
                    self._stop.clear()
                    self._thread = threading.Thread(
                        target=self.work,
                        kwargs={"idle_exit": IDLE_EXIT_SECONDS},
                        name="personalize-local-worker",
                        daemon=True,
                    )
                    self._thread.start()
                self._wake.set()
                return
            if self._proc is None or self._proc.poll() is not None:
                if self._proc is not None and self._proc.stdin is not None:
                    self._proc.stdin.close()
                self._proc = spawn_worker(self.engine)  # it looks at the queue when it starts
                return
            _nudge(self._proc)

    def warm(self) -> None:
        """Start the worker process ahead of the first job (process mode; threads start fast)."""
        if self.mode == "process":
            self.kick()

    def listen(self, kicks: BinaryIO) -> None:
        """In a worker process: wake on each byte from ``kicks`` (the engine's pipe); its end
        means the engine is gone. Runs a daemon thread."""

        def read() -> None:
            while kicks.read1(64):
                self._wake.set()
            self._parent_gone = True
            self._wake.set()

        threading.Thread(target=read, name="personalize-local-kicks", daemon=True).start()

    def stop(self) -> None:
        """Stop this engine's worker (thread or process)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        if self._proc is not None and self._proc.stdin is not None:
            self._proc.stdin.close()

    # -- recovery -------------------------------------------------------------------------
    def recover(self) -> int:
        """Requeue or fail jobs whose worker died. Returns how many were touched."""
        now = time.time()
        touched = 0
        with self.engine.db.begin() as conn:
            running = conn.execute(select(t.jobs).where(t.jobs.c.state == "running")).all()
            res = Resources(conn, now)
            for job in running:
                if worker_alive(job.worker, job.heartbeat, now):
                    continue
                touched += 1
                if job.attempts < MAX_ATTEMPTS and not job.cancel:
                    _log.warning("resuming %s %s after its worker died", job.kind, job.arn)
                    conn.execute(
                        update(t.jobs)
                        .where(t.jobs.c.id == job.id)
                        .values(state="queued", worker=None)
                    )
                    continue
                reason = (
                    "The local engine stopped while this job ran"
                    + (" (twice)" if job.attempts >= MAX_ATTEMPTS else "")
                    + "; start it again."
                )
                conn.execute(update(t.jobs).where(t.jobs.c.id == job.id).values(state="failed"))
                doc = res.find(job.arn)
                if doc is not None:
                    doc["status"] = "CREATE STOPPED" if job.cancel else FAILED
                    if not job.cancel:
                        doc["failureReason"] = reason
                    doc["lastUpdatedDateTime"] = now
                    res.save(job.arn, doc)
            queued = conn.execute(select(t.jobs.c.id).where(t.jobs.c.state == "queued")).first()
        if touched or not self._swept:
            # Files a dead worker wrote but never registered (and, once per engine, any other
            # process's): now that its jobs are no longer running, they are orphans.
            self._swept = True
            try:
                self.engine.bulk.sweep(self.engine.read_db)
            except OSError:
                _log.exception("deleting orphaned bulk files failed")
        if queued is not None:
            self.kick()
        return touched

    # -- the worker loop --------------------------------------------------------------------
    def claim(self) -> tuple[int, str, str] | None:
        """Take the oldest queued job, or None."""
        with self.engine.db.begin() as conn:
            row = conn.execute(
                select(t.jobs.c.id, t.jobs.c.kind, t.jobs.c.arn, t.jobs.c.attempts)
                .where(t.jobs.c.state == "queued")
                .order_by(t.jobs.c.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            conn.execute(
                update(t.jobs)
                .where(t.jobs.c.id == row.id)
                .values(
                    state="running",
                    worker=self.identity,
                    heartbeat=time.time(),
                    attempts=row.attempts + 1,
                )
            )
        return row.id, row.kind, row.arn

    def work(self, idle_exit: float = IDLE_EXIT_SECONDS, parent: int | None = None) -> None:
        """Run jobs until idle for ``idle_exit`` seconds (or the parent process is gone)."""
        from services.local.jobs.tasks.registry import TASKS

        idle_since = time.monotonic()
        last_reap = 0.0
        while not self._stop.is_set():
            if time.monotonic() - last_reap > STALE_SECONDS / 3:
                self.recover_quietly()
                last_reap = time.monotonic()
            job = self.claim()
            if job is None:
                if time.monotonic() - idle_since > idle_exit or self._orphaned(parent):
                    return
                self._wake.wait(POLL_SECONDS)
                self._wake.clear()  # before the next claim, so a kick from now on is seen
                continue
            job_id, kind, arn = job
            self._run(job_id, arn, TASKS[kind])
            idle_since = time.monotonic()

    def _orphaned(self, parent: int | None) -> bool:
        return self._parent_gone or (parent is not None and not psutil.pid_exists(parent))

    def recover_quietly(self) -> None:
        """``recover`` without kicking a new worker (this one is running)."""
        enabled, self.enabled = self.enabled, False
        try:
            self.recover()
        except Exception:  # recovery must never stop the loop that does the work
            _log.exception("job recovery failed")
        finally:
            self.enabled = enabled

    def _run(self, job_id: int, arn: str, task: Callable[..., None]) -> None:
        beat_stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job_id, beat_stop), daemon=True)
        beat.start()
        state: str | None = "done"
        try:
            task(self.engine, arn, JobContext(self, job_id, arn))
        except ShuttingDown:
            state = None  # left "running"; the next engine's recovery resumes it
        except Exception:
            # Tasks record their own failureReason; this catches bugs so the loop survives.
            _log.exception("job %s failed", arn)
            state = "failed"
            _mark_failed(self.engine, arn, "The local engine hit an internal error; see its log.")
        finally:
            beat_stop.set()
            beat.join()
            if state is not None:
                with self.engine.db.begin() as conn:
                    conn.execute(update(t.jobs).where(t.jobs.c.id == job_id).values(state=state))

    def _heartbeat(self, job_id: int, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                with self.engine.db.begin() as conn:
                    conn.execute(
                        update(t.jobs).where(t.jobs.c.id == job_id).values(heartbeat=time.time())
                    )
            except Exception:  # a missed beat is harmless; the next one retries
                _log.debug("heartbeat failed", exc_info=True)


def _mark_failed(engine: EngineContext, arn: str, reason: str) -> None:
    with engine.tx() as res:
        doc = res.find(arn)
        if doc is not None and doc.get("status") not in ("ACTIVE", FAILED):
            doc.update(status=FAILED, failureReason=reason, lastUpdatedDateTime=res.now)
            res.save(arn, doc)


def _nudge(proc: subprocess.Popen[bytes]) -> None:
    """Tell a worker process to look at the queue now (it polls anyway, so a lost nudge
    only costs a poll interval)."""
    if proc.stdin is None:
        return
    try:
        os.write(proc.stdin.fileno(), b"\n")
    except (BlockingIOError, BrokenPipeError, ValueError):
        pass  # the pipe is full of unread nudges, or the worker is exiting


def spawn_worker(engine: EngineContext) -> subprocess.Popen[bytes]:
    """Start ``python -m services.local worker`` for this engine's data directory."""
    settings = engine.settings
    env = dict(os.environ)
    env.update(
        PERSONALIZE_DATA_DIR=str(engine.data_dir),
        LOCAL_ENGINE_DB_URL=settings.engine_db_url,
        PERSONALIZE_LOCAL_LIFECYCLE_SECONDS=str(settings.lifecycle_seconds),
        PERSONALIZE_LOCAL_MIN_TRAINING_SECONDS=str(settings.min_training_seconds),
        AWS_REGION=settings.region,
        OPENBLAS_NUM_THREADS=env.get("OPENBLAS_NUM_THREADS", "1"),
        # Imports are faster on the system allocator than on pyarrow's default, mimalloc
        # (bench/import_phases.py: 0.97 s against 1.18 s for a first 3M-row import).
        ARROW_DEFAULT_MEMORY_POOL=env.get("ARROW_DEFAULT_MEMORY_POOL", "system"),
    )
    cmd = [sys.executable, "-m", "services.local", "worker", "--parent", str(os.getpid())]
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
