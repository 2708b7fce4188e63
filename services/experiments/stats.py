"""Confidence intervals that stay valid when people look every day, and how long to wait.

An experiment is read daily, and a fixed-horizon interval (estimate ± 1.96 standard errors)
read daily calls a winner far more often than 5 % of the time when the arms are the same: each
look is another chance for noise to cross the line. The intervals here are *confidence
sequences*: with probability 1 - alpha they cover the true difference at every look at once,
so the verdict may be read as often as wanted and acted on whenever it is reached.

They are the normal-mixture boundary of the mixture sequential probability ratio test (mSPRT)
of Johari, Koomen, Pekelis and Walsh, "Always Valid Inference: Continuous Monitoring of A/B
Tests", Operations Research 70(3), 2022 (arXiv:1512.04922), in the form of the asymptotic
confidence sequences of Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas, "Time-uniform central
limit theory and asymptotic confidence sequences", Annals of Statistics 52(6), 2024
(arXiv:2103.06476), which lets the per-user variance be estimated from the data; the mixing
parameter rho is the one their paper gives to make the interval tightest at a planned number of
users. For a difference ``d`` of the arms' means with variance ``V`` (sum of each arm's sample
variance over its users) and mixing variance ``tau2 = rho**2 * V * n``:

    half-width = sqrt(V * (V + tau2) / tau2 * (2 * log(1 / alpha) + log((V + tau2) / V)))

which is where the mSPRT statistic (the normal mixture's likelihood ratio, computed below with
the normal density) reaches ``1 / alpha``. The estimate is per user (the unit the split
randomises): the conversion rate is the share of users with a conversion, revenue is per user.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

# The standard normal's quantiles: the standard library's inverse CDF (Wichura's AS241, about
# 1e-16 relative error) gives scipy.stats.norm.ppf's values without importing scipy.stats, which
# cost every dashboard process about 0.5 s of CPU at its first page (issue #21); the planner
# below needs no root finder either, so this module imports no scipy at all.
_STANDARD_NORMAL = NormalDist()

ALPHA = 0.05  # 95 % intervals
POWER = 0.8  # the planner's chance of finding an effect of the planned size
MIN_USERS = 30  # per arm, before any interval is drawn (the normal approximation needs some)
DEFAULT_PLANNED_USERS = 10_000  # where the interval is made tightest, when nobody says


@dataclass(frozen=True)
class ArmSample:
    """One arm's per-user values as sums: ``users`` counted, ``total`` = sum of the values,
    ``total_sq`` = sum of their squares (a conversion is 0/1 per user, revenue in currency)."""

    users: int
    total: float
    total_sq: float

    @classmethod
    def of(cls, values: Sequence[float] | np.ndarray) -> ArmSample:
        """The sums of per-user ``values``."""
        array = np.asarray(values, dtype=np.float64)
        return cls(int(array.size), float(array.sum()), float((array * array).sum()))

    @property
    def mean(self) -> float:
        """The mean per user (0 for no users)."""
        return self.total / self.users if self.users else 0.0

    @property
    def variance(self) -> float:
        """The sample variance per user (ddof 1; 0 for fewer than two users)."""
        if self.users < 2:
            return 0.0
        centred = self.total_sq - self.users * self.mean**2
        return max(0.0, centred / (self.users - 1))


@dataclass(frozen=True)
class Difference:
    """Treatment minus control per user, with its always-valid interval.

    ``estimate``, ``low``, ``high`` are in the metric's unit (a share for conversion, currency
    for revenue); ``relative*`` divide them by the control's mean (None when it is 0);
    ``fixed_low``/``fixed_high`` are the fixed-horizon interval of one look, for comparison;
    ``p_value`` is the always-valid p-value at this look (1 / the mSPRT statistic, at most 1).
    """

    estimate: float
    low: float
    high: float
    fixed_low: float
    fixed_high: float
    p_value: float
    control_mean: float
    treatment_mean: float
    alpha: float

    @property
    def relative(self) -> float | None:
        return self.estimate / self.control_mean if self.control_mean else None

    @property
    def relative_low(self) -> float | None:
        return self.low / self.control_mean if self.control_mean else None

    @property
    def relative_high(self) -> float | None:
        return self.high / self.control_mean if self.control_mean else None

    @property
    def decided(self) -> bool:
        """The interval excludes 0: one arm is better, at level ``alpha``, however often read."""
        return self.low > 0 or self.high < 0


def rho_squared(planned_users: int, alpha: float = ALPHA) -> float:
    """The mixing parameter that makes the sequence tightest at ``planned_users`` users
    (Waudby-Smith et al. 2024, section 3: rho^2 = (-2 log alpha + log(1 - 2 log alpha)) / n).

    Raises:
        ValueError: ``planned_users`` < 1 or ``alpha`` not in (0, 1).
    """
    _check_alpha(alpha)
    if planned_users < 1:
        raise ValueError("planned_users must be at least 1")
    two_log = -2.0 * math.log(alpha)
    return (two_log + math.log(1.0 + two_log)) / planned_users


def half_width(variance_unit: float, users: float, rho2: float, alpha: float = ALPHA) -> float:
    """The always-valid half-width after ``users`` users in all, for a difference whose
    variance is ``variance_unit / users`` (``variance_unit`` = sum over arms of the per-user
    variance / the arm's share of users)."""
    if variance_unit <= 0:
        return 0.0
    v = variance_unit / users
    tau2 = rho2 * variance_unit
    return math.sqrt(v * (v + tau2) / tau2 * (2.0 * math.log(1.0 / alpha) + math.log1p(tau2 / v)))


def msprt_statistic(estimate: float, v: float, tau2: float) -> float:
    """The normal-mixture likelihood ratio of Johari et al. for H0 "no difference": the
    density of ``estimate`` under the mixture N(0, v + tau2) over its density under
    N(0, v). H0 is rejected (at level alpha, at any look) once it reaches 1 / alpha."""
    log_ratio = _log_density(estimate, math.sqrt(v + tau2)) - _log_density(estimate, math.sqrt(v))
    return math.exp(min(log_ratio, 700.0))


def _log_density(x: float, sd: float) -> float:
    """log of the N(0, sd^2) density at ``x``."""
    return -0.5 * (x / sd) ** 2 - math.log(sd) - 0.5 * math.log(2.0 * math.pi)


def difference(
    control: ArmSample,
    treatment: ArmSample,
    *,
    alpha: float = ALPHA,
    planned_users: int = DEFAULT_PLANNED_USERS,
) -> Difference | None:
    """The treatment's mean per user minus the control's, with its always-valid interval.

    None while an arm has fewer than ``MIN_USERS`` users (no interval is honest yet).
    Both arms constant and equal give a zero-width interval at 0 (nothing varies).

    Raises:
        ValueError: ``alpha`` not in (0, 1) or ``planned_users`` < 1.
    """
    _check_alpha(alpha)
    if control.users < MIN_USERS or treatment.users < MIN_USERS:
        return None
    estimate = treatment.mean - control.mean
    v = control.variance / control.users + treatment.variance / treatment.users
    n = control.users + treatment.users
    if v <= 0:
        return Difference(
            estimate, estimate, estimate, estimate, estimate,
            1.0 if estimate == 0 else 0.0, control.mean, treatment.mean, alpha,
        )  # fmt: skip
    rho2 = rho_squared(planned_users, alpha)
    width = half_width(v * n, n, rho2, alpha)
    fixed = _STANDARD_NORMAL.inv_cdf(1.0 - alpha / 2.0) * math.sqrt(v)
    p_value = min(1.0, 1.0 / msprt_statistic(estimate, v, rho2 * v * n))
    return Difference(
        estimate=estimate,
        low=estimate - width,
        high=estimate + width,
        fixed_low=estimate - fixed,
        fixed_high=estimate + fixed,
        p_value=p_value,
        control_mean=control.mean,
        treatment_mean=treatment.mean,
        alpha=alpha,
    )


def users_needed(
    variance_unit: float,
    effect: float,
    *,
    alpha: float = ALPHA,
    power: float = POWER,
    planned_users: int = DEFAULT_PLANNED_USERS,
) -> int | None:
    """Users in all (every arm together) until an effect of ``effect`` (absolute, in the
    metric's unit) is found with probability about ``power`` by the always-valid interval:
    the smallest n with half_width(n) + z_power * sqrt(variance_unit / n) <= |effect|.
    None for a zero effect (it is never found) or no variance (found at once: 0 is returned).

    Raises:
        ValueError: ``alpha``/``power`` not in (0, 1).
    """
    _check_alpha(alpha)
    if not 0 < power < 1:
        raise ValueError("power must be between 0 and 1")
    if variance_unit <= 0:
        return 0
    if effect == 0:
        return None
    rho2 = rho_squared(planned_users, alpha)
    z = _STANDARD_NORMAL.inv_cdf(power)

    def gap(n: float) -> float:
        return (
            half_width(variance_unit, n, rho2, alpha)
            + z * math.sqrt(variance_unit / n)
            - abs(effect)
        )

    low, high = 2, 10**15
    if gap(low) <= 0:
        return low
    if gap(high) > 0:
        return None  # beyond any traffic
    # The smallest whole number of users that reaches the effect, by bisection: both terms
    # fall as users grow (the half-width is sqrt(unit / n * (1 + 1 / x) * (2 log(1 / alpha) +
    # log(1 + x))) with x = rho2 * n, a product of positive falling factors), so the gap
    # changes sign once. About 50 halvings, no root finder to import (scipy.optimize cost the
    # Experiments page's first load about 0.4 s of CPU, issue #21).
    while high - low > 1:
        middle = (low + high) // 2
        if gap(middle) <= 0:
            high = middle
        else:
            low = middle
    return high


def fixed_horizon_users_per_arm(
    rate: float, lift: float, *, alpha: float = ALPHA, power: float = POWER
) -> int:
    """Users per arm of a classic two-sided test of two conversion rates looked at once:
    (z_{1-alpha/2} + z_power)^2 * (p1 (1 - p1) + p2 (1 - p2)) / (p2 - p1)^2, with
    p2 = rate * (1 + lift). For comparison with ``users_needed`` (the price of peeking).

    Raises:
        ValueError: ``rate`` not in (0, 1), ``lift`` 0, or p2 not below 1.
    """
    _check_alpha(alpha)
    p2 = rate * (1.0 + lift)
    if not 0 < rate < 1 or not 0 < p2 < 1 or lift == 0:
        raise ValueError("rate and rate * (1 + lift) must be between 0 and 1, lift not 0")
    z = _STANDARD_NORMAL.inv_cdf(1.0 - alpha / 2.0) + _STANDARD_NORMAL.inv_cdf(power)
    return math.ceil(z * z * (rate * (1 - rate) + p2 * (1 - p2)) / (p2 - rate) ** 2)


def variance_unit(arms: Sequence[ArmSample], shares: Sequence[float]) -> float:
    """The per-user variance unit of a difference of two arms' means: sum of each arm's
    variance over its share of users (so that the difference's variance is it / users).

    Raises:
        ValueError: a share is not positive, or the lengths differ.
    """
    if len(arms) != len(shares) or any(s <= 0 for s in shares):
        raise ValueError("one positive share per arm")
    return sum(a.variance / s for a, s in zip(arms, shares, strict=True))


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
