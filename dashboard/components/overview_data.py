"""Cached reads of the workspace snapshot, shared by Overview and Operations.

The snapshot costs a few dozen List/Describe calls, so pages share one copy for a short
while; every action that changes the workspace calls ``refresh()`` so the next read is fresh.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import deps
from dashboard.components.data_snapshots import group_data
from services.alerts import Alert, build_alerts
from services.data_health import data_alerts
from services.errors import ServiceError
from services.overview import DatasetGroupOverview

SNAPSHOT_TTL_SECONDS = 30


@st.cache_data(ttl=SNAPSHOT_TTL_SECONDS, show_spinner="Reading the workspace…")
def load_overview() -> list[DatasetGroupOverview]:
    """Every dataset group with datasets, solutions and campaign deployment state."""
    return deps.service().overview()


def load_alerts(groups: list[DatasetGroupOverview]) -> list[Alert]:
    """The alert list for a snapshot (cheap: no calls)."""
    return build_alerts(groups, datetime.now(UTC))


@st.cache_data(ttl=300, show_spinner="Checking the data and sampling recommendations…")
def load_data_alerts(group: DatasetGroupOverview) -> list[Alert]:
    """Alerts that need the data (export-job snapshots, shared with the Data page) and a few
    GetRecommendations calls per personalised campaign; cached for five minutes."""
    data = group_data(group.group.arn)
    return data_alerts(group, data.interactions, data.put, deps.service(), datetime.now(UTC))


def data_checks_allowed() -> bool:
    """Locally the checks are free; on AWS they start export jobs, so a person opts in."""
    if deps.settings().is_local:
        return True
    if st.session_state.get("overview_data_checks"):
        return True
    if st.button(
        "Run data checks",
        key="overview_data_checks_button",
        help="Exports the interactions (dataset export jobs, billed as ingestion) to check "
        "Personalize's minimums and recent events, and samples 10 users per campaign.",
    ):
        st.session_state["overview_data_checks"] = True
        return True
    return False


def safe_data_alerts(groups: list[DatasetGroupOverview]) -> list[Alert]:
    """Data alerts of every group; a group whose data cannot be read is skipped with a note."""
    alerts: list[Alert] = []
    for group in groups:
        try:
            alerts.extend(load_data_alerts(group))
        except ServiceError as err:
            st.caption(f"Data checks of {group.group.name} were skipped: {err}")
    return alerts


def refresh() -> None:
    """Forget cached reads after an action, so every page shows its effect."""
    load_overview.clear()
