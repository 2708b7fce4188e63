"""Campaign and recommender request counts from CloudWatch (AWS mode).

Metrics: namespace ``AWS/Personalize``, ``GetRecommendations`` and ``GetPersonalizedRanking``
(successful calls; dimension ``CampaignArn``; only the Sum statistic is supported), per the
Personalize developer guide, "CloudWatch metrics for Amazon Personalize"
(https://docs.aws.amazon.com/personalize/latest/dg/cloudwatch-metrics.html).
A campaign serves one of the two, so its requests are their sum. A recommender answers
GetRecommendations only, counted under the dimension ``RecommenderArn`` (as AWS's own monitor
reads it: aws-samples/amazon-personalize-monitor,
src/personalize_monitor_function/personalize_monitor.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.costs.usage import WINDOW_SECONDS, Series
from services.errors import AccessDenied, BackendUnavailable, ServiceError

NAMESPACE = "AWS/Personalize"
METRICS = ("GetRecommendations", "GetPersonalizedRanking")
QUERIES_PER_CALL = 500  # GetMetricData's limit on MetricDataQueries


def _dimension(arn: str) -> str:
    return "RecommenderArn" if ":recommender/" in arn else "CampaignArn"


def queries(campaign_arns: Sequence[str]) -> list[dict[str, Any]]:
    """One Sum query per (campaign or recommender, metric), with ids ``m<index>_<metric>``
    (a recommender has no GetPersonalizedRanking)."""
    return [
        {
            "Id": f"m{c}_{m}",
            "MetricStat": {
                "Metric": {
                    "Namespace": NAMESPACE,
                    "MetricName": metric,
                    "Dimensions": [{"Name": _dimension(arn), "Value": arn}],
                },
                "Period": int(WINDOW_SECONDS),
                "Stat": "Sum",
            },
            "ReturnData": True,
        }
        for c, arn in enumerate(campaign_arns)
        for m, metric in enumerate(METRICS)
        if _dimension(arn) == "CampaignArn" or metric == "GetRecommendations"
    ]


class CloudWatchRequests:
    """``RequestSource`` over a boto3 ``cloudwatch`` client."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def requests(
        self, campaign_arns: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Series]:
        counts: dict[str, dict[datetime, int]] = {arn: {} for arn in campaign_arns}
        all_queries = queries(campaign_arns)
        for first in range(0, len(all_queries), QUERIES_PER_CALL):
            batch = all_queries[first : first + QUERIES_PER_CALL]
            for result in self._results(batch, start, end):
                campaign = int(result["Id"][1:].split("_", 1)[0])
                into = counts[campaign_arns[campaign]]
                for when, value in zip(result["Timestamps"], result["Values"], strict=True):
                    into[when] = into.get(when, 0) + round(value)
        return {arn: sorted(by_time.items()) for arn, by_time in counts.items()}

    def _results(
        self, batch: list[dict[str, Any]], start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        try:
            pages = self._client.get_paginator("get_metric_data").paginate(
                MetricDataQueries=batch, StartTime=start, EndTime=end, ScanBy="TimestampAscending"
            )
            return [r for page in pages for r in page.get("MetricDataResults", [])]
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            if code in ("AccessDenied", "AccessDeniedException"):
                raise AccessDenied(
                    "AWS denied cloudwatch:GetMetricData: the dashboard's role needs it to "
                    "show campaign traffic (docs/aws.md, viewer policy).",
                    code=code,
                    operation="GetMetricData",
                ) from err
            raise ServiceError(
                f"CloudWatch refused GetMetricData ({code}).", code=code, operation="GetMetricData"
            ) from err
        except BotoCoreError as err:
            raise BackendUnavailable(f"Could not reach CloudWatch: {err}") from err
