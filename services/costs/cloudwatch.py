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

from services.costs.usage import WINDOW_SECONDS, Series
from services.personalize.cloudwatch_calls import metric_data, sum_query

METRICS = ("GetRecommendations", "GetPersonalizedRanking")


def _dimension(arn: str) -> str:
    return "RecommenderArn" if ":recommender/" in arn else "CampaignArn"


def queries(campaign_arns: Sequence[str]) -> list[dict[str, Any]]:
    """One Sum query per (campaign or recommender, metric), with ids ``m<index>_<metric>``
    (a recommender has no GetPersonalizedRanking)."""
    return [
        sum_query(
            f"m{c}_{m}", metric, [{"Name": _dimension(arn), "Value": arn}], int(WINDOW_SECONDS)
        )
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
        why = "show campaign and recommender traffic"
        for result in metric_data(self._client, queries(campaign_arns), start, end, why):
            campaign = int(result["Id"][1:].split("_", 1)[0])
            into = counts[campaign_arns[campaign]]
            for when, value in zip(result["Timestamps"], result["Values"], strict=True):
                into[when] = into.get(when, 0) + round(value)
        return {arn: sorted(by_time.items()) for arn, by_time in counts.items()}
