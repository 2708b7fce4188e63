"""Offline vs online on Solutions & metrics: a table per served version and an hourly chart
with the times a campaign or recommender switched to another version."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.components.chart_style import cjk_font
from dashboard.components.formatting import short_id
from dashboard.components.solutions.metrics_chart import metric_label
from dashboard.components.text import md_escape
from services.evaluation.online_metrics import (
    OFFLINE_KEYS,
    UNDEFINED_SOURCE,
    OnlineReport,
    hourly_values,
    offline_vs_online,
    switch_overs,
)
from services.i18n import _
from services.personalize.models import MetricAttribution


def source_label(source: str, version: str | None) -> str:
    """A chart series' name: campaign/recommender and version, or what events without a
    recommendation ID are (Personalize files them under SOURCE_NAME_UNDEFINED)."""
    if source == UNDEFINED_SOURCE:
        return _("events without a recommendation ID")
    return f"{short_id(source)} · {short_id(version)}" if version else short_id(source)


def online_table(report: OnlineReport, offline: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """``offline_vs_online`` with short names for sources and versions, for display."""
    table = offline_vs_online(report, offline)
    table.insert(0, "served by", [short_id(s) for s in table.pop("source")])
    table.insert(1, "version", [short_id(v) or "-" for v in table.pop("solutionVersionArn")])
    headers = {
        "served by": _("served by"),
        "version": _("version"),
        "from": _("from"),
        "until": _("until"),
        "impressions": _("impressions"),
        **{k: metric_label(k) for k in OFFLINE_KEYS},
    }
    per = " per impression"  # offline_vs_online's rate columns: "<metric> per impression"
    for column in table.columns:
        if isinstance(column, str) and column.endswith(per):
            headers[column] = _("{metric} per impression").format(metric=column[: -len(per)])
    return table.rename(columns=headers)


def show_offline_vs_online(
    attribution: MetricAttribution,
    report: OnlineReport,
    offline: Mapping[str, Mapping[str, float]],
) -> None:
    """The table, a metric picker and the hourly chart of one metric attribution."""
    st.caption(
        _(
            "Metric attribution {name}: events sent with a recommendation ID, credited to the "
            "campaign or recommender and version that served it; rates are per item shown "
            "(impression)."
        ).format(name=md_escape(attribution.name))
    )
    if report.impressions.empty:
        st.info(
            _(
                "No attributed recommendations yet: send events with the recommendationId of the "
                "list the user saw (PutEvents), then refresh."
            )
        )
        return
    st.dataframe(
        online_table(report, offline),
        hide_index=True,
        key="online_table",
        column_config={
            _("from"): st.column_config.DatetimeColumn(
                format="D MMM HH:mm", help=_("Start of the first hour it served (UTC)")
            ),
            _("until"): st.column_config.DatetimeColumn(
                format="D MMM HH:mm",
                help=_("End of the last hour it served, or now for the hour under way (UTC)"),
            ),
        },
    )
    names = report.metric_names
    if not names:
        return
    metric = st.selectbox(_("Online metric over time"), names, key="online_metric")
    values = hourly_values(report, metric)
    fig = go.Figure()
    for (source, version), rows in values.groupby(["source", "solutionVersionArn"]):
        fig.add_trace(
            go.Scatter(
                x=rows["hour"],
                y=rows["value"],
                mode="lines+markers",
                name=source_label(source, version),
            )
        )
    for row in switch_overs(report).itertuples():
        fig.add_vline(x=row.since, line_dash="dot", line_color="grey")
    fig.update_layout(
        title=_("Attributed {metric} per hour (dotted: a version starts serving)").format(
            metric=metric
        ),
        yaxis_title=metric,
        height=360,
        margin={"t": 50, "b": 10, "l": 10, "r": 10},
    )
    st.plotly_chart(cjk_font(fig), key="online_chart")
