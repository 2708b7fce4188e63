"""Metric attributions: which recommendations earned which events, per source and per hour.

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
``METRIC_NAME`` and source, 900-second periods), so one reader serves both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

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


def attribute(
    events: pd.DataFrame,
    served: pd.DataFrame,
    items: pd.DataFrame,
    metrics: Iterable[Metric],
    since: float,
) -> pd.DataFrame:
    """The attributed metrics of ``events``, per 15-minute interval and source.

    Args:
        events: EVENT_TYPE, ITEM_ID, TIMESTAMP (epoch s) and optionally RECOMMENDATION_ID,
            EVENT_ATTRIBUTION_SOURCE and numeric Interactions columns (e.g. EVENT_VALUE).
        served: the recommendations the engine issued: RECOMMENDATION_ID, SOURCE (campaign or
            recommender ARN).
        items: ITEM_ID plus the Items columns SUM() may read.
        metrics: parsed metric attributes.
        since: the metric attribution's creation time; earlier events are not reported.

    Returns:
        One row per (metric, source, interval) with a ``VALUE`` (float): columns
        ``REPORT_COLUMNS``, sorted by TIMESTAMP, METRIC_NAME, source.
    """
    metrics = list(metrics)
    if events.empty or not metrics:
        return pd.DataFrame(columns=list(REPORT_COLUMNS))
    ev = events.loc[events["TIMESTAMP"] >= since].copy()
    ev["TIMESTAMP"] = (ev["TIMESTAMP"].astype("int64") // PERIOD) * PERIOD
    rid = ev["RECOMMENDATION_ID"] if "RECOMMENDATION_ID" in ev else pd.Series("", index=ev.index)
    lookup = served.drop_duplicates("RECOMMENDATION_ID").set_index("RECOMMENDATION_ID")
    source = (
        rid.map(lookup["SOURCE"]) if len(lookup) else pd.Series(None, index=ev.index, dtype=object)
    ).astype(object)
    explicit = ev.get("EVENT_ATTRIBUTION_SOURCE")
    if explicit is not None:
        # "If you provide both attributes, Amazon Personalize uses only the
        # eventAttributionSource" (Event metrics and attribution reports).
        given = explicit.notna() & (explicit.astype(str) != "")
        source = source.where(~given, explicit)
    ev["EVENT_ATTRIBUTION_SOURCE"] = source.fillna(UNDEFINED_SOURCE)
    frames = []
    for m in metrics:
        rows = ev.loc[ev["EVENT_TYPE"] == m.event_type]
        if rows.empty:
            continue
        if m.column is None:
            values = pd.Series(1.0, index=rows.index)
        elif m.dataset == "Items":
            prices = pd.to_numeric(items.set_index("ITEM_ID")[m.column], errors="coerce")
            values = rows["ITEM_ID"].map(prices).astype("float64").fillna(0.0)
        else:
            values = pd.to_numeric(rows.get(m.column), errors="coerce").fillna(0.0)
        out = (
            rows.assign(VALUE=values)
            .groupby(["TIMESTAMP", "EVENT_ATTRIBUTION_SOURCE"], as_index=False)["VALUE"]
            .sum()
        )
        out["METRIC_NAME"] = m.metric_name
        out["EVENT_TYPE"] = m.event_type
        out["MATH_FUNCTION"] = "samplecount" if m.column is None else "sum"
        frames.append(out)
    if not frames:
        return pd.DataFrame(columns=list(REPORT_COLUMNS))
    report = pd.concat(frames, ignore_index=True)
    return (
        report.loc[:, list(REPORT_COLUMNS)]
        .sort_values(["TIMESTAMP", "METRIC_NAME", "EVENT_ATTRIBUTION_SOURCE"])
        .reset_index(drop=True)
    )
