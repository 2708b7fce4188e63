"""Per arm of an experiment on AWS: the metric attribution's PutEvents sums where the shop
sent the arm's name as ``metricAttribution.eventAttributionSource``.

On AWS the dashboard cannot read the events themselves, only what Personalize publishes of
them: one CloudWatch metric per attribution metric and event attribution source, summed per
15-minute period ("Publishing and viewing results",
https://docs.aws.amazon.com/personalize/latest/dg/metric-attribution-results.html), read by
``services.evaluation.online_cloudwatch``. So per arm this gives each metric's total (e.g.
clicks as SAMPLECOUNT(), revenue as SUM(Items.PRICE)) and nothing per user: how many users or
sessions an arm had is not published, so conversion rate, revenue per user and per session
have no known denominator, and neither an interval nor a verdict can be computed from
CloudWatch alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.evaluation.online_metrics import AttributionSource, PointsQuery
from services.experiments.records import Experiment
from services.personalize.models import AttributedMetric, MetricAttribution


@dataclass(frozen=True)
class AttributedArm:
    """One arm's total of each attribution metric (metric name -> sum over the experiment's
    time, in the metric's unit: events for SAMPLECOUNT(), the column's unit for SUM)."""

    name: str
    totals: dict[str, float]


@dataclass(frozen=True)
class AttributedOutcomes:
    """Every arm's totals (in the experiment's arm order) from one metric attribution over
    ``[start, end)``; ``metrics`` in the attribution's order."""

    attribution: MetricAttribution
    metrics: tuple[AttributedMetric, ...]
    arms: tuple[AttributedArm, ...]
    start: datetime
    end: datetime


def attributed_outcomes(
    experiment: Experiment,
    attribution: MetricAttribution,
    metrics: tuple[AttributedMetric, ...],
    source: AttributionSource,
    now: datetime,
) -> AttributedOutcomes:
    """The sums of ``metrics`` of ``attribution`` whose event attribution source is an arm's
    name, from the experiment's start to its stop (or ``now``). Sources that name no arm
    (other traffic, SOURCE_NAME_UNDEFINED) are left out; an arm without data has 0 for
    every metric.

    Raises:
        ServiceError: the figures cannot be read (AccessDenied when the role may not call
            cloudwatch:ListMetrics / GetMetricData).
    """
    end = experiment.stopped or now
    points = source.points(PointsQuery(attribution, metrics, experiment.started, end))
    names = [a.name for a in experiment.arms]
    mine = points.loc[points["source"].isin(names)]
    sums = mine.groupby(["source", "metricName"])["value"].sum()
    arms = tuple(
        AttributedArm(
            name,
            {m.name: float(sums.get((name, m.name), 0.0)) for m in metrics},
        )
        for name in names
    )
    return AttributedOutcomes(attribution, metrics, arms, experiment.started, end)
