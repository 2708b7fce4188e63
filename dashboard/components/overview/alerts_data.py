"""The Overview's alerts: from the workspace snapshot, plus the data checks (opt-in on AWS)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import streamlit as st

from dashboard import deps, identity, reads
from dashboard.components.overview.refresh_alerts import refresh_alert
from dashboard.components.text import md_help
from services.i18n import _
from services.pipeline.runs.freshness import RefreshState, refresh_findings
from services.workspace.alerts import Alert, build_alerts, sort_alerts
from services.workspace.overview import DatasetGroupOverview


def load_alerts(
    groups: list[DatasetGroupOverview], refreshes: Mapping[str, RefreshState] | None = None
) -> list[Alert]:
    """The alert list for a snapshot and the groups' refresh runs, in the reader's language
    (no Personalize calls; a failed or refused last run is read again with its steps)."""
    now = datetime.now(UTC)
    max_age = timedelta(hours=deps.settings().refresh_max_age_hours)
    findings = refresh_findings((refreshes or {}).values(), now, max_age)
    refreshed = [refresh_alert(finding, reads.refresh_run) for finding in findings]
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
