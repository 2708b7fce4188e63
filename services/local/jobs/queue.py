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

Exiting races with queueing: a job committed just as the worker decides to go must not wait
for the next kick. So a worker first stops accepting kicks (a thread unregisters itself; a
process closes its end of the pipe, so the engine's next kick fails with EPIPE and starts a new
worker), then looks at the queue once more and runs what it finds before it exits. Either the
kick reached a worker that still looks at the queue afterwards, or it found none and started
one. On every request the engine also reaps a worker that exited (no zombies) and, at most every
``WATCH_SECONDS``, recovers jobs whose worker died and starts a worker for queued jobs nobody
runs, so a dead worker is replaced by whichever process notices first, not at the next job.
"""

from __future__ import annotations

import errno
import logging
import os
import select as selectors
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO

import psutil
from sqlalchemy import Connection, exists, insert, select, update
from sqlalchemy.exc import OperationalError

from services.local.data import tables as t
from services.local.data.faults import StorageFault
from services.local.data.resources import FAILED, Resources
from services.local.jobs.context import JobContext, ShuttingDown, Task

if TYPE_CHECKING:
    from services.local.context import EngineContext

_log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0
STALE_SECONDS = 30.0  # a worker on another host is presumed dead after this much silence
MAX_ATTEMPTS = 2  # the first run plus one resume after a crash
IDLE_EXIT_SECONDS = 30.0
POLL_SECONDS = 0.2  # how often an idle worker looks for jobs queued by other processes
WATCH_SECONDS = 1.0  # how often a request may look for dead workers' and unclaimed jobs
RETRY_RECORD_SECONDS = 1.0  # how often a worker retries writing an outcome that failed to save
DISK_FULL_BYTES = 1 << 20  # below this much free space a dead worker's job is failed, not resumed


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

    def __init__(
        self,
        engine: EngineContext,
        *,
        tasks: Mapping[str, Task],
        enabled: bool = True,
        idle_exit: float = IDLE_EXIT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self._tasks = dict(tasks)  # job kind -> its work (jobs.tasks.registry), from the engine
        self.enabled = enabled
        self.mode = engine.settings.worker_mode
        self.identity = _identity()
        # Seconds without work before a worker exits, and the clock that measures them
        # (monotonic seconds); tests shorten the one and drive the other.
        self.idle_exit = idle_exit
        self.clock = clock
        self._proc: subprocess.Popen[bytes] | None = None
        self._exiting: list[subprocess.Popen[bytes]] = []  # stopped listening, not yet reaped
        self._thread: threading.Thread | None = None
        self._threads: list[threading.Thread] = []  # every worker thread started, for stop()
        self._stop = threading.Event()
        self._wake = threading.Event()  # a job was queued (kick) or the worker should stop
        self._parent_gone = False
        self._swept = False
        self._lock = threading.Lock()
        self._last_watch = -WATCH_SECONDS
        self._listener: threading.Thread | None = None
        self._kicks_fd: int | None = None
        self._kicks: BinaryIO | None = None
        self._unlisten: int | None = None  # written to make the listener thread return
        # Outcomes a task reached but could not save (the disk was full): job id -> (arn,
        # state, failure reason); the loop retries them and exits only once they are saved.
        self._unsaved: dict[int, tuple[str, str, str | None]] = {}

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
                # A thread that is exiting has unregistered itself (see _stop_listening).
                if self._thread is None or not self._thread.is_alive():
                    self._stop.clear()
                    self._thread = threading.Thread(
                        target=self.work,
                        name="personalize-local-worker",
                        daemon=True,
                    )
                    self._threads = [th for th in self._threads if th.is_alive()]
                    self._threads.append(self._thread)
                    self._thread.start()
                self._wake.set()
                return
            self._reap()
            if self._proc is not None:
                if _nudge(self._proc):
                    return
                # EPIPE: it closed its end of the pipe, so it is exiting and may already
                # have looked at the queue for the last time.
                self._exiting.append(self._proc)
            # A new worker looks at the queue when it starts.
            self._proc = spawn_worker(self.engine, idle_exit=self.idle_exit)

    def warm(self) -> None:
        """Start the worker process ahead of the first job (process mode; threads start fast)."""
        if self.mode == "process":
            self.kick()

    def listen(self, kicks: BinaryIO) -> None:
        """In a worker process: wake on each byte from ``kicks`` (the engine's pipe); its end
        means the engine is gone. Runs a thread until the worker exits (``_stop_listening``).

        It reads the file descriptor, not the buffered file: a daemon thread blocked inside a
        buffered read of stdin aborts the interpreter at exit (``_enter_buffered_busy``).
        """
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
                        self._parent_gone = True
                        self._wake.set()
                        return
                    self._wake.set()
            finally:
                os.close(stop_read)

        self._listener = threading.Thread(target=read, name="personalize-local-kicks")
        self._listener.daemon = True
        self._listener.start()

    def stop(self) -> None:
        """Stop this engine's worker (thread or process)."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=10)
        for proc in [*self._exiting, *([self._proc] if self._proc is not None else [])]:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdin is not None:
                proc.stdin.close()
        self._proc, self._exiting = None, []

    def _reap(self) -> None:
        """Collect worker processes that exited (a child nobody waits for stays a zombie).
        Call with ``_lock`` held."""
        if self._proc is not None and self._proc.poll() is not None:
            # An idle exit is routine; anything else is worth a line (its jobs are recovered).
            level = logging.DEBUG if self._proc.returncode == 0 else logging.WARNING
            _log.log(level, "worker %s ended (exit code %s)", self._proc.pid, self._proc.returncode)
            if self._proc.stdin is not None:
                self._proc.stdin.close()
            self._proc = None
        for proc in list(self._exiting):
            if proc.poll() is not None:
                if proc.stdin is not None:
                    proc.stdin.close()
                self._exiting.remove(proc)

    def watch(self) -> None:
        """Called on every request: reap exited workers; at most every ``WATCH_SECONDS``,
        recover jobs whose worker died (``recover``) and start a worker for queued jobs when
        this engine runs none. Never raises: a request must not fail because recovery did."""
        if not self.enabled or self._stop.is_set():
            return
        now = self.clock()
        if now - self._last_watch < WATCH_SECONDS:
            return
        self._last_watch = now
        try:
            with self._lock:
                if self.mode == "process":
                    self._reap()
                idle = (
                    self._proc is None
                    if self.mode == "process"
                    else self._thread is None or not self._thread.is_alive()
                )
            if self._needs_recovery(idle):
                self.recover()
        except Exception:
            _log.exception("looking for dead workers failed")

    def _needs_recovery(self, idle: bool) -> bool:
        """One read: a running job whose worker is gone, or (``idle``) a job queued for longer
        than a live worker anywhere would leave it (they poll every ``POLL_SECONDS``)."""
        now = time.time()
        with self.engine.read_db.begin() as conn:
            running = conn.execute(
                select(t.jobs.c.worker, t.jobs.c.heartbeat).where(t.jobs.c.state == "running")
            ).all()
            if any(not worker_alive(row.worker, row.heartbeat, now) for row in running):
                return True
            if not idle:
                return False
            waiting = exists().where(
                t.jobs.c.state == "queued", t.jobs.c.created < now - WATCH_SECONDS
            )
            return bool(conn.execute(select(waiting)).scalar())

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
                full = _disk_full(self.engine.data_dir)
                if job.attempts < MAX_ATTEMPTS and not job.cancel and full is None:
                    _log.warning("resuming %s %s after its worker died", job.kind, job.arn)
                    conn.execute(
                        update(t.jobs)
                        .where(t.jobs.c.id == job.id)
                        .values(state="queued", worker=None)
                    )
                    continue
                reason = full or (
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

    def work(self, idle_exit: float | None = None, parent: int | None = None) -> None:
        """Run jobs until idle for ``idle_exit`` seconds (default ``self.idle_exit``, measured
        by ``self.clock``) or the parent process is gone; then stop accepting kicks, run what
        is still queued, and return."""
        limit = self.idle_exit if idle_exit is None else idle_exit
        idle_since = self.clock()
        last_reap = -STALE_SECONDS
        while not self._stop.is_set():
            if self.clock() - last_reap > STALE_SECONDS / 3:
                self.recover_quietly()
                last_reap = self.clock()
            if self._unsaved:
                self._save_outcomes()
            job = self._claim_quietly()
            if job is None:
                idle = self.clock() - idle_since
                if not self._unsaved and (idle >= limit or self._orphaned(parent)):
                    _log.info("worker %d idle for %.1fs: exiting", os.getpid(), idle)
                    self._stop_listening()
                    # A job queued before we stopped listening was kicked to us: run it.
                    while not self._stop.is_set() and (job := self._claim_quietly()):
                        self._run(job[0], job[2], self._tasks[job[1]])
                    while self._unsaved and not self._stop.wait(RETRY_RECORD_SECONDS):
                        self._save_outcomes()
                    return
                self._wake.wait(RETRY_RECORD_SECONDS if self._unsaved else POLL_SECONDS)
                self._wake.clear()  # before the next claim, so a kick from now on is seen
                continue
            job_id, kind, arn = job
            self._run(job_id, arn, self._tasks[kind])
            idle_since = self.clock()

    def _claim_quietly(self) -> tuple[int, str, str] | None:
        """``claim``, or None while the database cannot be written (a full disk)."""
        try:
            return self.claim()
        except OperationalError:
            _log.warning("cannot claim a job: the engine database is not writable", exc_info=True)
            return None

    def _stop_listening(self) -> None:
        """Stop accepting kicks: kicks from now on start a new worker instead."""
        if self._listener is None:  # a worker thread of this engine
            with self._lock:
                if self._thread is threading.current_thread():
                    self._thread = None
            return
        assert self._unlisten is not None and self._kicks_fd is not None
        try:
            os.write(self._unlisten, b"x")
        except BrokenPipeError:
            pass  # it already returned: the engine closed the pipe
        self._listener.join()
        os.close(self._unlisten)
        # Our end of the pipe closes (fd reused for /dev/null, so stdin stays a valid file):
        # the engine's next kick fails with EPIPE and starts a new worker.
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, self._kicks_fd)
        os.close(devnull)
        self._listener = self._unlisten = self._kicks_fd = None

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
        reason: str | None = None
        try:
            task(self.engine, arn, JobContext(self, job_id, arn))
        except ShuttingDown:
            state = None  # left "running"; the next engine's recovery resumes it
        except Exception as err:
            # Tasks record their own failureReason; this catches bugs, and a task that could
            # not record its failure, so the loop survives.
            _log.exception("job %s failed", arn)
            state = "failed"
            reason = _failure_reason(err, self.engine.data_dir)
        finally:
            beat_stop.set()
            beat.join()
            if state is not None:
                with self._lock:
                    self._unsaved[job_id] = (arn, state, reason)
                self._save_outcomes()

    def _save_outcomes(self) -> None:
        """Write the outcomes of finished jobs; one that cannot be written (the database is on
        a full disk) stays in ``_unsaved`` for the loop to retry, and the worker lives on."""
        # A thread of this engine that is exiting may still be saving its own (thread mode).
        with self._lock:
            outcomes = list(self._unsaved.items())
        for job_id, (arn, state, reason) in outcomes:
            try:
                with self.engine.tx() as res:
                    # Only while it is still ours: recovery may have given it to another worker.
                    mine = res.conn.execute(
                        update(t.jobs)
                        .where(
                            t.jobs.c.id == job_id,
                            t.jobs.c.worker == self.identity,
                            t.jobs.c.state == "running",
                        )
                        .values(state=state)
                    ).rowcount
                    if mine and reason is not None:
                        _fail_doc(res, arn, reason)
            except Exception:
                _log.warning("cannot save the outcome of job %s yet", arn, exc_info=True)
                continue
            with self._lock:
                self._unsaved.pop(job_id, None)

    def _heartbeat(self, job_id: int, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                with self.engine.db.begin() as conn:
                    conn.execute(
                        update(t.jobs).where(t.jobs.c.id == job_id).values(heartbeat=time.time())
                    )
            except Exception:  # a missed beat is harmless; the next one retries
                _log.debug("heartbeat failed", exc_info=True)


def _fail_doc(res: Resources, arn: str, reason: str) -> None:
    doc = res.find(arn)
    if doc is not None and doc.get("status") not in ("ACTIVE", FAILED):
        doc.update(status=FAILED, failureReason=reason, lastUpdatedDateTime=res.now)
        res.save(arn, doc)


def _failure_reason(err: BaseException, data_dir: os.PathLike[str]) -> str:
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


def _disk_full(data_dir: os.PathLike[str]) -> str | None:
    """The failure reason when the device holding ``data_dir`` has (almost) no space left
    (under ``DISK_FULL_BYTES``), else None."""
    try:
        free = shutil.disk_usage(data_dir).free
    except OSError:
        return None
    return _no_space(data_dir) if free < DISK_FULL_BYTES else None


def _nudge(proc: subprocess.Popen[bytes]) -> bool:
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


def spawn_worker(
    engine: EngineContext, *, idle_exit: float = IDLE_EXIT_SECONDS
) -> subprocess.Popen[bytes]:
    """Start ``python -m services.local worker`` for this engine's data directory; it exits
    after ``idle_exit`` seconds without work."""
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
