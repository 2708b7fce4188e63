"""Plotly figures of a dataset snapshot: volume over time, the long tail, PutEvents traffic."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard.components.text import chart_text
from services.datasets.group_data import EVENT_HOURS, with_time

TAIL_POINTS = 5_000  # most points the long-tail chart draws


def _chart_labels(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """A copy whose ``columns`` (values from data) are plotly text, not plotly's HTML."""
    return frame.assign(**{c: frame[c].map(chart_text) for c in columns if c in frame.columns})


def volume_figure(counts: pd.DataFrame, unit: str) -> go.Figure:
    """Interactions per ``unit`` stacked by event type (``group_data.volume_counts``)."""
    fig = px.bar(
        _chart_labels(counts, "EVENT_TYPE"),
        x="time",
        y="interactions",
        color="EVENT_TYPE",
        title=f"Interactions per {unit}, by event type",
        labels={"time": f"{unit} (UTC)", "EVENT_TYPE": "event type"},
    )
    fig.update_layout(bargap=0.1, margin={"t": 50, "b": 10})
    return fig


def long_tail_figure(tail: pd.DataFrame) -> go.Figure:
    """Interactions per item, most popular first: a steep head means few items dominate.

    Above ``TAIL_POINTS`` items the curve is drawn through every k-th rank (plus the last),
    so a catalogue of 500,000 items does not send 500,000 points to the browser.
    """
    if len(tail) > TAIL_POINTS:
        step = -(-len(tail) // TAIL_POINTS)
        tail = tail.iloc[sorted({*range(0, len(tail), step), len(tail) - 1})]
    fig = px.area(
        _chart_labels(tail, "item"),
        x="rank",
        y="interactions",
        hover_data=["item", "cumulative share"],
        title="Popularity long tail (items ranked by interactions)",
        labels={"rank": "item rank"},
    )
    fig.update_layout(margin={"t": 50, "b": 10})
    return fig


def events_by_type_figure(events: pd.DataFrame) -> go.Figure:
    """How many PutEvents of each type arrived."""
    counts = with_time(events)["EVENT_TYPE"].map(chart_text).value_counts()
    counts = counts.rename_axis("event type")
    fig = px.bar(
        counts.reset_index(name="events"),
        x="event type",
        y="events",
        title="Events received by type",
        text_auto=True,
    )
    fig.update_layout(margin={"t": 50, "b": 10})
    return fig


def events_by_hour_figure(by_hour: pd.DataFrame) -> go.Figure:
    fig = px.bar(
        _chart_labels(by_hour, "EVENT_TYPE"),
        x="hour",
        y="events",
        color="EVENT_TYPE",
        title=f"Events received per hour (last {EVENT_HOURS} h, UTC)",
        labels={"EVENT_TYPE": "event type"},
    )
    fig.update_layout(bargap=0.1, margin={"t": 50, "b": 10})
    return fig


def events_per_day_figure(per_day: pd.Series) -> go.Figure:
    """A readiness report's interactions per UTC day."""
    frame = per_day.rename("events").rename_axis("date").reset_index()
    fig = px.bar(frame, x="date", y="events", title="Events per day (UTC)")
    fig.update_layout(margin={"t": 50, "b": 10})
    return fig


def per_user_figure(histogram: pd.DataFrame) -> go.Figure:
    """A readiness report's interactions-per-user histogram."""
    fig = px.bar(
        histogram,
        x="interactions",
        y="users",
        title="Users by number of interactions",
        labels={"interactions": "interactions per user"},
    )
    fig.update_layout(margin={"t": 50, "b": 10})
    return fig
