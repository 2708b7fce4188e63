"""Offline vs online from a metric attribution in AWS's layout, checked on numbers worked out by
hand (the report rows are the developer guide's own example, "Publishing and viewing
results")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from services.datasets.snapshot import LocalObjects
from services.errors import ServiceError
from services.evaluation.online_metrics import (
    OnlineReport,
    empty_points,
    money_currency,
    online_report,
    online_table,
    periodic_values,
    read_bulk_reports,
    switch_times,
)
from services.personalize.models import (
    AttributedMetric,
    Campaign,
    CampaignUpdate,
    MetricAttribution,
)

R = "arn:aws:personalize:us-west-2:acctNum:recommender"
R1, R2 = f"{R}/recommender1Name", f"{R}/recommender2Name"
GUIDE_EXAMPLE = f"""METRIC_NAME,EVENT_TYPE,VALUE,MATH_FUNCTION,EVENT_ATTRIBUTION_SOURCE,TIMESTAMP
COUNTWATCHES,WATCH,12.0,samplecount,{R1},1666925124
COUNTWATCHES,WATCH,112.0,samplecount,{R2},1666924224
COUNTWATCHES,WATCH,10.0,samplecount,{R1},1666924224
COUNTWATCHES,WATCH,254.0,samplecount,{R2},1666922424
COUNTWATCHES,WATCH,112.0,samplecount,{R1},1666922424
COUNTWATCHES,WATCH,100.0,samplecount,{R2},1666922424
"""
START = datetime(2022, 10, 27, tzinfo=UTC)
END = datetime(2022, 10, 29, tzinfo=UTC)
WATCHES = AttributedMetric("WATCH", "COUNTWATCHES", "SAMPLECOUNT()")
ATTRIBUTION = MetricAttribution("arn:m", "m", "ACTIVE", output_path="s3://bucket/metrics/")


class NoEvents:
    def points(self, *_: object) -> pd.DataFrame:
        return empty_points()


def _store(tmp_path: Path, name: str = "AggregatedAttributionMetrics-INCREMENTAL-1666925200.csv"):
    folder = tmp_path / "bucket" / "metrics"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(GUIDE_EXAMPLE)
    (folder / "unrelated.csv").write_text("a,b\n1,2\n")  # not a report: ignored
    return LocalObjects(tmp_path)


def test_the_guides_example_report_totals_per_recommender(tmp_path: Path) -> None:
    points = read_bulk_reports(_store(tmp_path), ATTRIBUTION, START, END)
    assert set(points["origin"]) == {"bulk"}
    totals = points.groupby("source")["value"].sum()
    assert totals[R1] == 134.0  # 12 + 10 + 112
    assert totals[R2] == 466.0  # 112 + 254 + 100
    # TIMESTAMP 1666925124 lies in the 15-minute period starting at 1666925100
    assert points["time"].max() == pd.Timestamp(1666925100, unit="s", tz="UTC")


def test_rates_are_per_request_and_offline_metrics_sit_beside_them(tmp_path: Path) -> None:
    report = online_report(
        ATTRIBUTION, [WATCHES], NoEvents(), _store(tmp_path), START, END, {R1: 67, R2: 0}
    )
    serving = {R1: R1, R2: R2}
    offline = {R1: {"precision_at_10": 0.2}}
    table = online_table(report, serving, offline).set_index("source")
    assert table.loc[R1, "requests"] == 67
    assert table.loc[R1, "COUNTWATCHES per request"] == pytest.approx(2.0)  # 134 / 67
    assert pd.isna(table.loc[R2, "COUNTWATCHES per request"])  # no request: no rate
    assert table.loc[R1, "precision_at_10"] == 0.2
    # R1's rows are at 02:00, 02:30 and 02:45 UTC on 28 Oct 2022: by the hour one 134, by the
    # half hour 112 then 10 + 12
    assert periodic_values(report, "COUNTWATCHES").query("source == @R1")["value"].tolist() == [
        134.0
    ]
    halves = periodic_values(report, "COUNTWATCHES", "30min").query("source == @R1")
    assert halves["value"].tolist() == [112.0, 22.0]


def test_a_price_sum_is_money_in_the_shops_currency() -> None:
    assert money_currency(AttributedMetric("Purchase", "revenue", "SUM(Items.PRICE)")) == "KRW"
    assert money_currency(AttributedMetric("Watch", "length", "SUM(Items.LENGTH)")) is None
    assert money_currency(WATCHES) is None


def test_a_report_not_in_aws_layout_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "bucket" / "metrics"
    folder.mkdir(parents=True)
    bad = "AggregatedAttributionMetrics-FULL-1.csv"
    (folder / bad).write_text("hour,source,value\n1,x,2\n")
    with pytest.raises(ServiceError, match=f"{bad}.*METRIC_NAME"):
        read_bulk_reports(LocalObjects(tmp_path), ATTRIBUTION, START, END)
    (folder / bad).write_text(GUIDE_EXAMPLE.replace("12.0", "twelve"))
    with pytest.raises(ServiceError, match="no number"):
        read_bulk_reports(LocalObjects(tmp_path), ATTRIBUTION, START, END)


def test_no_s3_path_means_no_bulk_rows(tmp_path: Path) -> None:
    cloudwatch_only = MetricAttribution("arn:m", "m", "ACTIVE")
    assert read_bulk_reports(LocalObjects(tmp_path), cloudwatch_only, START, END).empty
    report = OnlineReport(cloudwatch_only, (WATCHES,), empty_points(), START, END)
    assert online_table(report, {}, {}).empty


def test_a_campaign_switch_is_its_latest_active_update_to_the_version_it_serves() -> None:
    c = "arn:aws:personalize:us-east-1:1:campaign"
    at = datetime(2022, 10, 28, 9, tzinfo=UTC)
    update = CampaignUpdate("ACTIVE", solution_version_arn="v2", updated=at)
    campaigns = [
        Campaign(f"{c}/switched", "switched", "ACTIVE", "v2", pending_update=update),
        # still updating: v1 serves, no switch yet
        Campaign(
            f"{c}/updating",
            "updating",
            "ACTIVE",
            "v1",
            pending_update=CampaignUpdate("CREATE IN_PROGRESS", "v2", updated=at),
        ),
        Campaign(f"{c}/never", "never", "ACTIVE", "v1"),
        # switched before the window opened
        Campaign(
            f"{c}/earlier",
            "earlier",
            "ACTIVE",
            "v2",
            pending_update=CampaignUpdate("ACTIVE", "v2", updated=START - timedelta(days=1)),
        ),
    ]
    assert switch_times(campaigns, START, END) == {f"{c}/switched": at}
