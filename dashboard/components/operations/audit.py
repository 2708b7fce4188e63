"""The audit log: who did what, to what, when, and how it ended."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboard import deps
from dashboard.components.downloads import csv_download
from dashboard.components.formatting import short_id

AUDIT_ROWS = 50


def audit_frame(limit: int = AUDIT_ROWS) -> pd.DataFrame:
    """The newest audit entries, newest first."""
    rows = [
        {
            "when": r.at,
            "who": r.actor,
            "action": r.action,
            "target": short_id(r.target),
            "result": r.result,
            "message": r.message or "",
            "parameters": json.dumps(r.params, sort_keys=True),
            "target ARN": r.target,
        }
        for r in deps.store().recent_actions(limit)
    ]
    return pd.DataFrame(rows)


def show_audit_log(limit: int = AUDIT_ROWS) -> None:
    """The audit table, or what to do when it is empty."""
    frame = audit_frame(limit)
    if frame.empty:
        st.info("No action yet: deploys, training runs and stops are recorded here.")
        return
    st.dataframe(
        frame,
        hide_index=True,
        column_config={"when": st.column_config.DatetimeColumn(format="distance")},
    )
    csv_download(frame, "Download the audit log as CSV", "audit-log.csv", "audit_csv")
