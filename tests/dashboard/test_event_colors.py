"""Data → Events: the "by type" and "per hour" charts colour each event type alike (the trial
saw View blue in one and red in the other)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.data import charts
from services.datasets.group_data import events_by_hour

NOW = datetime(2026, 12, 6, 12, 30, tzinfo=UTC)
HOUR = 3600.0


def _events(rows: list[tuple[float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "TIMESTAMP": [NOW.timestamp() - age for age, _ in rows],
            "EVENT_TYPE": [t for _, t in rows],
        }
    )


def _colors(fig: go.Figure) -> dict[str, str]:
    """Each drawn event type's colour (one trace per type)."""
    return {trace.name: trace.marker.color for trace in fig.data}


def test_both_event_charts_give_each_type_one_colour() -> None:
    # View first in the data, so Plotly's own pick would give it the first colour in one chart
    # and (sorted differently) another in the other; Purchase only long ago, so the hourly
    # chart draws fewer types than the counts chart.
    events = _events(
        [
            (60, "View"),
            (120, "View"),
            (90, "AddToCart"),
            (3 * HOUR, "View"),
            (100 * HOUR, "Purchase"),
        ]
    )
    colors = charts.event_type_colors(events["EVENT_TYPE"])
    by_type = _colors(charts.events_by_type_figure(events, colors))
    by_hour = _colors(charts.events_by_hour_figure(events_by_hour(events, NOW), colors))
    assert set(by_type) == {"AddToCart", "Purchase", "View"}
    assert set(by_hour) == {"AddToCart", "View"}
    assert len(set(by_type.values())) == 3  # three types, three colours
    assert {t: by_type[t] for t in by_hour} == by_hour


def test_without_a_map_each_chart_still_colours_by_type() -> None:
    events = _events([(60, "View"), (120, "Purchase"), (90, "AddToCart")])
    by_type = _colors(charts.events_by_type_figure(events))
    by_hour = _colors(charts.events_by_hour_figure(events_by_hour(events, NOW)))
    assert by_type == by_hour and len(set(by_type.values())) == 3
