"""The Overview's alerts: from the workspace snapshot, plus the data checks (opt-in on AWS)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.formatting import status_name
from dashboard.components.operations.refresh_text import run_reason
from dashboard.components.text import md_help
from services.i18n import _
from services.pipeline.runs.freshness import RefreshState, refresh_alerts
from services.pipeline.runs.run_values import FAILED, REFUSED
from services.workspace.alerts import Alert, build_alerts, sort_alerts
from services.workspace.overview import DatasetGroupOverview

_REFRESH_KINDS = ("refresh_stale", "refresh_failed", "refresh_refused")


def _outcome_rendered(state: RefreshState) -> RefreshState:
    """``state`` with its last run, when that failed or was refused, read with its steps and
    its reason as ``refresh_text.run_reason`` renders it: the failed step's label and the
    guardrail's verdict in the reader's language, a service's message quoted as it came (the
    worker stores them in English, trial s13 finding 10)."""
    last = state.last
    if last is None or last.status not in (FAILED, REFUSED):
        return state
    run = reads.refresh_run(last.id) or last
    return replace(state, last=replace(run, reason=run_reason(run)))


def _status_named(alert: Alert, states: Mapping[str, RefreshState]) -> Alert:
    """A refresh alert with its run's status as ``status_name`` reads it. ``refresh_alerts``
    writes "(#{id}) {status}" in every language's template; only that status is replaced."""
    state = states.get(alert.target or "")
    last = state.last if state else None
    if alert.kind not in _REFRESH_KINDS or last is None:
        return alert
    stored, named = f"(#{last.id}) {last.status}", f"(#{last.id}) {status_name(last.status)}"
    return replace(alert, message=alert.message.replace(stored, named, 1))


def load_alerts(
    groups: list[DatasetGroupOverview], refreshes: Mapping[str, RefreshState] | None = None
) -> list[Alert]:
    """The alert list for a snapshot and the groups' refresh runs, in the reader's language
    (no Personalize calls; a failed or refused last run is read again with its steps)."""
    now = datetime.now(UTC)
    max_age = timedelta(hours=deps.settings().refresh_max_age_hours)
    states = {arn: _outcome_rendered(state) for arn, state in (refreshes or {}).items()}
    refreshed = [
        _status_named(alert, states) for alert in refresh_alerts(states.values(), now, max_age)
    ]
    return sort_alerts([*build_alerts(groups, now), *refreshed])


def data_checks_allowed() -> bool:
    """Locally the checks are free; on AWS they start export jobs, so a person opts in."""
    if deps.settings().is_local:
        return True
    denied = identity.refusal()  # export jobs are billed: an operator's decision
    if st.session_state.get("overview_data_checks") and denied is None:
        return True
    if st.button(
        _("Run data checks"),
        key="overview_data_checks_button",
        disabled=denied is not None,
        help=md_help(denied)
        or _(
            "Exports the interactions (dataset export jobs, billed as ingestion) to check "
            "Personalize's minimums and recent events, and samples 10 users per campaign."
        ),
    ) and identity.permit("data_checks", None):
        st.session_state["overview_data_checks"] = True
        return True
    return False


def safe_data_alerts(groups: list[DatasetGroupOverview]) -> list[Alert]:
    """Data alerts of every group; a group whose data cannot be read says so and is skipped."""
    return [alert for group in groups for alert in reads.data_alerts(group) or []]
