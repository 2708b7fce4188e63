"""Starting, attaching to and following refresh runs: one run per dataset group at a time.

``Pipeline.trigger`` claims the group's lock in the database (see ``RunStore.claim``): it
starts a run, resumes one whose process died, or hands back the run another tab or process
is executing. The process that owns a run keeps its lock alive from a heartbeat thread, so a
step that blocks for long (a big readiness check) never lets the lock expire while the process
lives; when the process dies the lock expires and the next trigger resumes the run.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from services.config import Settings
from services.datasets.snapshot import ObjectStore, object_store
from services.personalize.facade import PersonalizeService
from services.personalize.models import DatasetGroup
from services.pipeline.options import RefreshOptions
from services.pipeline.runs.records import FAILED, RUNNING, Claim, RefreshRun, RunStore
from services.pipeline.runs.run_end import finish_despite_faults
from services.pipeline.steps.calls import Caller
from services.pipeline.steps.planning import chosen_solutions
from services.pipeline.steps.runner import RefreshRunner
from services.polling import Polling, wait_for
from services.store.tables import Store

_log = logging.getLogger(__name__)

LOCK_SECONDS = 90.0  # a dead process's run is resumable this long after its last heartbeat


@dataclass(frozen=True)
class Triggered:
    """What a trigger got: the run, and whether this caller executes it."""

    run_id: int
    owner: str | None  # set when this caller must execute the run (new or resumed)
    resumed: bool = False
    failed_orphan: int | None = None

    @property
    def attached(self) -> bool:
        """True when another process is executing the run."""
        return self.owner is None


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Pipeline:
    """Refresh runs for the dataset groups of one Personalize backend."""

    def __init__(
        self,
        service: PersonalizeService,
        runs: RunStore,
        settings: Settings,
        *,
        store: Store | None = None,
        objects: ObjectStore | None = None,
        lock_seconds: float = LOCK_SECONDS,
        poll_s: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self.runs = runs
        self.settings = settings
        self.store = store
        self._objects = objects
        self.lock_seconds = lock_seconds
        self.poll_s = poll_s
        self._sleep = sleep

    def resolve_group(self, name_or_arn: str) -> DatasetGroup:
        """The dataset group with this name or ARN.

        Raises:
            ValueError: no such group (the message lists the groups there are).
        """
        groups = self.service.list_dataset_groups()
        for group in groups:
            if name_or_arn in (group.name, group.arn):
                return group
        names = ", ".join(sorted(g.name for g in groups)) or "none"
        raise ValueError(f"no dataset group {name_or_arn!r} (there are: {names})")

    def check_solutions(self, group: DatasetGroup, options: RefreshOptions) -> None:
        """Refuse, before any run starts, ``options.solutions`` the group does not have.

        Raises:
            ValueError: a named solution is not in the group (the message lists those it has).
        """
        if options.solutions:
            chosen_solutions(self.service.list_solutions(group.arn), options.solutions, group.name)

    def trigger(
        self, group: DatasetGroup, options: RefreshOptions, *, actor: str, trigger: str
    ) -> Triggered:
        """Claim the group: a new run, a resumed one, or the one already running."""
        owner = new_owner()
        claim: Claim = self.runs.claim(
            group.arn,
            group.name,
            options=options.to_dict(),
            trigger=trigger,
            actor=actor,
            owner=owner,
            lock_seconds=self.lock_seconds,
        )
        if claim.resumed:
            _log.warning(
                "resuming refresh #%s of %s: its process stopped", claim.run_id, group.name
            )
        return Triggered(
            claim.run_id, owner if claim.owned else None, claim.resumed, claim.failed_orphan
        )

    def execute(self, run_id: int, owner: str) -> str:
        """Run a claimed run in this thread, heartbeating its lock; returns its final status."""
        run = self.runs.get(run_id)
        if run is None:
            raise KeyError(f"no refresh run {run_id}")
        lost = threading.Event()
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.lock_seconds / 3):
                try:
                    if not self.runs.heartbeat(run_id, owner, self.lock_seconds):
                        lost.set()
                        return
                except Exception:  # a missed beat is retried; the lock has slack for two
                    _log.exception("heartbeat of refresh #%s failed", run_id)

        thread = threading.Thread(target=beat, name=f"refresh-{run_id}-heartbeat", daemon=True)
        thread.start()
        caller = Caller(
            poll_s=self.poll_s,
            sleep=self._sleep,
            alive=lambda: not lost.is_set(),
        )
        objects = self._objects or object_store(self.settings)
        runner = RefreshRunner(self.service, self.runs, self.settings, objects, caller, self.store)
        try:
            return runner.execute(run, owner)
        finally:
            stop.set()
            thread.join(timeout=5)

    def run_to_end(self, run_id: int, owner: str) -> str:
        """``execute``, and whatever it raises (a bug, the store's disk failing before a step
        began or after the last one ended) ends the run FAILED with that cause instead of
        leaving it RUNNING; returns the final status. The thread a page starts runs this."""
        try:
            return self.execute(run_id, owner)
        except Exception as err:
            _log.exception("refresh #%s crashed outside its steps", run_id)
            reason = (
                f"The run stopped on an unexpected error: {err!r}. Its steps say what was "
                "done before it."
            )
            finish_despite_faults(self.runs, run_id, owner, FAILED, reason, sleep=self._sleep)
            return FAILED

    def start_background(self, run_id: int, owner: str) -> threading.Thread:
        """Execute a claimed run to its end in a daemon thread (``run_to_end``), so the page
        that started it returns at once; every step is written to the run's records as it
        starts and ends, which is what pages read to follow it.

        Raises RuntimeError when no thread can be started; the run is then ended FAILED with
        that cause first, so no claimed run is left without anyone executing it.
        """
        thread = threading.Thread(
            target=self.run_to_end, args=(run_id, owner), name=f"refresh-{run_id}", daemon=True
        )
        try:
            thread.start()
        except RuntimeError as err:
            reason = f"The run could not start: {err}."
            finish_despite_faults(self.runs, run_id, owner, FAILED, reason, sleep=self._sleep)
            raise
        return thread

    def follow(
        self,
        run_id: int,
        on_change: Callable[[RefreshRun], None] = lambda _: None,
        *,
        poll_s: float | None = None,
        group: DatasetGroup | None = None,
        options: RefreshOptions | None = None,
        actor: str = "",
    ) -> RefreshRun:
        """Wait for a run to end, calling ``on_change`` whenever it changed.

        When the process executing it dies while we follow (the lock expires) and ``group`` and
        ``options`` are given, this caller takes the run over (or, if it cannot be resumed again,
        starts a new one with ``options``) and executes it.
        """
        poll = self.poll_s if poll_s is None else poll_s
        seen: tuple[object, ...] | None = None

        def read() -> RefreshRun:
            nonlocal seen, run_id
            run = self.runs.get(run_id)
            if run is None:
                raise KeyError(f"no refresh run {run_id}")
            state = (run.status, tuple((s.key, s.status) for s in run.steps))
            if state != seen:
                seen = state
                on_change(run)
            if run.status == RUNNING and run.stale and group is not None and options is not None:
                took = self.trigger(group, options, actor=actor or run.actor, trigger=run.trigger)
                if took.owner is not None:
                    # The same run resumed, or (it had been resumed before) a new one.
                    self.start_background(took.run_id, took.owner)
                    run_id = took.run_id
                    return read()
            return run

        # No deadline: the run's own steps have theirs, and a dead owner is taken over.
        polling = Polling(poll, math.inf, sleep=self._sleep)
        return wait_for(read, lambda run: run.status != RUNNING, polling)
