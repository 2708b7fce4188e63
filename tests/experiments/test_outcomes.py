"""Per-arm outcomes from PutEvents rows, and the verdict built on them, against hand counts.

The users' arms come from docs/experiments.md's test vectors (summer-recs, 50/50): user-1 and
user-2 are in B, user-3 and user-4 in A.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from services.experiments.outcomes import EVENT_COLUMNS, ArmOutcome, Outcomes, arm_outcomes
from services.experiments.records import Arm, Experiment
from services.experiments.stats import ArmSample, difference, users_needed, variance_unit
from services.experiments.verdict import (
    BETTER,
    CONVERSION,
    NOT_YET,
    REVENUE,
    TOO_FEW,
    WORSE,
    compare,
    headline,
)

START = datetime(2026, 12, 1, tzinfo=UTC)
T0 = int(START.timestamp())


def _experiment(**kw: object) -> Experiment:
    values: dict[str, object] = {
        "id": 1,
        "name": "summer-recs",
        "dataset_group_arn": "arn:group",
        "arms": (Arm("A", 5_000, "arn:c/a"), Arm("B", 5_000, "arn:c/b")),
        "click_event": "View",
        "conversion_event": "Purchase",
        "min_lift": 0.03,
        "planned_users": 10_000,
        "status": "running",
        "started": START,
        "stopped": None,
        "created_by": "kim",
        "winner": None,
    }
    values.update(kw)
    return Experiment(**values)  # type: ignore[arg-type]


def _events(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """The rows as an events frame; rows without the last column (IMPRESSION) have none."""
    width = len(EVENT_COLUMNS)
    padded = [row + (None,) * (width - len(row)) for row in rows]
    return pd.DataFrame(padded, columns=list(EVENT_COLUMNS))


def test_outcomes_count_each_arm_by_hand() -> None:
    nan = float("nan")
    events = _events(
        [
            # user, session, item, time, type, value, recommendationId, source
            ("user-3", "s0", "i1", T0 - 10, "Purchase", nan, None, None),  # before the start
            ("user-3", "s1", "i1", T0 + 10, "View", nan, "r1", "A"),
            ("user-3", "s1", "i1", T0 + 20, "Purchase", nan, "r1", "A"),  # price 10,000
            ("user-4", "s4", "i2", T0 + 30, "View", nan, None, None),
            ("user-1", "s1", "i1", T0 + 40, "View", nan, "r2", "B"),
            ("user-1", "s2", "i2", T0 + 50, "Purchase", 5_000.0, None, None),  # value wins
            ("user-1", "s2", "i3", T0 + 60, "Purchase", nan, None, None),  # no price: 0
            ("user-2", "s3", "i1", T0 + 70, "View", nan, "r3", "A"),  # says A, is in B
        ]
    )
    prices = {"i1": 10_000.0, "i2": 20_000.0}
    out = arm_outcomes(_experiment(), events, prices, START + timedelta(days=2))
    a, b = out.arms
    assert (a.name, a.users, a.sessions, a.lists_acted_on, a.clicks) == ("A", 2, 2, 1, 1)
    assert (a.conversions, a.revenue, a.mislabelled) == (1, 10_000.0, 0)
    assert a.conversion_rate == 0.5 and a.revenue_per_user.mean == 5_000.0
    assert a.revenue_per_session == 5_000.0
    assert (b.name, b.users, b.sessions, b.lists_acted_on, b.clicks) == ("B", 2, 3, 2, 2)
    assert (b.conversions, b.revenue, b.mislabelled) == (2, 5_000.0, 1)
    assert b.conversion_rate == 0.5 and b.revenue_per_user.mean == 2_500.0
    assert b.revenue_per_session == pytest.approx(5_000 / 3)
    # per-user revenue of B is (5,000, 0): variance 12,500,000 (ddof 1)
    assert b.revenue_per_user.variance == pytest.approx(12_500_000.0)
    assert out.days == 2.0 and out.users == 4 and out.users_per_day == 2.0


def test_a_stopped_experiment_counts_nothing_after_its_stop() -> None:
    events = _events(
        [
            ("user-3", "s1", "i1", T0 + 10, "Purchase", 1.0, None, None),
            ("user-3", "s1", "i1", T0 + 7_200, "Purchase", 1.0, None, None),
        ]
    )
    stopped = _experiment(stopped=START + timedelta(hours=1), status="stopped")
    out = arm_outcomes(stopped, events, {}, START + timedelta(days=5))
    assert out.arms[0].conversions == 1 and out.days == pytest.approx(1 / 24)
    assert out.users_per_day == 0.0  # less than a day: no rate to extrapolate


def test_events_in_the_second_the_experiment_started_count() -> None:
    # started at 0.7 s past T0; the shop's events carry whole seconds (sentAt = int(time()))
    started = _experiment(started=START + timedelta(milliseconds=700))
    events = _events(
        [
            ("user-3", "s1", "i1", T0, "Purchase", 1.0, None, None),
            ("user-3", "s1", "i1", T0 - 1, "Purchase", 1.0, None, None),  # before: left out
        ]
    )
    out = arm_outcomes(started, events, {}, START + timedelta(days=1))
    assert out.arms[0].users == 1 and out.arms[0].conversions == 1


def _arm(name: str, users: int, converted: int, revenue: list[float]) -> ArmOutcome:
    values = revenue + [0.0] * (users - len(revenue))
    conv = ArmSample.of([1.0] * converted + [0.0] * (users - converted))
    return ArmOutcome(name, users, users, 0, 0, converted, sum(values), conv,
                      ArmSample.of(values), 0)  # fmt: skip


def test_verdict_calls_the_winner_with_the_same_interval_as_the_stats() -> None:
    control = _arm("A", 2_000, 100, [10_000.0] * 100)
    treated = _arm("B", 2_000, 200, [10_000.0] * 200)
    comparisons = compare(_experiment(planned_users=4_000), Outcomes((control, treated), 10.0))
    revenue = next(c for c in comparisons if c.metric == REVENUE)
    assert revenue.state == BETTER and revenue.more_days is None
    expected = difference(control.revenue_per_user, treated.revenue_per_user, planned_users=4_000)
    assert revenue.difference == expected
    assert revenue.difference is not None and revenue.difference.relative == pytest.approx(1.0)
    top = headline(comparisons)
    assert top.decided is revenue
    worse = compare(_experiment(planned_users=4_000), Outcomes((treated, control), 10.0))
    assert {c.state for c in worse} == {WORSE}


def test_not_yet_says_how_many_more_days() -> None:
    control = _arm("A", 500, 50, [10_000.0] * 50)
    treated = _arm("B", 500, 52, [10_000.0] * 52)
    experiment = _experiment(min_lift=0.1)
    comparisons = compare(experiment, Outcomes((control, treated), 5.0))  # 200 users a day
    conversion = next(c for c in comparisons if c.metric == CONVERSION)
    assert conversion.state == NOT_YET
    unit = variance_unit([control.converted, treated.converted], [0.5, 0.5])
    needed = users_needed(unit, 0.1 * 0.1, planned_users=10_000)
    assert needed is not None
    assert conversion.more_days == math.ceil((needed - 1_000) / 200)
    top = headline(comparisons)
    revenue = next(c for c in comparisons if c.metric == REVENUE)
    assert top.decided is None and top.more_days == revenue.more_days


def test_too_few_users_is_no_verdict_and_three_arms_split_alpha() -> None:
    small = compare(_experiment(), Outcomes((_arm("A", 10, 1, []), _arm("B", 10, 2, [])), 1.0))
    assert {c.state for c in small} == {TOO_FEW}
    assert all(c.difference is None for c in small)
    arms = (Arm("A", 3_400, "a"), Arm("B", 3_300, "b"), Arm("C", 3_300, "c"))
    three = _experiment(arms=arms, planned_users=3_000)
    outs = (_arm("A", 1_000, 50, []), _arm("B", 1_000, 80, []), _arm("C", 1_000, 50, []))
    comparisons = compare(three, Outcomes(outs, 10.0))
    b = next(c for c in comparisons if c.metric == CONVERSION and c.treatment == "B")
    assert b.difference is not None and b.difference.alpha == pytest.approx(0.025)


def test_clicks_can_outnumber_the_lists_acted_on() -> None:
    """A list is counted once however many of its items are clicked, and a list shown but
    ignored leaves no event: so the figure is "lists acted on", not impressions (a trial read
    89 "impressions" against 145 clicks)."""
    nan = float("nan")
    events = _events(
        [
            ("user-3", "s1", "i1", T0 + 10, "View", nan, "r1", "A"),
            ("user-3", "s1", "i2", T0 + 20, "View", nan, "r1", "A"),
            ("user-3", "s1", "i3", T0 + 30, "View", nan, "r1", "A"),
        ]
    )
    a, _b = arm_outcomes(_experiment(), events, {}, START + timedelta(days=1)).arms
    assert (a.lists_acted_on, a.clicks) == (1, 3)
