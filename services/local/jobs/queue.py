"""Background work (imports, training, batch inference) claimed through the database.

Several processes may share one data directory (the dashboard and ``make serve``), so a job is
claimed with a row update inside a write transaction (``job_table``), never by an in-memory
flag. Training runs in a worker process by default (``worker_process``) so it cannot starve a
Streamlit server; a worker that dies mid-job is detected (``liveness``) and the job is resumed
once, then failed with a reason (``recovery``), so nothing stays IN_PROGRESS forever. A task
writes only while its job is still its worker's (``claimed``): a worker wrongly presumed dead
whose job went to another stops without overwriting the new claim's work.

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

import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, BinaryIO

import psutil
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from services.local.jobs import job_table
from services.local.jobs.claimed import ClaimedEngine
from services.local.jobs.context import ClaimLost, JobContext, ShuttingDown, Task
from services.local.jobs.failure_reasons import fail_doc, failure_reason
from services.local.jobs.liveness import HEARTBEAT_SECONDS, STALE_SECONDS, worker_identity
from services.local.jobs.recovery import recover_dead_jobs
from services.local.jobs.worker_process import KickListener, nudge, spawn_worker

if TYPE_CHECKING:
    from services.local.context import EngineContext

_log = logging.getLogger(__name__)

IDLE_EXIT_SECONDS = 30.0
POLL_SECONDS = 0.2  # how often an idle worker looks for jobs queued by other processes
WATCH_SECONDS = 1.0  # how often a request may look for dead workers' and unclaimed jobs
RETRY_RECORD_SECONDS = 1.0  # how often a worker retries writing an outcome that failed to save


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
        self.identity = worker_identity()
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
        self._swept = False
        self._lock = threading.Lock()
        self._last_watch = -WATCH_SECONDS
        self._listener: KickListener | None = None  # in a worker process: the engine's kicks
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
        job_table.enqueue(conn, kind, arn)

    def cancel(self, conn: Connection, arn: str, *, finished: bool) -> None:
        """Ask a job to stop; ``finished`` marks a job that never started as done."""
        job_table.cancel(conn, arn, finished=finished)

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
                if nudge(self._proc):
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
        means the engine is gone. Listens until the worker exits (``_stop_listening``)."""
        self._listener = KickListener(kicks, self._wake)

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
        """A running job whose worker is gone, or (``idle``) a job queued for longer than a
        live worker anywhere would leave it (they poll every ``POLL_SECONDS``)."""
        return job_table.unattended(self.engine.read_db, idle=idle, queued_for=WATCH_SECONDS)

    # -- recovery -------------------------------------------------------------------------
    def recover(self) -> int:
        """Requeue or fail jobs whose worker died. Returns how many were touched."""
        touched, queued = recover_dead_jobs(self.engine.db, self.engine.data_dir)
        if touched or not self._swept:
            # Files a dead worker wrote but never registered (and, once per engine, any other
            # process's): now that its jobs are no longer running, they are orphans.
            self._swept = True
            try:
                self.engine.bulk.sweep(self.engine.read_db)
            except OSError:
                _log.exception("deleting orphaned bulk files failed")
        if queued:
            self.kick()
        return touched

    # -- the worker loop --------------------------------------------------------------------
    def claim(self) -> tuple[int, str, str] | None:
        """Take the oldest queued job: (job id, kind, arn), or None."""
        return job_table.claim(self.engine.db, self.identity)

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
        self._listener.close()
        self._listener = None

    def _orphaned(self, parent: int | None) -> bool:
        parent_gone = self._listener is not None and self._listener.parent_gone
        return parent_gone or (parent is not None and not psutil.pid_exists(parent))

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
            # Its writes land only while the job is still ours (``claimed``).
            task(
                ClaimedEngine(self.engine, job_id, self.identity),
                arn,
                JobContext(self, job_id, arn),
            )
        except ClaimLost:
            _log.warning("job %s is no longer this worker's: stopped without writing", arn)
            state = None  # its new worker, or whoever ended it, records the outcome
        except ShuttingDown:
            state = None
            # This process lives on, so recovery would never find the job's worker dead: give
            # the job back for the next worker (of this process's next engine, or another's).
            try:
                job_table.release(self.engine.db, job_id, self.identity)
            except Exception:
                _log.warning("could not give job %s back to the queue", arn, exc_info=True)
        except Exception as err:
            # Tasks record their own failureReason; this catches bugs, and a task that could
            # not record its failure, so the loop survives.
            _log.exception("job %s failed", arn)
            state = "failed"
            reason = failure_reason(err, self.engine.data_dir)
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
                    mine = job_table.settle(res.conn, job_id, self.identity, state)
                    if mine and reason is not None:
                        fail_doc(res, arn, reason)
                if not mine:
                    _log.warning("job %s is no longer this worker's: outcome not recorded", arn)
            except Exception:
                _log.warning("cannot save the outcome of job %s yet", arn, exc_info=True)
                continue
            with self._lock:
                self._unsaved.pop(job_id, None)

    def _heartbeat(self, job_id: int, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                if not job_table.beat(self.engine.db, job_id, self.identity):
                    return  # no longer ours: the task learns it at its next check or write
            except Exception:  # a missed beat is harmless; the next one retries
                _log.debug("heartbeat failed", exc_info=True)
