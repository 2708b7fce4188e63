"""What an experiment says so far: for each arm against the first (the control), which is
better on revenue per user and on conversion, by how much, with an always-valid 95 % interval
(``services.experiments.stats``), or how many more days until it could tell.

With k arms each comparison is made at alpha / (k - 1) (Bonferroni), so the chance of calling
any wrong winner stays within alpha.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from services.experiments.outcomes import ArmOutcome, Outcomes
from services.experiments.records import Experiment
from services.experiments.stats import (
    ALPHA,
    ArmSample,
    Difference,
    difference,
    users_needed,
    variance_unit,
)
from services.i18n import N_

REVENUE, CONVERSION = "revenue per user", "conversion rate"
# states, in English as stored; the page shows them translated
BETTER, WORSE = N_("better"), N_("worse")
NOT_YET, TOO_FEW = N_("not yet"), N_("too few users")


@dataclass(frozen=True)
class Comparison:
    """One treatment arm against the control on one ``metric`` (REVENUE or CONVERSION).

    ``state``: BETTER / WORSE (the interval excludes 0), NOT_YET (it does not; ``more_days``
    estimates how long until the experiment's minimum lift would be found, None when it
    cannot be estimated yet: no traffic per day or no variance), or TOO_FEW (fewer than
    stats.MIN_USERS users in an arm; ``difference`` is None)."""

    control: str
    treatment: str
    metric: str
    state: str
    difference: Difference | None
    more_days: int | None


def _arm_sample(arm: ArmOutcome, metric: str) -> ArmSample:
    return arm.revenue_per_user if metric == REVENUE else arm.converted


def compare(experiment: Experiment, outcomes: Outcomes) -> list[Comparison]:
    """Every treatment arm against the control, revenue per user first, then conversion
    (conversion only when the revenue is unknown: ``outcomes.revenue_known`` is false)."""
    control = outcomes.arms[0]
    alpha = ALPHA / max(1, len(outcomes.arms) - 1)
    out = []
    for metric in (REVENUE, CONVERSION) if outcomes.revenue_known else (CONVERSION,):
        for index, arm in enumerate(outcomes.arms[1:], start=1):
            a, b = _arm_sample(control, metric), _arm_sample(arm, metric)
            diff = difference(a, b, alpha=alpha, planned_users=experiment.planned_users)
            if diff is None:
                state = TOO_FEW
            elif diff.decided:
                state = BETTER if diff.low > 0 else WORSE
            else:
                state = NOT_YET
            more = None
            if state in (NOT_YET, TOO_FEW):
                more = _more_days(experiment, outcomes, index, metric, alpha)
            out.append(Comparison(control.name, arm.name, metric, state, diff, more))
    return out


def _more_days(
    experiment: Experiment, outcomes: Outcomes, index: int, metric: str, alpha: float
) -> int | None:
    """Days from now until the minimum lift on ``metric`` of arm ``index`` over the control
    would be found with 80 % probability, at the users a day seen so far (None: not
    estimable yet)."""
    plan = _plan(experiment, outcomes, index, metric, alpha)
    if plan is None:
        return None
    needed, have, per_day = plan
    return max(0, math.ceil((needed - have) / per_day))


def planned_days(experiment: Experiment, outcomes: Outcomes, metric: str) -> int | None:
    """Days in all (from the start) that the experiment needs to find its minimum lift on
    ``metric`` of the second arm over the first with 80 % probability at the traffic seen so
    far: the planner's "to see a 3 % lift in conversion at this traffic you need about N
    days". None before a day of traffic, or without variance in the control."""
    alpha = ALPHA / max(1, len(outcomes.arms) - 1)
    plan = _plan(experiment, outcomes, 1, metric, alpha)
    return None if plan is None else max(1, math.ceil(plan[0] / plan[2]))


def _plan(
    experiment: Experiment, outcomes: Outcomes, index: int, metric: str, alpha: float
) -> tuple[int, int, float] | None:
    """(users the pair needs, users it has, users it gains a day), or None (see callers)."""
    control, arm = outcomes.arms[0], outcomes.arms[index]
    a, b = _arm_sample(control, metric), _arm_sample(arm, metric)
    if outcomes.users_per_day <= 0 or a.users < 2 or b.users < 2:
        return None
    shares = (experiment.arms[0].share, experiment.arms[index].share)
    # the other arms' users do not count towards this pair
    per_day = outcomes.users_per_day * sum(shares)
    unit = variance_unit([a, b], [s / sum(shares) for s in shares])
    effect = experiment.min_lift * a.mean
    if unit <= 0 or effect <= 0:
        return None
    needed = users_needed(unit, effect, alpha=alpha, planned_users=experiment.planned_users)
    if needed is None:
        return None
    return needed, a.users + b.users, per_day


@dataclass(frozen=True)
class Headline:
    """The one sentence the page leads with, as data: ``winner`` beats ``loser`` on
    ``metric`` (a Comparison with state BETTER or WORSE), or nothing decided yet with the
    longest ``more_days`` of the ``wait_metric`` comparisons (revenue per user, or conversion
    when revenue is unknown; None when not estimable)."""

    decided: Comparison | None
    more_days: int | None
    wait_metric: str = REVENUE


def headline(comparisons: list[Comparison]) -> Headline:
    """The first decided comparison on revenue per user, else on conversion; else how long."""
    for metric in (REVENUE, CONVERSION):
        for c in comparisons:
            if c.metric == metric and c.state in (BETTER, WORSE):
                return Headline(c, None)
    wait_metric = REVENUE if any(c.metric == REVENUE for c in comparisons) else CONVERSION
    waits = [c.more_days for c in comparisons if c.metric == wait_metric]
    known = [w for w in waits if w is not None]
    more = max(known) if known and len(known) == len(waits) else None
    return Headline(None, more, wait_metric)
