"""Everything the Experiments page shows about one experiment, from its events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from services.experiments.outcomes import Outcomes, arm_outcomes
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


def build_report(
    experiment: Experiment,
    events: pd.DataFrame,
    prices: Mapping[str, float],
    now: datetime,
    unknown: frozenset[str] = frozenset(),
) -> Report:
    """The report of ``experiment`` from its group's PutEvents ``events``
    (``outcomes.EVENT_COLUMNS``; ``unknown`` names the columns the source lacked) and item
    ``prices``, as of ``now``."""
    outcomes = arm_outcomes(experiment, events, prices, now, unknown)
    comparisons = compare(experiment, outcomes)
    return Report(
        experiment,
        outcomes,
        tuple(comparisons),
        headline(comparisons),
        planned_days(experiment, outcomes, REVENUE) if outcomes.revenue_known else None,
        planned_days(experiment, outcomes, CONVERSION),
    )
