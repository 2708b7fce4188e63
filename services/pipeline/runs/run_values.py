"""What a refresh run and its steps look like to readers: statuses and frozen values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

RUNNING, SUCCEEDED, REFUSED, FAILED, SKIPPED = (
    "RUNNING",
    "SUCCEEDED",
    "REFUSED",
    "FAILED",
    "SKIPPED",
)
RUN_OUTCOMES = (SUCCEEDED, REFUSED, FAILED)
STEP_OUTCOMES = (SUCCEEDED, FAILED, REFUSED, SKIPPED)


@dataclass(frozen=True)
class RefreshStep:
    """One step: ``status`` is RUNNING, SUCCEEDED, FAILED, REFUSED or SKIPPED."""

    key: str
    kind: str  # plan, check, import, train, guardrail, deploy, verify
    label: str
    target: str | None
    status: str
    started: datetime
    finished: datetime | None
    reason: str | None
    detail: Mapping[str, Any]

    @property
    def seconds(self) -> float | None:
        return (self.finished - self.started).total_seconds() if self.finished else None


@dataclass(frozen=True)
class RefreshRun:
    """A run; ``status`` is RUNNING, SUCCEEDED, REFUSED (a guardrail kept a campaign on its
    version) or FAILED. ``stale`` is true for a RUNNING run whose process stopped heartbeating."""

    id: int
    dataset_group_arn: str
    dataset_group_name: str
    trigger: str
    actor: str
    options: Mapping[str, Any]
    status: str
    reason: str | None
    started: datetime
    finished: datetime | None
    heartbeat: datetime
    owner: str
    resumes: int
    steps: tuple[RefreshStep, ...] = ()
    stale: bool = False

    @property
    def seconds(self) -> float | None:
        return (self.finished - self.started).total_seconds() if self.finished else None

    @property
    def guardrails(self) -> list[Mapping[str, Any]]:
        """The guardrail numbers of every campaign (metric, new, served, change %, …)."""
        return [dict(s.detail) for s in self.steps if s.kind == "guardrail" and s.detail]

    @property
    def rejected_rows(self) -> list[Mapping[str, Any]]:
        """What each check step recorded of the rows its raw export lost (``rejected_detail``
        of ``steps.rejections``): a warning when the step passed, the refusal when it failed."""
        return [
            dict(s.detail["rejected_rows"])
            for s in self.steps
            if s.kind == "check" and s.detail.get("rejected_rows")
        ]

    @property
    def current_step(self) -> RefreshStep | None:
        """The step a RUNNING run is in (the newest RUNNING one), if any."""
        return next((s for s in reversed(self.steps) if s.status == RUNNING), None)

    def step(self, key: str) -> RefreshStep | None:
        return next((s for s in self.steps if s.key == key), None)


@dataclass(frozen=True)
class Claim:
    """The outcome of asking for the group's lock: a new run, a resumed one, or a busy group."""

    run_id: int
    owned: bool  # True: this caller runs it now (new or resumed); False: another process does
    resumed: bool = False
    failed_orphan: int | None = None  # an earlier run marked FAILED because its process died
