"""Plotly figures of a dataset snapshot: volume over time, the long tail, PutEvents traffic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

EVENT_HOURS = 48  # the PutEvents-by-hour chart covers the last two days


def with_time(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with a UTC ``time`` column from TIMESTAMP (epoch seconds) and an event type."""
    out = frame.copy()
    out["time"] = pd.to_datetime(
        pd.to_numeric(out["TIMESTAMP"], errors="coerce"), unit="s", utc=True
    )
    if "EVENT_TYPE" in out.columns:
        out["EVENT_TYPE"] = out["EVENT_TYPE"].fillna("(none)").astype(str)
    else:
        out["EVENT_TYPE"] = "(none)"
    return out.dropna(subset=["time"])


def _bin(span: pd.Timedelta) -> tuple[str, str]:
    if span <= pd.Timedelta(days=3):
        return "h", "hour"
    if span <= pd.Timedelta(days=180):
        return "D", "day"
    return "7D", "week"


def volume_figure(interactions: pd.DataFrame) -> go.Figure:
    """Interactions per hour/day/week (by the data's span), stacked by event type."""
    frame = with_time(interactions)
    freq, unit = _bin(frame["time"].max() - frame["time"].min())
    bins = frame["time"].dt.floor(freq).rename("time")
    counts = frame.groupby([bins, "EVENT_TYPE"]).size().rename("interactions").reset_index()
    fig = px.bar(
        counts,
        x="time",
        y="interactions",
        color="EVENT_TYPE",
        title=f"Interactions per {unit}, by event type",
        labels={"time": f"{unit} (UTC)", "EVENT_TYPE": "event type"},
    )
    fig.update_layout(bargap=0.1, margin={"t": 50, "b": 10})
    return fig


def long_tail(interactions: pd.DataFrame) -> pd.DataFrame:
    """Items by interaction count, most popular first, with their rank and cumulative share."""
    counts = interactions["ITEM_ID"].astype(str).value_counts()
    frame = counts.rename_axis("item").reset_index(name="interactions")
    frame["rank"] = range(1, len(frame) + 1)
    frame["cumulative share"] = frame["interactions"].cumsum() / frame["interactions"].sum()
    return frame


def long_tail_figure(tail: pd.DataFrame) -> go.Figure:
    """Interactions per item, most popular first: a steep head means few items dominate."""
    fig = px.area(
        tail,
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
    counts = with_time(events)["EVENT_TYPE"].value_counts().rename_axis("event type")
    fig = px.bar(
        counts.reset_index(name="events"),
        x="event type",
        y="events",
        title="Events received by type",
        text_auto=True,
    )
    fig.update_layout(margin={"t": 50, "b": 10})
    return fig


def events_by_hour(events: pd.DataFrame, now: datetime | None = None) -> pd.DataFrame:
    """Events per UTC hour over the last ``EVENT_HOURS`` hours, zero-filled, by event type."""
    frame = with_time(events)
    end = pd.Timestamp(now or datetime.now(UTC)).floor("h")
    start = end - timedelta(hours=EVENT_HOURS - 1)
    frame = frame[frame["time"] >= start]
    hours = pd.date_range(start, end, freq="h", name="hour")
    table = (
        frame.groupby([frame["time"].dt.floor("h").rename("hour"), "EVENT_TYPE"])
        .size()
        .unstack("EVENT_TYPE", fill_value=0)
        .reindex(hours, fill_value=0)
    )
    return (
        table.stack().rename("events").reset_index()
        if table.shape[1]
        else pd.DataFrame({"hour": hours, "EVENT_TYPE": "(none)", "events": 0})
    )


def events_by_hour_figure(by_hour: pd.DataFrame) -> go.Figure:
    fig = px.bar(
        by_hour,
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
