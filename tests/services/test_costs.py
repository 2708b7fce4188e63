"""Cost figures against hand arithmetic (US East list prices: $0.20 per TPS-hour for the first
20,000 TPS-hours a month, $0.10 up to 200,000, $0.05 above; $0.24 per training hour)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.config import ConfigError
from services.costs import (
    campaign_cost,
    cost_report,
    ingestion_cost,
    prices_for,
    recommender_cost,
    training_cost,
    usage,
)
from services.costs.pricing import FIGURES, tiered_cost
from services.personalize.models import Campaign, CampaignConfig, Recommender, SolutionVersion

NOW = datetime(2024, 3, 1, 12, tzinfo=UTC)
US = prices_for("us-east-1")


def campaign(name: str, tps: int | None, created: datetime | None = None) -> Campaign:
    arn = f"arn:aws:personalize:us-east-1:123456789012:campaign/{name}"
    return Campaign(arn, name, "ACTIVE", min_provisioned_tps=tps, created=created)


def test_minimum_tps_gives_hourly_and_monthly_cost() -> None:
    cost = campaign_cost(campaign("c", 5), US)
    assert cost.hourly_usd == pytest.approx(1.00)  # 5 TPS × $0.20
    assert cost.monthly_usd == pytest.approx(730.00)  # × 730 h
    assert campaign_cost(campaign("d", None), US).hourly_usd == pytest.approx(0.20)  # default 1


@pytest.mark.parametrize(
    ("tps_hours", "usd"),
    [
        (730, 146.0),  # 730 × 0.20
        (21_900, 4_190.0),  # 20,000 × 0.20 + 1,900 × 0.10
        (219_000, 22_950.0),  # 4,000 + 180,000 × 0.10 + 19,000 × 0.05
    ],
)
def test_account_tiers(tps_hours: float, usd: float) -> None:
    assert tiered_cost(tps_hours, US) == pytest.approx(usd)


def test_report_total_applies_tiers_to_the_sum() -> None:
    report = cost_report([campaign("a", 10), campaign("b", 20)], US, None, NOW)
    assert report.hourly_usd == pytest.approx(6.0)  # 30 TPS × $0.20
    assert report.monthly_minimum_usd == pytest.approx(4_190.0)  # 30 × 730 = 21,900 TPS-h


def test_usage_bills_the_larger_of_minimum_and_actual_per_window() -> None:
    start = NOW - timedelta(hours=1)  # 12 windows of 5 minutes
    series = [(start, 1_200), (start + timedelta(minutes=30), 300)]  # 4 TPS, then 1 TPS
    used = usage(series, 2, start, NOW)
    assert used.requests == 1_500
    assert used.peak_tps == pytest.approx(4.0)
    assert used.last_request == start + timedelta(minutes=30)
    # 12 windows × 2 TPS + (4 − 2) extra in the busy one = 26 TPS-windows × 5/60 h
    assert used.billed_tps_hours == pytest.approx(26 * 5 / 60)


def test_idle_campaign_says_delete_and_saves_its_whole_minimum() -> None:
    report = cost_report([campaign("quiet", 3)], US, {}, NOW, idle_days=7)
    (row,) = report.findings
    assert row.finding == "idle"
    assert row.monthly_saving_usd == pytest.approx(438.0)  # 3 × 0.20 × 730
    assert "No request to quiet in 7 days" in row.action and "delete" in row.action


def test_over_provisioned_campaign_says_lower_it_to_its_peak() -> None:
    c = campaign("big", 10)
    report = cost_report([c], US, {c.arn: [(NOW - timedelta(hours=2), 1_200)]}, NOW)
    (row,) = report.findings
    assert row.finding == "over-provisioned"
    assert row.usage.peak_tps == pytest.approx(4.0)  # 1,200 / 300 s
    assert "lower minProvisionedTPS to 4" in row.action
    assert row.monthly_saving_usd == pytest.approx(876.0)  # (10 − 4) × 0.20 × 730


def test_a_busy_enough_campaign_has_no_finding() -> None:
    c = campaign("fine", 10)
    report = cost_report([c], US, {c.arn: [(NOW - timedelta(hours=2), 1_800)]}, NOW)  # 6 TPS
    assert report.findings == ()
    assert report.campaigns[0].usage.requests == 1_800


def test_a_new_campaign_is_judged_from_its_creation_and_not_yet_idle() -> None:
    c = campaign("new", 1, created=NOW - timedelta(days=1))
    (row,) = cost_report([c], US, {}, NOW, idle_days=7).campaigns
    assert row.usage.days == pytest.approx(1.0)
    assert row.usage.billed_tps_hours == pytest.approx(24.0)  # 1 TPS × 24 h
    assert row.finding is None  # one quiet day is not seven


def test_a_peak_over_less_than_a_day_is_no_finding() -> None:
    c = campaign("young", 10, created=NOW - timedelta(hours=6))
    report = cost_report([c], US, {c.arn: [(NOW - timedelta(hours=1), 300)]}, NOW)
    assert report.findings == ()


def test_training_hours_cost() -> None:
    v = SolutionVersion("arn:v", "ACTIVE", training_hours=2.5)
    assert training_cost(v, US).usd == pytest.approx(0.60)  # 2.5 × $0.24
    assert training_cost(SolutionVersion("arn:w", "CREATE IN_PROGRESS"), US).usd is None


def test_prices_can_be_overridden_flat_or_per_region() -> None:
    flat = prices_for("us-east-1", '{"tps_hour": 0.25}')
    assert campaign_cost(campaign("c", 5), flat).hourly_usd == pytest.approx(1.25)
    assert flat.overridden and flat.training_hour == 0.24
    regional = prices_for("eu-west-1", '{"eu-west-1": {"training_hour": 0.3}}')
    assert (regional.training_hour, regional.tps_hour) == (0.3, 0.20)


def test_a_region_outside_the_table_is_marked_estimated() -> None:
    assert prices_for("ap-northeast-1").estimated
    assert not prices_for("us-west-2").estimated


@pytest.mark.parametrize("bad", ["{", "[1]", '{"tps_hour": -1}', '{"tps_hour": "cheap"}'])
def test_bad_price_override_is_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="PERSONALIZE_PRICES"):
        prices_for("us-east-1", bad)


def test_the_window_a_campaign_was_created_in_counts() -> None:
    created = NOW - timedelta(minutes=2)
    window = NOW - timedelta(minutes=4)  # started before the campaign existed
    used = usage([(window, 30)], 1, created, NOW)
    assert used.requests == 30


# --- recommenders, metadata, ingestion, unverified figures -------------------------------------
# US East figures used below: $0.15 per RPS-hour (one request a second for an hour), $0.05 per
# GB ingested; no metadata surcharge unless PERSONALIZE_PRICES gives one.


def recommender(
    name: str,
    rps: int | None,
    metadata: bool = False,
    status: str = "ACTIVE",
    created: datetime | None = None,
) -> Recommender:
    arn = f"arn:aws:personalize:us-east-1:123456789012:recommender/{name}"
    return Recommender(
        arn, name, status, min_requests_per_second=rps, enable_metadata=metadata, created=created
    )


def test_a_recommender_bills_its_minimum_requests_a_second_every_hour() -> None:
    cost = recommender_cost(recommender("r", 4), US)
    assert cost.hourly_usd == pytest.approx(0.60)  # 4 RPS × $0.15
    assert cost.monthly_usd == pytest.approx(438.0)  # × 730 h
    assert recommender_cost(recommender("d", None), US).minimum == 1  # Personalize's default


def test_recommender_usage_is_judged_per_hour_the_larger_of_minimum_and_actual() -> None:
    # 2 RPS minimum over 3 hours; 5-minute windows: 9,000 requests in the first hour
    # (2.5 RPS average > 2), 3,600 in the second (1 RPS < 2), none in the third.
    start = NOW - timedelta(hours=3)
    series = [
        (start, 6_000),
        (start + timedelta(minutes=35), 3_000),
        (start + timedelta(hours=1, minutes=10), 3_600),
    ]
    r = recommender("busy", 2, created=start)  # judged from its creation: 3 hours
    report = cost_report([], US, {r.arn: series}, NOW, idle_days=7, recommenders=[r])
    (row,) = report.recommenders
    used = row.usage
    assert used.requests == 12_600
    assert used.peak_tps == pytest.approx(2.5)  # the busiest hour: 9,000 / 3,600 s
    # per hour max(2, actual): 2.5 + 2 + 2 = 6.5 RPS-hours
    assert used.billed_tps_hours == pytest.approx(6.5)


def test_an_idle_recommender_says_stop_and_saves_its_whole_minimum() -> None:
    r = recommender("quiet", 3)
    report = cost_report([], US, {}, NOW, idle_days=7, recommenders=[r])
    (row,) = report.findings
    assert (row.kind, row.finding) == ("recommender", "idle")
    assert row.monthly_saving_usd == pytest.approx(328.5)  # 3 × 0.15 × 730
    assert "StopRecommender" in row.action


def test_an_over_provisioned_recommender_says_lower_it_to_its_busiest_hour() -> None:
    r = recommender("big", 10)
    busiest = NOW - timedelta(days=2)
    # 10,800 requests within one hour: 3 RPS average, under half of 10
    series = [(busiest, 5_400), (busiest + timedelta(minutes=20), 5_400)]
    report = cost_report([], US, {r.arn: series}, NOW, recommenders=[r])
    (row,) = report.findings
    assert row.finding == "over-provisioned"
    assert "minRecommendationRequestsPerSecond to 3" in row.action
    assert row.monthly_saving_usd == pytest.approx(766.5)  # (10 − 3) × 0.15 × 730


def test_a_stopped_recommender_costs_nothing() -> None:
    report = cost_report([], US, {}, NOW, recommenders=[recommender("off", 5, status="INACTIVE")])
    assert report.recommenders == () and report.hourly_usd == 0.0


def test_metadata_costs_extra_when_priced_and_is_named_when_not() -> None:
    priced = prices_for("us-east-1", '{"metadata_hour": 0.05}')
    with_metadata = Campaign(
        "arn:aws:personalize:us-east-1:1:campaign/m",
        "m",
        "ACTIVE",
        min_provisioned_tps=2,
        config=CampaignConfig(enable_metadata=True),
    )
    cost = campaign_cost(with_metadata, priced)
    assert cost.metadata_hourly_usd == pytest.approx(0.10)  # 2 TPS × $0.05
    assert cost.hourly_usd == pytest.approx(0.50)  # 2 × $0.20 + $0.10
    rec = recommender_cost(recommender("r", 1, metadata=True), priced)
    assert rec.hourly_usd == pytest.approx(0.20)  # $0.15 + 1 × $0.05
    # without a metadata price the surcharge is unknown, and the report names who pays it
    report = cost_report([with_metadata], US, None, NOW)
    assert report.campaigns[0].metadata_hourly_usd is None
    assert report.campaigns[0].hourly_usd == pytest.approx(0.40)
    assert [c.name for c in report.metadata_unpriced] == ["m"]
    # a campaign without metadata pays no surcharge even when it is priced
    assert campaign_cost(campaign("plain", 2), priced).hourly_usd == pytest.approx(0.40)


def test_monthly_total_adds_recommenders_and_metadata_to_the_tiered_campaigns() -> None:
    priced = prices_for("us-east-1", '{"metadata_hour": 0.05}')
    c = Campaign(
        "arn:c", "c", "ACTIVE", min_provisioned_tps=1, config=CampaignConfig(enable_metadata=True)
    )
    report = cost_report([c], priced, None, NOW, recommenders=[recommender("r", 2)])
    # campaign 730 TPS-h × $0.20 = 146; metadata 730 × $0.05 = 36.5; recommender 2 × 0.15 × 730
    assert report.monthly_minimum_usd == pytest.approx(146.0 + 36.5 + 219.0)


def test_ingestion_is_priced_per_gb() -> None:
    assert ingestion_cost(3 * 1024**3, US) == pytest.approx(0.15)  # 3 GB × $0.05
    assert ingestion_cost(512 * 1024**2, US) == pytest.approx(0.025)  # half a GB


def test_figures_without_a_source_are_unverified() -> None:
    assert US.verified("tps_hour") and US.verified("training_hour")
    assert not US.verified("rps_hour") and not US.verified("metadata_hour")
    seoul = prices_for("ap-northeast-2")
    assert seoul.estimated and not any(seoul.verified(f) for f in FIGURES)
    vouched = prices_for("ap-northeast-2", '{"ap-northeast-2": {"rps_hour": 0.2}}')
    assert vouched.verified("rps_hour") and vouched.rps_hour == 0.2
    assert not vouched.verified("tps_hour")
