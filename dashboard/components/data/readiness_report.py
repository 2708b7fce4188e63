"""Draw a readiness report: the verdict first, then numbers, findings with fixes, and charts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.data import charts as data_charts
from dashboard.components.text import md_escape
from services.readiness import ReadinessReport

# plain marks: colour emoji need a font many Linux desktops lack
_SEVERITY = {"error": "✗ error", "warning": "! warning", "info": "i info"}


def findings_table(report: ReadinessReport) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "severity": _SEVERITY.get(f.severity, f.severity),
                "finding": f.title,
                "numbers": f.detail,
                "fix": f.fix,
                "column": f.column or "",
                "example lines": ", ".join(map(str, f.rows)),
            }
            for f in report.findings
        ],
        columns=["severity", "finding", "numbers", "fix", "column", "example lines"],
    )


def show(report: ReadinessReport) -> None:
    """Verdict banner, headline numbers, findings table and the charts that help."""
    if report.errors:
        titles = "; ".join(f.title for f in report.errors[:3])
        st.error(
            f"{len(report.errors)} error(s) block this import: {md_escape(titles)}. See the "
            "fixes below.",
            icon=":material/error:",
        )
    elif report.warnings:
        st.warning(
            f"Ready to import, with {len(report.warnings)} warning(s) worth reading first.",
            icon=":material/warning:",
        )
    else:
        st.success("Ready to import: no errors and no warnings.", icon=":material/check_circle:")
    s = report.summary
    cols = st.columns(4)
    cols[0].metric("Rows", f"{s.rows:,}")
    if s.users is not None:
        cols[1].metric("Users", f"{s.users:,}")
    if s.items is not None:
        cols[2].metric("Items", f"{s.items:,}")
    if s.interactions_after_filter is not None:
        cols[3].metric(
            "Interactions used for training",
            f"{s.interactions_after_filter:,}",
            help="After the event type and threshold filters; Personalize needs at least 1,000.",
        )
    if s.time_min and s.time_max:
        st.caption(
            f"From {s.time_min:%Y-%m-%d %H:%M} to {s.time_max:%Y-%m-%d %H:%M} UTC"
            + (
                " · event types: "
                + md_escape(", ".join(f"{k} ({v:,})" for k, v in s.event_types.items()))
                if s.event_types
                else ""
            )
        )
    if report.findings:
        st.dataframe(
            findings_table(report),
            hide_index=True,
            key="readiness_findings",
            column_config={
                "numbers": st.column_config.TextColumn(width="large"),
                "fix": st.column_config.TextColumn(width="large"),
            },
        )
    left, right = st.columns(2)
    if len(report.events_per_day):
        left.plotly_chart(
            data_charts.events_per_day_figure(report.events_per_day), key="readiness_per_day"
        )
    if len(report.interactions_per_user):
        right.plotly_chart(
            data_charts.per_user_figure(report.interactions_per_user), key="readiness_per_user"
        )
