"""What every group of refresh steps shares: the facade, the caller, the run's records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from services.config import Settings
from services.datasets.snapshot import ObjectStore
from services.personalize.facade import PersonalizeService
from services.pipeline.runs.records import RefreshRun, RunStore
from services.pipeline.steps.calls import Caller
from services.store.audit_text import BY_REFRESH, note
from services.store.tables import Store

StepResult = tuple[str, str | None, dict[str, Any]]  # (status, reason, detail)
T = TypeVar("T")


class StepContext:
    """The state steps read and the two things every step does: call AWS, audit an action."""

    _run: RefreshRun

    def __init__(
        self,
        service: PersonalizeService,
        runs: RunStore,
        settings: Settings,
        objects: ObjectStore,
        caller: Caller,
        store: Store | None = None,
    ) -> None:
        self._svc = service
        self._runs = runs
        self._settings = settings
        self._objects = objects
        self._caller = caller
        self._store = store

    # --- plumbing ---------------------------------------------------------------------------

    def _call(self, fn: Callable[[], T]) -> T:
        """What ``fn`` (one Personalize call) returns, sent through the run's ``Caller``."""
        return self._caller.call(fn)

    def _run_detail(self, key: str) -> Mapping[str, Any]:
        """The recorded detail of an earlier step of this run ({} when it did not run)."""
        fresh = self._runs.get(self._run.id)
        step = fresh.step(key) if fresh else None
        return step.detail if step else {}

    def _audit(
        self,
        action: str,
        target: str,
        params: Mapping[str, Any],
        message: str,
        result: str = "ok",
    ) -> None:
        if self._store is not None:
            self._store.record_action(
                note(BY_REFRESH, actor=self._run.actor, run=self._run.id),
                action,
                target,
                params,
                result,
                message,
            )
