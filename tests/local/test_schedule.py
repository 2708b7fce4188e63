"""autoTrainingConfig.schedulingExpression: what Personalize accepts and when training is due."""

from __future__ import annotations

import pytest

from services.local.rules.training_schedule import ScheduleError, next_training_time, parse_schedule


@pytest.mark.parametrize(
    ("expression", "days"),
    [("rate(1 day)", 1), ("rate(7 days)", 7), ("rate(30 days)", 30), (None, 7)],
)
def test_rate_expressions(expression: str | None, days: int) -> None:
    assert parse_schedule(expression) == days


@pytest.mark.parametrize(
    "expression",
    ["rate(0 days)", "rate(31 days)", "cron(0 3 * * ? *)", "rate(7 hours)", "rate(7days)", ""],
)
def test_refused_expressions(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(expression)


def test_first_run_an_hour_after_active_then_every_interval_from_the_newest_version() -> None:
    active = 1_000_000.0
    assert next_training_time(active, [], "rate(3 days)") == active + 3600
    # a version at t=active+600 (e.g. created by hand) → next one 3 days after it
    assert next_training_time(active, [active + 600, active + 100], "rate(3 days)") == (
        active + 600 + 3 * 86_400
    )
