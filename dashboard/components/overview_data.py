"""Cached reads of the workspace snapshot, shared by Overview and Operations.

The snapshot costs a few dozen List/Describe calls, so pages share one copy for a short
while; every action that changes the workspace calls ``refresh()`` so the next read is fresh.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import deps
from services.alerts import Alert, build_alerts
from services.overview import DatasetGroupOverview

SNAPSHOT_TTL_SECONDS = 30


@st.cache_data(ttl=SNAPSHOT_TTL_SECONDS, show_spinner="Reading the workspace…")
def load_overview() -> list[DatasetGroupOverview]:
    """Every dataset group with datasets, solutions and campaign deployment state."""
    return deps.service().overview()


def load_alerts(groups: list[DatasetGroupOverview]) -> list[Alert]:
    """The alert list for a snapshot (cheap: no calls)."""
    return build_alerts(groups, datetime.now(UTC))


def refresh() -> None:
    """Forget cached reads after an action, so every page shows its effect."""
    load_overview.clear()
