"""Plotly figures of a dataset snapshot: volume over time, the long tail, PutEvents traffic."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, tzinfo

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard.components.chart_style import category_colors, cjk_font
from dashboard.components.text import chart_text
from services.datasets.group_data import EVENT_HOURS, with_time
from services.i18n import N_, _, formats

# Binning units of group_data.volume_counts, as the axis names them.
UNITS = {"hour": N_("hour"), "day": N_("day"), "week": N_("week")}

TAIL_POINTS = 5_000  # most points the long-tail chart draws


def _counts(fig: go.Figure) -> go.Figure:
    """Counts on the y axis as whole numbers with separators ("19,884"), in ticks and hovers,
    not plotly's SI shorthand ("19.884k") next to a plain "3730"; the axis never goes below 0
    (plotly centres all-zero bars on 0, from -1)."""
    fig.update_yaxes(tickformat=",d", hoverformat=",d", rangemode="nonnegative")
    return cjk_font(fig)


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
        title=_("Interactions per {unit}, by event type").format(unit=_(UNITS.get(unit, unit))),
        labels={
            "time": _("{unit} (UTC)").format(unit=_(UNITS.get(unit, unit))),
            "EVENT_TYPE": _("event type"),
            "interactions": _("interactions"),
        },
    )
    fig.update_layout(bargap=0.1, margin={"t": 50, "b": 10})
    return _counts(fig)


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
        title=_("Popularity long tail (items ranked by interactions)"),
        labels={
            "rank": _("item rank"),
            "interactions": _("interactions"),
            "item": _("item"),
            "cumulative share": _("cumulative share"),
        },
    )
    fig.update_layout(margin={"t": 50, "b": 10})
    return _counts(fig)


def event_type_colors(event_types: pd.Series) -> dict[str, str]:
    """Colour of each event type (as charts label it) for every chart of these events."""
    return category_colors(event_types.map(chart_text))


def events_by_type_figure(
    events: pd.DataFrame, colors: Mapping[str, str] | None = None
) -> go.Figure:
    """How many PutEvents of each type arrived, each bar in its type's colour (``colors``,
    by default ``event_type_colors`` of ``events``)."""
    counts = with_time(events)["EVENT_TYPE"].map(chart_text).value_counts()
    counts = counts.rename_axis("event type")
    fig = px.bar(
        counts.reset_index(name="events"),
        x="event type",
        y="events",
        color="event type",
        color_discrete_map=dict(colors or event_type_colors(events["EVENT_TYPE"])),
        title=_("Events received by type"),
        labels={"event type": _("event type"), "events": _("events")},
        text_auto=",d",
    )
    # the x axis names each bar; a legend would repeat it
    fig.update_layout(margin={"t": 50, "b": 10}, showlegend=False)
    return _counts(fig)


def events_by_hour_figure(
    by_hour: pd.DataFrame, colors: Mapping[str, str] | None = None, zone: tzinfo = UTC
) -> go.Figure:
    """Events per hour stacked by type, coloured by ``colors`` (see ``events_by_type_figure``:
    pass both the same map, since the last hours may hold fewer types than all events); the
    hours (UTC, from ``events_by_hour``) drawn as ``zone``'s clock reads them, named in the
    title."""
    hours = pd.to_datetime(by_hour["hour"], utc=True).dt.tz_convert(zone).dt.tz_localize(None)
    fig = px.bar(
        _chart_labels(by_hour.assign(hour=hours), "EVENT_TYPE"),
        x="hour",
        y="events",
        color="EVENT_TYPE",
        color_discrete_map=dict(colors or event_type_colors(by_hour["EVENT_TYPE"])),
        title=_("Events received per hour (last {hours} h, {zone})").format(
            hours=EVENT_HOURS, zone=formats.zone_name(zone)
        ),
        labels={"EVENT_TYPE": _("event type"), "hour": _("hour"), "events": _("events")},
    )
    fig.update_layout(bargap=0.1, margin={"t": 50, "b": 10})
    return _counts(fig)


def _bars(frame: pd.DataFrame, x: str, y: str, title: str, labels: dict[str, str]) -> go.Figure:
    """Plain bars of ``y`` over ``x``, titled and labelled in the reader's language."""
    fig = px.bar(frame, x=x, y=y, title=title, labels=labels)
    fig.update_layout(margin={"t": 50, "b": 10})
    return _counts(fig)


def events_per_day_figure(per_day: pd.Series) -> go.Figure:
    """A readiness report's interactions per UTC day."""
    frame = per_day.rename("events").rename_axis("date").reset_index()
    labels = {"date": _("date"), "events": _("events")}
    return _bars(frame, "date", "events", _("Events per day (UTC)"), labels)


def per_user_figure(histogram: pd.DataFrame) -> go.Figure:
    """A readiness report's interactions-per-user histogram."""
    labels = {"interactions": _("interactions per user"), "users": _("users")}
    return _bars(histogram, "interactions", "users", _("Users by number of interactions"), labels)
