"""Campaign traffic from CloudWatch's AWS/Personalize metrics, against model-shaped answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.costs.cloudwatch import CloudWatchRequests, queries
from services.errors import AccessDenied
from tests.aws.conftest import AwsStubs

A = "arn:aws:personalize:us-east-1:123456789012:campaign"
RECS, RANK = f"{A}/shop-recs", f"{A}/shop-rank"
END = datetime(2024, 3, 1, tzinfo=UTC)
START = END - timedelta(days=7)
T1, T2 = END - timedelta(hours=3), END - timedelta(hours=2)


def test_requests_sum_both_metrics_per_campaign_across_pages(aws: AwsStubs) -> None:
    request = {
        "MetricDataQueries": queries([RECS, RANK]),
        "StartTime": START,
        "EndTime": END,
        "ScanBy": "TimestampAscending",
    }
    aws.respond(
        "cloudwatch",
        "get_metric_data",
        {
            "MetricDataResults": [
                {"Id": "m0_0", "Timestamps": [T1], "Values": [600.0], "StatusCode": "Complete"},
                {"Id": "m1_1", "Timestamps": [T1], "Values": [30.0], "StatusCode": "Complete"},
            ],
            "NextToken": "more",
        },
        request,
    )
    aws.respond(
        "cloudwatch",
        "get_metric_data",
        {
            "MetricDataResults": [
                {"Id": "m0_0", "Timestamps": [T2], "Values": [1200.0], "StatusCode": "Complete"},
                {"Id": "m0_1", "Timestamps": [], "Values": [], "StatusCode": "Complete"},
            ]
        },
        {**request, "NextToken": "more"},
    )
    counts = CloudWatchRequests(aws.client("cloudwatch")).requests([RECS, RANK], START, END)
    assert counts == {RECS: [(T1, 600), (T2, 1200)], RANK: [(T1, 30)]}


def test_queries_name_the_documented_metric_dimension_and_statistic() -> None:
    (recs, rank) = queries([RECS])
    stat = recs["MetricStat"]
    assert stat["Metric"] == {
        "Namespace": "AWS/Personalize",
        "MetricName": "GetRecommendations",
        "Dimensions": [{"Name": "CampaignArn", "Value": RECS}],
    }
    assert (stat["Period"], stat["Stat"]) == (300, "Sum")
    assert rank["MetricStat"]["Metric"]["MetricName"] == "GetPersonalizedRanking"


def test_denied_metrics_name_the_permission(aws: AwsStubs) -> None:
    aws.fail("cloudwatch", "get_metric_data", "AccessDenied", 403)
    with pytest.raises(AccessDenied, match="cloudwatch:GetMetricData"):
        CloudWatchRequests(aws.client("cloudwatch")).requests([RECS], START, END)


def test_a_recommender_is_counted_by_its_own_dimension_and_get_recommendations_only(
    aws: AwsStubs,
) -> None:
    rec = "arn:aws:personalize:us-east-1:123456789012:recommender/best-sellers"
    (only,) = queries([rec])
    assert only["MetricStat"]["Metric"] == {
        "Namespace": "AWS/Personalize",
        "MetricName": "GetRecommendations",
        "Dimensions": [{"Name": "RecommenderArn", "Value": rec}],
    }
    aws.respond(
        "cloudwatch",
        "get_metric_data",
        {
            "MetricDataResults": [
                {"Id": "m0_0", "Timestamps": [T1], "Values": [42.0], "StatusCode": "Complete"}
            ]
        },
        {
            "MetricDataQueries": [only],
            "StartTime": START,
            "EndTime": END,
            "ScanBy": "TimestampAscending",
        },
    )
    counts = CloudWatchRequests(aws.client("cloudwatch")).requests([rec], START, END)
    assert counts == {rec: [(T1, 42)]}
