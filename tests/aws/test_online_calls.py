"""A metric attribution's online figures on AWS: CloudWatch (ListMetrics, GetMetricData) for
PutEvents data, S3 (ListObjectsV2, GetObject) for the bulk reports, with answers shaped from
the botocore service models."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from services.costs.cloudwatch import queries as request_queries
from services.datasets.snapshot import S3Objects
from services.errors import AccessDenied
from services.evaluation.online_cloudwatch import CloudWatchAttribution, source_of
from services.evaluation.online_metrics import PointsQuery, online_report, online_table
from services.personalize.models import AttributedMetric, MetricAttribution
from tests.aws.conftest import AwsStubs

P = "arn:aws:personalize:us-east-1:123456789012"
ATTRIBUTION = MetricAttribution(
    f"{P}:metric-attribution/shop-metrics", "shop-metrics", "ACTIVE", output_path="s3://b/m/"
)
CLICKS = AttributedMetric("click", "clicks", "SAMPLECOUNT()")
REVENUE = AttributedMetric("purchase", "revenue", "SUM(Items.PRICE)")
CAMPAIGN = f"{P}:campaign/shop"
UNDEFINED = "SOURCE_NAME_UNDEFINED"
END = datetime(2024, 3, 1, tzinfo=UTC)
START = END - timedelta(days=14)
T = END - timedelta(hours=5)

Series = Sequence[tuple[datetime, float]]


def dims(source: str, attribution: str = ATTRIBUTION.arn) -> list[dict[str, str]]:
    return [
        {"Name": "EventAttributionSource", "Value": source},
        {"Name": "MetricAttributionArn", "Value": attribution},
    ]


def queue_online_answers(
    aws: AwsStubs,
    attribution: MetricAttribution,
    figures: Mapping[str, Mapping[str, Series]],
    start: datetime,
    end: datetime,
    bulk: Mapping[str, bytes] | None = None,
    other_attribution: str | None = None,
) -> None:
    """Queue what AWS answers for ``attribution``: per metric name, ListMetrics (one metric per
    source of ``figures[name]``, plus one of ``other_attribution`` when given, which the
    reader must skip), then one GetMetricData with every series; then ListObjectsV2 and
    GetObject for ``bulk`` (key under the path -> CSV bytes)."""
    found = []
    for name, by_source in figures.items():
        metrics = [
            {
                "Namespace": "AWS/Personalize",
                "MetricName": name,
                "Dimensions": dims(s, attribution.arn),
            }
            for s in by_source
        ]
        if other_attribution:
            other = dims(CAMPAIGN, other_attribution)
            metrics.append(
                {"Namespace": "AWS/Personalize", "MetricName": name, "Dimensions": other}
            )
        aws.respond(
            "cloudwatch",
            "list_metrics",
            {"Metrics": metrics},
            {"Namespace": "AWS/Personalize", "MetricName": name},
        )
        found += [(name, s, series) for s, series in by_source.items()]
    if found:
        queries = [
            {
                "Id": f"m{i}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/Personalize",
                        "MetricName": name,
                        "Dimensions": dims(source, attribution.arn),
                    },
                    "Period": 900,
                    "Stat": "Sum",
                },
                "ReturnData": True,
            }
            for i, (name, source, _) in enumerate(found)
        ]
        results = [
            {
                "Id": f"m{i}",
                "Label": name,
                "Timestamps": [t for t, _ in series],
                "Values": [v for _, v in series],
                "StatusCode": "Complete",
            }
            for i, (name, _, series) in enumerate(found)
        ]
        aws.respond(
            "cloudwatch",
            "get_metric_data",
            {"MetricDataResults": results},
            {
                "MetricDataQueries": queries,
                "StartTime": start,
                "EndTime": end,
                "ScanBy": "TimestampAscending",
            },
        )
    if not attribution.output_path:
        return  # CloudWatch only: nothing is read from S3
    bucket, _, prefix = attribution.output_path.removeprefix("s3://").partition("/")
    files = bulk or {}
    aws.respond(
        "s3",
        "list_objects_v2",
        {"Contents": [{"Key": prefix + k, "Size": len(v)} for k, v in files.items()]},
        {"Bucket": bucket, "Prefix": prefix},
    )
    for key, body in files.items():
        if key.startswith("AggregatedAttributionMetrics"):
            aws.respond("s3", "get_object", {"Body": body}, {"Bucket": bucket, "Key": prefix + key})


def queue_request_counts(
    aws: AwsStubs,
    arns: Sequence[str],
    counts: Mapping[str, Series],
    start: datetime,
    end: datetime,
) -> None:
    """GetMetricData of AWS/Personalize GetRecommendations per campaign (the rates' divisor)."""
    results = [
        {
            "Id": f"m{arns.index(arn)}_0",
            "Timestamps": [t for t, _ in series],
            "Values": [float(n) for _, n in series],
            "StatusCode": "Complete",
        }
        for arn, series in counts.items()
    ]
    aws.respond(
        "cloudwatch",
        "get_metric_data",
        {"MetricDataResults": results},
        {
            "MetricDataQueries": request_queries(arns),
            "StartTime": start,
            "EndTime": end,
            "ScanBy": "TimestampAscending",
        },
    )


def test_putevents_figures_come_from_cloudwatch_and_bulk_ones_from_s3(aws: AwsStubs) -> None:
    bulk_row = f"revenue,purchase,39000.0,sum,{CAMPAIGN},{int(T.timestamp()) - 86_400}\n"
    report_csv = (
        "METRIC_NAME,EVENT_TYPE,VALUE,MATH_FUNCTION,EVENT_ATTRIBUTION_SOURCE,TIMESTAMP\n" + bulk_row
    ).encode()
    queue_online_answers(
        aws,
        ATTRIBUTION,
        {
            "clicks": {
                CAMPAIGN: [(T, 3.0), (T + timedelta(minutes=15), 1.0)],
                UNDEFINED: [(T, 2.0)],
            },
            "revenue": {CAMPAIGN: [(T, 25_000.0)]},
        },
        START,
        END,
        bulk={
            "AggregatedAttributionMetrics-INCREMENTAL-1709200000.csv": report_csv,
            "notes.txt": b"not a report",
        },
        other_attribution=f"{P}:metric-attribution/someone-elses",
    )
    report = online_report(
        ATTRIBUTION,
        [CLICKS, REVENUE],
        CloudWatchAttribution(aws.client("cloudwatch")),
        S3Objects(aws.client("s3")),
        START,
        END,
        {CAMPAIGN: 8},
    )
    assert sorted(set(report.points["origin"])) == ["bulk", "events"]
    table = online_table(report, {CAMPAIGN: None}, {}).set_index("source")
    assert table.loc[CAMPAIGN, "clicks"] == 4.0  # 3 + 1; the other attribution's is skipped
    assert table.loc[CAMPAIGN, "revenue"] == 64_000.0  # 25,000 streamed + 39,000 imported
    assert table.loc[CAMPAIGN, "clicks per request"] == pytest.approx(0.5)  # 4 / 8
    assert table.loc[UNDEFINED, "clicks"] == 2.0
    assert report.currencies == {"revenue": "KRW"}
    assert report.points["time"].min() == pd.Timestamp(T - timedelta(days=1))


def test_the_source_is_read_from_the_dimensions_whatever_their_spelling() -> None:
    spelled = [{"Name": "EVENT_ATTRIBUTION_SOURCE", "Value": CAMPAIGN}]
    assert source_of(spelled, ATTRIBUTION.arn) == CAMPAIGN
    assert source_of(dims(CAMPAIGN, "arn:other"), ATTRIBUTION.arn) is None
    assert source_of([{"Name": "CampaignArn", "Value": CAMPAIGN}], ATTRIBUTION.arn) is None


def test_denied_cloudwatch_names_the_permission(aws: AwsStubs) -> None:
    aws.fail("cloudwatch", "list_metrics", "AccessDenied", 403)
    source = CloudWatchAttribution(aws.client("cloudwatch"))
    with pytest.raises(AccessDenied, match="cloudwatch:ListMetrics"):
        source.points(PointsQuery(ATTRIBUTION, (CLICKS,), START, END))
