"""Metric attributions: which recommendations earned which events, per source and per hour.

Rules, from the developer guide ("Event metrics and attribution reports", "Guidelines and
requirements for a metric attribution", API reference ``CreateMetricAttribution``):

- an event's source is its ``eventAttributionSource`` when given; else the campaign or
  recommender that issued its ``recommendationId``; else ``SOURCE_NAME_UNDEFINED``;
- each metric counts one event type with ``SAMPLECOUNT()`` or sums a numeric column with
  ``SUM(Items.COLUMN)`` / ``SUM(Interactions.COLUMN)`` (e.g. ``SUM(Items.PRICE)``);
- only events recorded after the metric attribution was created are reported.

The engine reports per hour (epoch seconds of the hour's start), per source, and, for sources
that are campaigns or recommenders, per solution version that served the recommendation, which
is what "offline vs online" joins on. ``impressions`` counts the items shown per source and
hour, from the recommendations issued, so click-through rates have a denominator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

UNDEFINED_SOURCE = "SOURCE_NAME_UNDEFINED"
# The engine's report files under ``<s3 path>/<attribution name>/``.
REPORT_FILE = "attributed-metrics.csv"
IMPRESSIONS_FILE = "impressions.csv"
HOUR = 3600
MAX_METRICS = 10
_EXPRESSION = re.compile(
    r"\s*(SAMPLECOUNT)\(\s*\)\s*|\s*(SUM)\(\s*(Items|Interactions)\.([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*"
)
# Columns of the report, in this order.
REPORT_COLUMNS = (
    "hour",
    "source",
    "solutionVersionArn",
    "metricName",
    "eventType",
    "value",
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
    """The attributed metrics of ``events``, per hour, source and solution version.

    Args:
        events: EVENT_TYPE, ITEM_ID, TIMESTAMP (epoch s) and optionally RECOMMENDATION_ID,
            EVENT_ATTRIBUTION_SOURCE and numeric Interactions columns (e.g. EVENT_VALUE).
        served: the recommendations the engine issued: RECOMMENDATION_ID, SOURCE (campaign or
            recommender ARN), SOLUTION_VERSION_ARN.
        items: ITEM_ID plus the Items columns SUM() may read.
        metrics: parsed metric attributes.
        since: the metric attribution's creation time; earlier events are not reported.

    Returns:
        One row per (hour, source, solutionVersionArn, metricName) with a ``value`` (float):
        columns ``REPORT_COLUMNS``; ``solutionVersionArn`` is "" for sources that are not a
        campaign or recommender of this engine.
    """
    metrics = list(metrics)
    if events.empty or not metrics:
        return pd.DataFrame(columns=list(REPORT_COLUMNS))
    ev = events.loc[events["TIMESTAMP"] >= since].copy()
    ev["hour"] = (ev["TIMESTAMP"].astype("int64") // HOUR) * HOUR
    rid = ev["RECOMMENDATION_ID"] if "RECOMMENDATION_ID" in ev else pd.Series("", index=ev.index)
    lookup = served.drop_duplicates("RECOMMENDATION_ID").set_index("RECOMMENDATION_ID")
    source = rid.map(lookup["SOURCE"]) if len(lookup) else pd.Series(np.nan, index=ev.index)
    version = (
        rid.map(lookup["SOLUTION_VERSION_ARN"]) if len(lookup) else pd.Series("", index=ev.index)
    )
    explicit = ev.get("EVENT_ATTRIBUTION_SOURCE")
    if explicit is not None:
        given = explicit.notna() & (explicit.astype(str) != "")
        source = source.where(~given, explicit)
        version = version.where(~given, "")
    ev["source"] = source.fillna(UNDEFINED_SOURCE)
    ev["solutionVersionArn"] = version.fillna("")
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
            rows.assign(value=values)
            .groupby(["hour", "source", "solutionVersionArn"], as_index=False)["value"]
            .sum()
        )
        out["metricName"] = m.metric_name
        out["eventType"] = m.event_type
        frames.append(out)
    if not frames:
        return pd.DataFrame(columns=list(REPORT_COLUMNS))
    report = pd.concat(frames, ignore_index=True)
    return (
        report.loc[:, list(REPORT_COLUMNS)]
        .sort_values(list(REPORT_COLUMNS[:4]))
        .reset_index(drop=True)
    )


def impressions(served: pd.DataFrame, since: float) -> pd.DataFrame:
    """Items shown per hour, source and solution version (``served`` with TIMESTAMP, NUM_ITEMS).

    Returns:
        columns hour, source, solutionVersionArn, impressions (int).
    """
    cols = ["hour", "source", "solutionVersionArn", "impressions"]
    rows = served.loc[served["TIMESTAMP"] >= since] if len(served) else served
    if rows.empty:
        return pd.DataFrame(columns=cols)
    out = rows.assign(
        hour=(rows["TIMESTAMP"].astype("int64") // HOUR) * HOUR,
        source=rows["SOURCE"],
        solutionVersionArn=rows["SOLUTION_VERSION_ARN"],
    )
    grouped = out.groupby(["hour", "source", "solutionVersionArn"], as_index=False)[
        "NUM_ITEMS"
    ].sum()
    return grouped.rename(columns={"NUM_ITEMS": "impressions"}).loc[:, cols]
