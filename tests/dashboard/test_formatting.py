"""Formatting helpers, checked against values worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.components.formatting import duration, percent_delta, relative_time, short_id

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_relative_time_units() -> None:
    assert relative_time(NOW - timedelta(seconds=30), NOW) == "30 s ago"
    assert relative_time(NOW - timedelta(minutes=90), NOW) == "90 min ago"
    assert relative_time(NOW - timedelta(hours=3, minutes=5), NOW) == "3 h ago"
    assert relative_time(NOW - timedelta(days=3), NOW) == "3 d ago"
    assert relative_time(NOW + timedelta(minutes=5), NOW) == "in 5 min"
    assert relative_time(NOW, NOW) == "just now"
    assert relative_time(None, NOW) == "—"


def test_duration_boundaries() -> None:
    assert duration(timedelta(seconds=59)) == "59 s"
    assert duration(timedelta(seconds=60)) == "1 min"
    assert duration(timedelta(hours=47)) == "47 h"
    assert duration(timedelta(hours=48)) == "2 d"


def test_percent_delta_and_short_id() -> None:
    assert percent_delta(0.0896, 0.08) == "+12%"
    assert percent_delta(0.07, 0.08) == "−12%"
    assert percent_delta(1.0, 0.0) == ""
    assert short_id("arn:aws:personalize:us-east-1:000000000000:campaign/shop-recs") == "shop-recs"
    assert short_id(None) == "—"
