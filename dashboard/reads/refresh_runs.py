"""Refresh runs from the dashboard's own database: one run, the running ones, the history, each
group's last run."""

from __future__ import annotations

import streamlit as st

from dashboard import deps
from services.pipeline import RefreshRun
from services.pipeline.runs.freshness import RefreshState, refresh_states

# Refresh runs are rows in the dashboard's own database: cheap, but a self-updating panel in
# many tabs still reads them at most once per REFRESH_TTL seconds.
REFRESH_TTL = 2


@st.cache_data(ttl=REFRESH_TTL, show_spinner=False)
def refresh_run(run_id: int) -> RefreshRun | None:
    """One refresh run with its steps."""
    return deps.runs().get(run_id)


@st.cache_data(ttl=REFRESH_TTL, show_spinner=False)
def running_refreshes() -> list[RefreshRun]:
    """Every RUNNING refresh run, with its steps (one store query per interval, any tabs)."""
    return deps.runs().running_runs()


@st.cache_data(ttl=REFRESH_TTL, show_spinner=False)
def refresh_history(group_arn: str | None = None, limit: int = 20) -> list[RefreshRun]:
    """The newest refresh runs (with steps, for the guardrail numbers), of a group or of all."""
    return deps.runs().history(group_arn, limit, with_steps=True)


@st.cache_data(ttl=REFRESH_TTL, show_spinner=False)
def refresh_states_of(group_arns: tuple[str, ...]) -> dict[str, RefreshState]:
    """Each group's last refresh run and last successful one."""
    return refresh_states(deps.runs(), group_arns)
