"""Metric attributions: the expressions Personalize accepts and the layout of its report.

Rules, from the developer guide ("Event metrics and attribution reports", "Guidelines and
requirements for a metric attribution", API reference ``CreateMetricAttribution``):

- an event's source is its ``eventAttributionSource`` when given; else the campaign or
  recommender that issued its ``recommendationId``; else ``SOURCE_NAME_UNDEFINED``;
- each metric counts one event type with ``SAMPLECOUNT()`` or sums a numeric column with
  ``SUM(Items.COLUMN)`` / ``SUM(Interactions.COLUMN)`` (e.g. ``SUM(Items.PRICE)``);
- only events recorded after the metric attribution was created are reported.

The engine reports in AWS's own layout ("Publishing and viewing results",
https://docs.aws.amazon.com/personalize/latest/dg/metric-attribution-results.html): one row per
metric, source and 15-minute interval ("Amazon Personalize aggregates calculations over a
15-minute window"), with the columns of the S3 report
``METRIC_NAME,EVENT_TYPE,VALUE,MATH_FUNCTION,EVENT_ATTRIBUTION_SOURCE,TIMESTAMP``
(``MATH_FUNCTION`` ``samplecount`` | ``sum``, ``TIMESTAMP`` the interval's start in epoch
seconds). The same rows are what CloudWatch holds for PutEvents data (one metric per
``METRIC_NAME`` and source, 900-second periods), so one reader serves both: the engine computes
them (``services.local.runtime.attribution``) and the dashboard reads them
(``services.evaluation.online_metrics``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

UNDEFINED_SOURCE = "SOURCE_NAME_UNDEFINED"
PERIOD = 900  # seconds: the 15-minute window Personalize aggregates over
# "AggregatedAttributionMetrics - ImportMethod - Timestamp.csv": the S3 report's file name
REPORT_PREFIX = "AggregatedAttributionMetrics"
MAX_METRICS = 10
_EXPRESSION = re.compile(
    r"\s*(SAMPLECOUNT)\(\s*\)\s*|\s*(SUM)\(\s*(Items|Interactions)\.([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*"
)
# Columns of AWS's report, in its order.
REPORT_COLUMNS = (
    "METRIC_NAME",
    "EVENT_TYPE",
    "VALUE",
    "MATH_FUNCTION",
    "EVENT_ATTRIBUTION_SOURCE",
    "TIMESTAMP",
)


class ExpressionError(ValueError):
    """A metric expression Personalize would refuse."""


@dataclass(frozen=True)
class Metric:
    """One MetricAttribute, parsed: ``column`` is None for SAMPLECOUNT()."""

    event_type: str
    metric_name: str
    expression: str
    dataset: str | None = None  # "Items" | "Interactions" for SUM
    column: str | None = None


def parse_metric(raw: Mapping[str, str]) -> Metric:
    """Parse ``{eventType, metricName, expression}``.

    Raises:
        ExpressionError: an expression other than SAMPLECOUNT() or SUM(Items|Interactions.COL).
    """
    expression = raw["expression"]
    match = _EXPRESSION.fullmatch(expression)
    if match is None:
        raise ExpressionError(
            f"expression '{expression}' of metric {raw['metricName']} is not valid: use "
            "SAMPLECOUNT() or SUM(Items.COLUMN) / SUM(Interactions.COLUMN), e.g. SUM(Items.PRICE)."
        )
    if match.group(1):
        return Metric(raw["eventType"], raw["metricName"], expression)
    return Metric(raw["eventType"], raw["metricName"], expression, match.group(3), match.group(4))


def check_metrics(
    raws: Iterable[Mapping[str, str]], columns: Mapping[str, set[str]]
) -> list[Metric]:
    """Parse a metric list and check it against the group's numeric columns.

    ``columns`` maps "Items"/"Interactions" to their numeric schema fields.

    Raises:
        ExpressionError: a bad expression, a duplicate metric name, more than 10 metrics, or a
            SUM over a column the dataset lacks or that is not numeric.
    """
    metrics = [parse_metric(r) for r in raws]
    if len(metrics) > MAX_METRICS:
        raise ExpressionError(f"a metric attribution holds at most {MAX_METRICS} metrics")
    names = [m.metric_name for m in metrics]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ExpressionError(f"metric name {dupes[0]} is used twice")
    for m in metrics:
        if m.column is not None and m.column not in columns.get(m.dataset or "", set()):
            raise ExpressionError(
                f"metric {m.metric_name}: the {m.dataset} dataset has no numeric column {m.column}"
            )
    return metrics
