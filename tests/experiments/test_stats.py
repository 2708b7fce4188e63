"""The always-valid interval against hand-computed numbers, and by seeded simulation: an A/A
split read every day is called a winner at most about 5 % of the time (a one-look interval
read daily is not), and a planted lift is found."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from services.experiments.stats import (
    MIN_USERS,
    ArmSample,
    difference,
    fixed_horizon_users_per_arm,
    half_width,
    msprt_statistic,
    rho_squared,
    users_needed,
    variance_unit,
)


def _converted(users: int, converted: int) -> ArmSample:
    return ArmSample.of([1.0] * converted + [0.0] * (users - converted))


def test_interval_matches_the_hand_computed_one() -> None:
    # A: 10 of 100 users converted, B: 20 of 100. By hand: variances 9/99 and 16/99;
    # V = 0.09091/100 + 0.16162/100 = 0.0025253; n = 200; rho^2 at 200 planned users =
    # (2 ln 20 + ln(1 + 2 ln 20)) / 200 = (5.99146 + 1.94469) / 200 = 0.039681;
    # tau^2 = rho^2 * V * n = 0.020041; half-width^2 = V (V + tau^2) / tau^2 *
    # (2 ln 20 + ln((V + tau^2) / V)) = 0.0025253 * 1.12600 * (5.99146 + 2.19011) = 0.023264,
    # half-width 0.15252; the one-look interval is 1.95996 * sqrt(V) = 0.09849 wide each side.
    a, b = _converted(100, 10), _converted(100, 20)
    assert a.variance == pytest.approx(9 / 99)
    assert b.variance == pytest.approx(16 / 99)
    assert rho_squared(200) == pytest.approx(0.039681, abs=1e-6)
    d = difference(a, b, planned_users=200)
    assert d is not None
    assert d.estimate == pytest.approx(0.1)
    assert d.low == pytest.approx(0.1 - 0.15252, abs=1e-5)
    assert d.high == pytest.approx(0.1 + 0.15252, abs=1e-5)
    assert d.fixed_low == pytest.approx(0.1 - 0.09849, abs=1e-5)
    assert d.fixed_high == pytest.approx(0.1 + 0.09849, abs=1e-5)
    assert not d.decided  # the one-look interval would exclude 0; the daily-safe one does not
    assert d.relative == pytest.approx(1.0)
    assert d.relative_low == pytest.approx((0.1 - 0.15252) / 0.1, abs=1e-4)


def test_interval_edge_is_where_the_msprt_reaches_one_over_alpha() -> None:
    a, b = _converted(400, 40), _converted(500, 75)
    d = difference(a, b, planned_users=900)
    assert d is not None
    v = a.variance / 400 + b.variance / 500
    tau2 = rho_squared(900) * v * 900
    width = d.high - d.estimate
    # the boundary is where the normal mixture's likelihood ratio of "difference = 0" equals
    # 1 / alpha (Johari et al.): shifting the estimate by exactly the half-width lands there
    assert msprt_statistic(width, v, tau2) == pytest.approx(20.0, rel=1e-9)
    assert d.p_value == pytest.approx(min(1.0, 1 / msprt_statistic(d.estimate, v, tau2)))
    assert (d.p_value <= 0.05) == d.decided


def test_decided_when_the_difference_is_large_and_says_which_way() -> None:
    d = difference(_converted(2_000, 100), _converted(2_000, 200), planned_users=4_000)
    assert d is not None and d.decided and d.low > 0
    worse = difference(_converted(2_000, 200), _converted(2_000, 100), planned_users=4_000)
    assert worse is not None and worse.decided and worse.high < 0


def test_too_few_users_gives_no_interval() -> None:
    assert difference(_converted(MIN_USERS - 1, 3), _converted(500, 50)) is None
    assert difference(_converted(MIN_USERS, 3), _converted(MIN_USERS, 3)) is not None


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="alpha"):
        difference(_converted(50, 5), _converted(50, 5), alpha=1.5)
    with pytest.raises(ValueError, match="planned_users"):
        rho_squared(0)
    with pytest.raises(ValueError, match="power"):
        users_needed(1.0, 0.1, power=1.0)


def test_fixed_horizon_planner_matches_the_textbook_formula() -> None:
    # 5 % conversion, 3 % lift (5.15 %), two-sided 5 %, 80 % power:
    # (1.95996 + 0.84162)^2 * (0.05 * 0.95 + 0.0515 * 0.9485) / 0.0015^2
    # = 7.848880 * 0.09634775 / 2.25e-6 = 336,098.6, so 336,099 users per arm
    assert fixed_horizon_users_per_arm(0.05, 0.03) == 336_099
    with pytest.raises(ValueError, match="between 0 and 1"):
        fixed_horizon_users_per_arm(0.9, 0.2)


def test_always_valid_planner_finds_the_crossing() -> None:
    unit = 4 * 0.05 * 0.95  # a 50/50 split of a 5 % conversion rate
    effect = 0.05 * 0.03
    n = users_needed(unit, effect, planned_users=700_000)
    assert n is not None
    z = norm.ppf(0.8)
    rho2 = rho_squared(700_000)

    def reach(users: float) -> float:
        return half_width(unit, users, rho2) + z * math.sqrt(unit / users)

    assert reach(n) <= effect < reach(n - 1)  # the smallest whole number of users
    # peeking costs users: more than the one-look test needs for the same lift and power
    assert n > 2 * fixed_horizon_users_per_arm(0.05, 0.03)
    assert users_needed(unit, 0.0) is None
    assert users_needed(0.0, effect) == 0


def test_variance_unit_weights_arms_by_their_share() -> None:
    a, b = _converted(100, 10), _converted(100, 20)
    assert variance_unit([a, b], [0.5, 0.5]) == pytest.approx(2 * 9 / 99 + 2 * 16 / 99)
    with pytest.raises(ValueError, match="positive share"):
        variance_unit([a, b], [1.0, 0.0])


def _daily_looks(
    rng: np.random.Generator, runs: int, days: int, per_day: int, rates: tuple[float, float]
) -> tuple[int, int]:
    """(runs the always-valid interval decided at some daily look, runs a one-look interval
    read daily excluded 0 at some look), for per-user conversions at ``rates`` (A, B)."""
    decided = naive = 0
    planned = days * per_day
    for _ in range(runs):
        arm = rng.random((days, per_day)) < 0.5
        converted = rng.random((days, per_day)) < np.where(arm, rates[1], rates[0])
        n_b = np.cumsum(arm.sum(axis=1))
        c_b = np.cumsum((converted & arm).sum(axis=1))
        n_a = np.cumsum((~arm).sum(axis=1))
        c_a = np.cumsum((converted & ~arm).sum(axis=1))
        seen_valid = seen_naive = False
        for day in range(days):
            d = difference(
                ArmSample(int(n_a[day]), float(c_a[day]), float(c_a[day])),
                ArmSample(int(n_b[day]), float(c_b[day]), float(c_b[day])),
                planned_users=planned,
            )
            if d is None:
                continue
            seen_valid |= d.decided
            seen_naive |= d.fixed_low > 0 or d.fixed_high < 0
        decided += seen_valid
        naive += seen_naive
    return decided, naive


def test_a_a_split_read_daily_is_not_called_more_often_than_alpha() -> None:
    runs = 300
    decided, naive = _daily_looks(np.random.default_rng(23), runs, 14, 250, (0.08, 0.08))
    # nominal 5 %; allow 2.33 binomial standard errors (one-sided 1 %) above it
    assert decided / runs <= 0.05 + 2.33 * math.sqrt(0.05 * 0.95 / runs)
    # the same data read daily with a one-look interval calls far more "winners"
    assert naive / runs > 0.1


def test_a_planted_lift_is_found_as_often_as_the_planner_says() -> None:
    # 8 % vs 12 % conversion; the planner says about 3,500 users in all give 80 % power
    unit = 2 * 0.08 * 0.92 + 2 * 0.12 * 0.88
    needed = users_needed(unit, 0.04, planned_users=3_500)
    assert needed is not None and 3_000 < needed <= 3_500
    runs = 100
    found, _ = _daily_looks(np.random.default_rng(7), runs, 14, 250, (0.08, 0.12))  # 3,500
    # found at some daily look in at least ~80 % of runs (one binomial SE of slack)
    assert found / runs >= 0.76
