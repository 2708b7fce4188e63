"""The Data page's tables, computed in services: PutEvents per hour and the long tail's shape."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from services.datasets.group_data import (
    EVENT_HOURS,
    events_by_hour,
    long_tail_of_counts,
    tail_shape,
    time_since,
)

NOW = datetime(2025, 1, 2, 12, 30, tzinfo=UTC)
T = int(NOW.timestamp())


def test_events_by_hour_counts_the_last_48_hours_zero_filled() -> None:
    events = pd.DataFrame(
        {
            "TIMESTAMP": [T - 60, T - 120, T - 3600, T - 50 * 3600, "not a time"],
            "EVENT_TYPE": ["view", "view", None, "view", "view"],
        }
    )
    table = events_by_hour(events, NOW)
    hours = table["hour"].drop_duplicates()
    assert len(hours) == EVENT_HOURS
    assert hours.max() == pd.Timestamp("2025-01-02 12:00", tz="UTC")
    counts = table.groupby(["hour", "EVENT_TYPE"])["events"].sum()
    assert counts[(pd.Timestamp("2025-01-02 12:00", tz="UTC"), "view")] == 2
    assert counts[(pd.Timestamp("2025-01-02 11:00", tz="UTC"), "(none)")] == 1
    assert table["events"].sum() == 3  # 50 h ago and an unreadable time are left out


def test_time_since_is_each_events_age() -> None:
    ages = time_since(pd.DataFrame({"TIMESTAMP": [T - 90, T - 86_400]}), NOW)
    assert list(ages) == [pd.Timedelta(seconds=90), pd.Timedelta(days=1)]


def test_the_tail_shape_names_the_heads_share_and_single_items() -> None:
    tail = long_tail_of_counts(pd.Series({"a": 5, "b": 3, "c": 1, "d": 1, "e": 1}))
    shape = tail_shape(tail)
    # 5 items: the top 20 % is one item, with 5 of 11 interactions; three have one each.
    assert (shape.items, shape.head, shape.single) == (5, 1, 3)
    assert shape.head_share == 5 / 11
