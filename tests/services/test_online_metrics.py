"""Offline vs online from a metric attribution report, checked on numbers worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from services.datasets.snapshot import LocalObjects
from services.errors import ServiceError
from services.evaluation.online_metrics import (
    hourly_values,
    offline_vs_online,
    read_report,
    switch_overs,
)
from services.personalize.models import MetricAttribution

C = "arn:aws:personalize:us-east-1:1:campaign/shop"
V1, V2 = (
    "arn:aws:personalize:us-east-1:1:solution/s/v1",
    "arn:aws:personalize:us-east-1:1:solution/s/v2",
)
H = 1_700_002_800


def _write(root: Path) -> MetricAttribution:
    folder = root / "bucket" / "metrics" / "m"
    folder.mkdir(parents=True)
    pd.DataFrame(
        {
            "hour": [H, H, H + 3600, H + 3600, H + 7200],
            "source": [C] * 5,
            "solutionVersionArn": [V1, V1, V2, V2, V2],
            "metricName": ["clicks", "revenue", "clicks", "revenue", "clicks"],
            "eventType": ["Click", "Purchase", "Click", "Purchase", "Click"],
            "value": [3.0, 20.0, 6.0, 35.0, 2.0],
        }
    ).to_csv(folder / "attributed-metrics.csv", index=False)
    pd.DataFrame(
        {
            "hour": [H, H + 3600, H + 7200],
            "source": [C] * 3,
            "solutionVersionArn": [V1, V2, V2],
            "impressions": [100, 60, 40],
        }
    ).to_csv(folder / "impressions.csv", index=False)
    return MetricAttribution("arn:m", "m", "ACTIVE", output_path="s3://bucket/metrics/")


def test_offline_vs_online_per_version(tmp_path: Path) -> None:
    report = read_report(LocalObjects(tmp_path), _write(tmp_path))
    offline = {V1: {"normalized_discounted_cumulative_gain_at_10": 0.1}, V2: {}}
    table = offline_vs_online(report, offline).set_index("solutionVersionArn")
    # v1: 3 clicks / 100 shown; v2: (6 + 2) clicks and 35 revenue over 60 + 40 shown
    assert table.loc[V1, "impressions"] == 100 and table.loc[V2, "impressions"] == 100
    assert table.loc[V1, "clicks per impression"] == pytest.approx(0.03)
    assert table.loc[V2, "clicks per impression"] == pytest.approx(0.08)
    assert table.loc[V2, "revenue"] == pytest.approx(35.0)
    assert table.loc[V1, "normalized_discounted_cumulative_gain_at_10"] == 0.1
    # served periods run to the end of the last hour: v1 H–H+1h, v2 H+1h–H+3h
    hour = pd.Timedelta(hours=1)
    start = pd.Timestamp(H, unit="s", tz="UTC")
    assert (table.loc[V1, "from"], table.loc[V1, "until"]) == (start, start + hour)
    assert (table.loc[V2, "from"], table.loc[V2, "until"]) == (start + hour, start + 3 * hour)
    values = hourly_values(report, "clicks")
    assert values["value"].tolist() == [3.0, 6.0, 2.0]
    switches = switch_overs(report)
    assert switches["solutionVersionArn"].tolist() == [V1, V2]
    assert switches["since"].iloc[1] == pd.Timestamp(H + 3600, unit="s", tz="UTC")


def test_the_hour_under_way_ends_now_not_in_the_future(tmp_path: Path) -> None:
    report = read_report(LocalObjects(tmp_path), _write(tmp_path))
    # 20 minutes into v2's last hour (H+2h): it has served until now, not until H+3h
    now = pd.Timestamp(H + 7200 + 1200, unit="s", tz="UTC").to_pydatetime()
    table = offline_vs_online(report, {}, now=now).set_index("solutionVersionArn")
    assert table.loc[V2, "until"] == pd.Timestamp(now)
    assert table.loc[V1, "until"] == pd.Timestamp(H + 3600, unit="s", tz="UTC")  # a past hour


def test_cloudwatch_only_attribution_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="S3 destination"):
        read_report(LocalObjects(tmp_path), MetricAttribution("arn:m", "m", "ACTIVE"))


def test_hourly_values_fill_quiet_hours_with_zero(tmp_path: Path) -> None:
    folder = tmp_path / "bucket" / "metrics" / "m"
    folder.mkdir(parents=True)
    # clicks at H and H+3h only: the two hours between had none
    pd.DataFrame(
        {
            "hour": [H, H + 3 * 3600],
            "source": [C, C],
            "solutionVersionArn": [V1, V1],
            "metricName": ["clicks", "clicks"],
            "eventType": ["Click", "Click"],
            "value": [4.0, 1.0],
        }
    ).to_csv(folder / "attributed-metrics.csv", index=False)
    pd.DataFrame(
        {"hour": [H], "source": [C], "solutionVersionArn": [V1], "impressions": [10]}
    ).to_csv(folder / "impressions.csv", index=False)
    report = read_report(
        LocalObjects(tmp_path),
        MetricAttribution("arn:m", "m", "ACTIVE", output_path="s3://bucket/metrics/"),
    )
    values = hourly_values(report, "clicks")
    assert values["value"].tolist() == [4.0, 0.0, 0.0, 1.0]
    assert values["hour"].tolist() == [
        pd.Timestamp(H + k * 3600, unit="s", tz="UTC") for k in range(4)
    ]
