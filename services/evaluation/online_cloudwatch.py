"""A metric attribution's PutEvents figures from CloudWatch (AWS mode).

Personalize publishes each attribution metric to CloudWatch under the name given when the
attribution was created ("For the search term, specify the name you gave the metric when you
created the metric attribution"; "The minimum Period you can graph is 15 minutes": "Publishing
and viewing results", https://docs.aws.amazon.com/personalize/latest/dg/metric-attribution-results.html),
in the ``AWS/Personalize`` namespace of every Personalize metric
(https://docs.aws.amazon.com/personalize/latest/dg/cloudwatch-metrics.html), one metric per
event attribution source, the S3 report's EVENT_ATTRIBUTION_SOURCE.

The guide does not spell the dimensions out, so they are not assumed: ListMetrics gives every
metric of that name with its dimensions; the source is the value of the dimension named
``EventAttributionSource`` (any spelling that reads so once case and underscores are set
aside, e.g. ``EVENT_ATTRIBUTION_SOURCE``), and a metric carrying a metric attribution ARN
dimension that is not this attribution's is someone else's. Each metric found is then read
with GetMetricData, Sum over 900-second periods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from services.evaluation.online_metrics import (
    EVENTS,
    PERIOD_SECONDS,
    POINT_COLUMNS,
    PointsQuery,
    empty_points,
)
from services.personalize.cloudwatch_calls import NAMESPACE, list_metrics, metric_data, sum_query
from services.personalize.models import AttributedMetric

WHY = "show the metric attribution's online metrics"


def _key(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def source_of(dimensions: Sequence[dict[str, str]], attribution_arn: str) -> str | None:
    """The event attribution source a metric's dimensions name, None when they name none or
    name another metric attribution."""
    source = None
    for d in dimensions:
        key = _key(d["Name"])
        if key == "eventattributionsource":
            source = d["Value"]
        elif key in ("metricattributionarn", "metricattribution") and d["Value"] != (
            attribution_arn
        ):
            return None
    return source


class CloudWatchAttribution:
    """``AttributionSource`` over a boto3 ``cloudwatch`` client."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def points(self, query: PointsQuery) -> pd.DataFrame:
        found: list[tuple[AttributedMetric, str, dict[str, Any]]] = []
        for metric in query.metrics:
            for listed in list_metrics(self._client, NAMESPACE, metric.name, WHY):
                source = source_of(listed.get("Dimensions", []), query.attribution.arn)
                if source is not None:
                    found.append((metric, source, listed))
        if not found:
            return empty_points()
        queries = [
            sum_query(f"m{i}", metric.name, listed["Dimensions"], PERIOD_SECONDS)
            for i, (metric, _source, listed) in enumerate(found)
        ]
        rows = []
        for result in metric_data(self._client, queries, query.start, query.end, WHY):
            metric, source, _listed = found[int(result["Id"][1:])]
            for when, value in zip(result["Timestamps"], result["Values"], strict=True):
                rows.append(
                    {
                        "time": pd.Timestamp(when).tz_convert("UTC"),
                        "source": source,
                        "metricName": metric.name,
                        "eventType": metric.event_type,
                        "value": float(value),
                        "origin": EVENTS,
                    }
                )
        if not rows:
            return empty_points()
        return pd.DataFrame(rows, columns=list(POINT_COLUMNS))
