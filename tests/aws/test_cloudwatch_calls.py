"""Campaign traffic from CloudWatch's AWS/Personalize metrics, against model-shaped answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.costs import ingestion_cost, prices_for
from services.costs.cloudwatch import CloudWatchRequests, queries
from services.costs.ingestion import (
    CloudWatchSizes,
    ImportedJob,
    ingested_bytes,
    size_queries,
)
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


def test_import_sizes_are_cloudwatchs_dataset_size_per_job(aws: AwsStubs) -> None:
    p = "arn:aws:personalize:us-east-1:123456789012"
    jobs = [
        ImportedJob(f"{p}:dataset-group/shop", f"{p}:dataset/shop/INTERACTIONS", f"{p}:job/{n}")
        for n in ("bulk", "items")
    ]
    start = END - timedelta(days=30)
    aws.respond(
        "cloudwatch",
        "get_metric_data",
        {
            "MetricDataResults": [
                # 1 GiB over two days for the first job; 512 MiB for the second
                {"Id": "s0", "Timestamps": [T1, T2], "Values": [2.0**29, 2.0**29]},
                {"Id": "s1", "Timestamps": [T1], "Values": [2.0**29]},
            ]
        },
        {
            "MetricDataQueries": size_queries(jobs),
            "StartTime": start,
            "EndTime": END,
            "ScanBy": "TimestampAscending",
        },
    )
    size = ingested_bytes(CloudWatchSizes(aws.client("cloudwatch")), jobs, start, END)
    # the documented metric: AWS/Personalize DatasetSize by group, dataset and import job
    metric = size_queries(jobs)[1]["MetricStat"]["Metric"]
    assert (metric["Namespace"], metric["MetricName"]) == ("AWS/Personalize", "DatasetSize")
    assert [d["Name"] for d in metric["Dimensions"]] == [
        "DatasetGroupArn",
        "DatasetArn",
        "DatasetImportJobArn",
    ]
    assert metric["Dimensions"][2]["Value"] == jobs[1].job_arn
    assert size == 3 * 2**29  # 1.5 GiB
    assert ingestion_cost(size, prices_for("us-east-1")) == pytest.approx(0.075)  # × $0.05
