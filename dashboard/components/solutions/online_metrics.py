"""Offline vs online on Solutions & metrics: a table per campaign or recommender (with the
offline metrics of what it serves now) and a chart of one metric over time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.components.chart_style import cjk_font
from dashboard.components.formatting import NO_VALUE, short_id, version_name
from dashboard.components.text import md_escape
from services.evaluation.online_metrics import (
    OFFLINE_KEYS,
    UNDEFINED_SOURCE,
    OnlineReport,
    OnlineView,
    online_table,
    periodic_values,
)
from services.i18n import _, formats, ngettext
from services.workspace.metric_names import metric_label

PER = " per request"  # online_table's rate columns: "<metric> per request"


def source_label(source: str, version: str | None) -> str:
    """A series' or row's name: campaign/recommender (and version), or what events without a
    recommendation ID are (Personalize files them under SOURCE_NAME_UNDEFINED)."""
    if source == UNDEFINED_SOURCE:
        return _("events without a recommendation ID")
    if version and version != source:
        return f"{short_id(source)} · {version_name(version)}"
    return short_id(source)


def _figure(value: object, shown: Callable[[float], str]) -> str:
    """``value`` through its format; ``–`` where there is none (never "None")."""
    return shown(float(value)) if isinstance(value, int | float) else NO_VALUE


def display_table(
    report: OnlineReport,
    serving: Mapping[str, str | None],
    offline: Mapping[str, Mapping[str, float]],
) -> pd.DataFrame:
    """``online_table`` for people: short names, request and event counts with group
    separators (``19,508``, ``1,221``), money with its currency (₩ for KRW, in the page's
    language), rates, other sums and offline metrics with four decimals, ``–`` where there is
    no figure, headers in the page's language. Metric names are the attribution's own (data)
    and stay as they are."""
    table = online_table(report, serving, offline)
    table.insert(0, "served by", [source_label(s, None) for s in table.pop("source")])
    versions = table.pop("solutionVersionArn")
    shown = [
        version_name(v) if isinstance(v, str) and ":solution/" in v else NO_VALUE for v in versions
    ]
    table.insert(1, "version", shown)
    table["requests"] = [_figure(v, formats.count) for v in table["requests"]]
    for metric in report.metrics:
        name, currency = metric.name, report.currencies.get(metric.name)
        if currency:
            for column in (name, f"{name}{PER}"):
                table[column] = [
                    _figure(v, partial(formats.money, currency=currency)) for v in table[column]
                ]
            continue
        # An event count is a count (1,221); another sum is in its column's unit (4 decimals).
        total = formats.count if metric.counts_events else formats.metric
        table[name] = [_figure(v, total) for v in table[name]]
        table[f"{name}{PER}"] = [_figure(v, formats.metric) for v in table[f"{name}{PER}"]]
    for key in OFFLINE_KEYS:
        table[key] = [_figure(v, formats.metric) for v in table[key]]
    headers = {
        "served by": _("served by"),
        "version": _("version serving now"),
        "requests": _("recommendation requests"),
        **{k: metric_label(k) for k in OFFLINE_KEYS},
    }
    for column in table.columns:
        if isinstance(column, str) and column.endswith(PER):
            headers[column] = _("{metric} per request").format(metric=column[: -len(PER)])
    return table.rename(columns=headers)


def show_offline_vs_online(
    view: OnlineView, versions: Mapping[str, Mapping[str, float]] | None = None
) -> None:
    """The table, a metric picker and the hourly chart of one metric attribution;
    ``versions``: GetSolutionMetrics values per solution version ARN."""
    report = view.report
    days = (report.end - report.start).days
    st.caption(
        ngettext(
            "Metric attribution {name}, last day: events credited to the campaign or "
            "recommender whose recommendation ID they carry (PutEvents: CloudWatch; bulk "
            "imports: the S3 reports); rates are per recommendation request. Offline metrics "
            "are those of the version each campaign serves now.",
            "Metric attribution {name}, last {days} days: events credited to the campaign or "
            "recommender whose recommendation ID they carry (PutEvents: CloudWatch; bulk "
            "imports: the S3 reports); rates are per recommendation request. Offline metrics "
            "are those of the version each campaign serves now.",
            days,
        ).format(name=md_escape(report.attribution.name), days=formats.count(days))
    )
    if report.problem:
        st.caption(
            _("Requests unknown, so no rates: {problem}").format(problem=md_escape(report.problem))
        )
    table = display_table(report, view.serving, {**(versions or {}), **view.offline})
    if report.points.empty:
        st.info(
            _(
                "No attributed events yet: send events with the recommendationId of the list "
                "the user saw (PutEvents), then refresh. CloudWatch takes events less than 14 "
                "days old."
            )
        )
    if table.empty:
        return
    st.dataframe(table, hide_index=True, key="online_table")
    names = [n for n in report.metric_names if n in set(report.points["metricName"])]
    if not names:
        return
    metric = st.selectbox(_("Online metric over time"), names, key="online_metric")
    values = periodic_values(report, metric)
    fig = go.Figure()
    for source, rows in values.groupby("source"):
        fig.add_trace(
            go.Scatter(
                x=rows["time"],
                y=rows["value"],
                mode="lines+markers",
                name=source_label(str(source), None),
            )
        )
    for source, since in view.switches.items():
        if source in set(values["source"]):
            fig.add_vline(x=since, line_dash="dot", line_color="grey")
    currency = report.currencies.get(metric)
    fig.update_layout(
        title=_(
            "Attributed {metric} per hour (dotted: a campaign starts serving its current version)"
        ).format(metric=metric),
        yaxis_title=f"{metric} ({currency})" if currency else metric,
        height=360,
        margin={"t": 50, "b": 10, "l": 10, "r": 10},
        # plotly hides the legend of a one-line chart, which would leave its colour (and which
        # campaign it is) unsaid
        showlegend=True,
    )
    st.plotly_chart(cjk_font(fig), key="online_chart")
