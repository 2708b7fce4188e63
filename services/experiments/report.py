"""Everything the Experiments page shows about one experiment, from its events."""

from __future__ import annotations

from dataclasses import dataclass

from services.experiments.outcomes import Outcomes
from services.experiments.records import Experiment
from services.experiments.verdict import (
    CONVERSION,
    REVENUE,
    Comparison,
    Headline,
    compare,
    headline,
    planned_days,
)


@dataclass(frozen=True)
class Report:
    """One experiment's outcomes per arm, each arm against the control on revenue per user
    and conversion, the headline, and the planner's days in all for the minimum lift on
    each metric (None: not estimable yet)."""

    experiment: Experiment
    outcomes: Outcomes
    comparisons: tuple[Comparison, ...]
    headline: Headline
    revenue_days: int | None
    conversion_days: int | None


def build_report(experiment: Experiment, outcomes: Outcomes) -> Report:
    """The report of ``experiment`` from its arms' ``outcomes`` (``outcomes.arm_outcomes`` of
    its group's PutEvents events and item prices, as of a moment)."""
    comparisons = compare(experiment, outcomes)
    return Report(
        experiment,
        outcomes,
        tuple(comparisons),
        headline(comparisons),
        planned_days(experiment, outcomes, REVENUE) if outcomes.revenue_known else None,
        planned_days(experiment, outcomes, CONVERSION),
    )
