"""Overview alerts about refreshes: a group whose refresh has not succeeded for too long, or
whose last refresh failed or was refused by its guardrail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.i18n import _
from services.i18n.formats import duration
from services.pipeline.runs.records import FAILED, REFUSED, RUNNING, RefreshRun, RunStore
from services.workspace.alerts import Alert


@dataclass(frozen=True)
class RefreshState:
    """A group's newest run and newest successful run (None when there is none)."""

    group_arn: str
    last: RefreshRun | None
    last_success: RefreshRun | None


def refresh_states(runs: RunStore, group_arns: Iterable[str]) -> dict[str, RefreshState]:
    """Two small queries per group; the caller caches them."""
    out = {}
    for arn in group_arns:
        latest = runs.history(arn, limit=1)
        out[arn] = RefreshState(arn, latest[0] if latest else None, runs.last_success(arn))
    return out


def refresh_alerts(
    states: Iterable[RefreshState], now: datetime, max_age: timedelta
) -> list[Alert]:
    """Only groups that are refreshed at all: one that never ran a refresh is not flagged."""
    alerts: list[Alert] = []
    for state in states:
        last, success = state.last, state.last_success
        if last is None:
            continue
        name = last.dataset_group_name
        since = success.finished if success and success.finished else last.started
        age = now - since
        outcome = _("; the last run (#{id}) {status}").format(id=last.id, status=last.status) + (
            f": {last.reason}" if last.reason and last.status in (FAILED, REFUSED) else ""
        )
        if age > max_age and not (last.status == RUNNING and not last.stale):
            what = (
                _("has not succeeded for {age}").format(age=duration(age))
                if success
                else _("has never succeeded (first run {age} ago)").format(age=duration(age))
            )
            alerts.append(
                Alert(
                    "error",
                    _(
                        "The refresh of {group} {what} (limit {limit}){outcome}. Check the "
                        "scheduler and the run on Operations."
                    ).format(group=name, what=what, limit=duration(max_age), outcome=outcome),
                    "operations",
                    state.group_arn,
                    since,
                    "refresh_stale",
                )
            )
        elif last.status in (FAILED, REFUSED):
            alerts.append(
                Alert(
                    "warning",
                    _("The last refresh of {group} (#{id}) {status}: {reason}").format(
                        group=name, id=last.id, status=last.status, reason=last.reason
                    ),
                    "operations",
                    state.group_arn,
                    last.finished,
                    "refresh_failed" if last.status == FAILED else "refresh_refused",
                )
            )
    return alerts
