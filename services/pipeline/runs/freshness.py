"""Overview findings about refreshes: a group whose refresh has not succeeded for too long, or
whose last refresh failed or was refused by its guardrail.

The findings are fields, not sentences: the Overview renders them in the reader's language
(its status, the failed step's label and the guardrail's verdict from the run's own fields),
which a sentence written here in one language could not be read back from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from services.pipeline.runs.records import FAILED, REFUSED, RUNNING, RefreshRun, RunStore

RefreshKind = Literal["refresh_stale", "refresh_failed", "refresh_refused"]


@dataclass(frozen=True)
class RefreshState:
    """A group's newest run and newest successful run (None when there is none)."""

    group_arn: str
    last: RefreshRun | None
    last_success: RefreshRun | None


@dataclass(frozen=True)
class RefreshFinding:
    """One group whose refresh needs a look.

    ``kind``: "refresh_stale" when no run has succeeded for longer than ``max_age`` (an error),
    else "refresh_failed" or "refresh_refused" when the newest run ended so (a warning).
    ``run`` is that newest run; ``age`` how long no run has succeeded (since the last success's
    end or, with none, the newest run's start); ``since`` when the problem started (that same
    point for a stale group, the run's end otherwise); ``succeeded_before`` whether any run of
    the group succeeded.
    """

    kind: RefreshKind
    group_arn: str
    run: RefreshRun
    since: datetime | None
    age: timedelta
    max_age: timedelta
    succeeded_before: bool

    @property
    def severity(self) -> Literal["error", "warning"]:
        """A group left stale is an error; one bad night while still fresh, a warning."""
        return "error" if self.kind == "refresh_stale" else "warning"

    @property
    def ended_badly(self) -> bool:
        """Whether ``run`` failed or was refused (its reason then says why)."""
        return self.run.status in (FAILED, REFUSED)


def refresh_states(runs: RunStore, group_arns: Iterable[str]) -> dict[str, RefreshState]:
    """Two small queries per group; the caller caches them."""
    out = {}
    for arn in group_arns:
        latest = runs.history(arn, limit=1)
        out[arn] = RefreshState(arn, latest[0] if latest else None, runs.last_success(arn))
    return out


def refresh_findings(
    states: Iterable[RefreshState], now: datetime, max_age: timedelta
) -> list[RefreshFinding]:
    """Only groups that are refreshed at all: one that never ran a refresh is not flagged; a
    run in progress whose lock is alive is not stale however long ago the last success was."""
    findings: list[RefreshFinding] = []
    for state in states:
        last, success = state.last, state.last_success
        if last is None:
            continue
        since = success.finished if success and success.finished else last.started
        age = now - since
        if age > max_age and not (last.status == RUNNING and not last.stale):
            kind: RefreshKind = "refresh_stale"
        elif last.status in (FAILED, REFUSED):
            kind = "refresh_failed" if last.status == FAILED else "refresh_refused"
            since = last.finished or since
        else:
            continue
        findings.append(
            RefreshFinding(kind, state.group_arn, last, since, age, max_age, success is not None)
        )
    return findings
