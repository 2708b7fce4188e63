"""Cost & usage on Overview, Operations and Solutions, checked against hand arithmetic.

The seeded workspace has three campaigns at the default minProvisionedTPS of 1.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.personalize.clients import build_clients
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown


def test_overview_shows_hourly_and_monthly_cost(seeded: Seeded) -> None:
    at = app_at("dashboard/pages/overview.py")
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Campaigns, per hour"] == "$0.60"  # 3 campaigns × 1 TPS × $0.20
    assert metrics["Per month at their minimum TPS"] == "$438.00"  # 3 × 730 TPS-h × $0.20


def test_overview_shows_the_gb_imported_and_its_cost(seeded: Seeded, tmp_path: Path) -> None:
    at = app_at("dashboard/pages/overview.py")
    # the seeded workspace's two import files, as they lie in the engine's mapped bucket
    folder = Path(os.environ["PERSONALIZE_DATA_DIR"]) / "s3" / "bucket" / "shop"
    size = sum(f.stat().st_size for f in (folder / "interactions.csv", folder / "items.csv"))
    gb = size / 1024**3
    (line,) = [shown(c.value) for c in at.caption if "Data imported" in shown(c.value)]
    assert f"{gb:.4f} GB" in line
    assert f"${gb * 0.05:.2f}" in line  # $0.05 per GB


def test_price_override_changes_the_figures(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERSONALIZE_PRICES", '{"tps_hour": 0.5}')
    at = app_at("dashboard/pages/overview.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Campaigns, per hour"] == "$1.50"  # 3 × $0.50
    assert any("PERSONALIZE_PRICES sets some of them" in shown(c.value) for c in at.caption)


def test_operations_lists_every_campaign_with_its_cost(seeded: Seeded) -> None:
    at = app_at("dashboard/pages/operations.py")
    assert not at.exception, [e.value for e in at.exception]
    frame = next(d.value for d in at.dataframe if "minimum" in d.value.columns)
    assert sorted(frame["campaign or recommender"]) == [
        "shop-campaign",
        "shop-pop-campaign",
        "shop-sims-campaign",
    ]
    assert frame["minimum"].tolist() == ["1 TPS"] * 3
    assert frame["$/month"].tolist() == pytest.approx([146.0] * 3)  # 1 × 730 × $0.20


def test_solutions_shows_training_hours_and_their_cost(seeded: Seeded) -> None:
    at = app_at("dashboard/pages/solutions.py")
    assert not at.exception, [e.value for e in at.exception]
    frame = next(d.value for d in at.dataframe if "cost" in d.value.columns)
    clients = build_clients(Settings.from_env())
    hours = clients.personalize.describe_solution_version(solutionVersionArn=seeded.up_v1)[
        "solutionVersion"
    ]["trainingHours"]
    row = frame[frame["version"] == f"shop-up/{seeded.up_v1.rsplit('/', 1)[-1]}"].iloc[0]
    assert row["training hours"] == pytest.approx(hours)
    assert row["cost"] == pytest.approx(hours * 0.24)


def _idle_report() -> None:
    from datetime import UTC, datetime, timedelta

    from dashboard.components import cost_panels
    from services.costs import cost_report, prices_for
    from services.personalize.models import Campaign

    now = datetime(2024, 3, 1, tzinfo=UTC)
    quiet = Campaign("arn:aws:personalize:us-east-1:1:campaign/quiet", "quiet", "ACTIVE", None, 2)
    report = cost_report([quiet], prices_for("us-east-1"), {}, now - timedelta(0), 7)
    cost_panels.operations_section(report)


def test_an_idle_campaign_is_a_warning_with_its_action() -> None:
    at = AppTest.from_function(_idle_report, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    (warning,) = at.warning
    assert shown(warning.value).startswith("**quiet** is idle. No request to quiet in 7 days")
    assert "$292.00/month" in shown(warning.value)  # 2 TPS × $0.20 × 730 h


def test_operations_counts_the_engines_requests(seeded: Seeded) -> None:
    runtime = build_clients(Settings.from_env()).runtime
    for user in ("u1", "u2", "u3", "u4"):
        runtime.get_recommendations(campaignArn=seeded.pop_campaign, userId=user)
    at = app_at("dashboard/pages/operations.py")
    frame = next(d.value for d in at.dataframe if "minimum" in d.value.columns)
    row = frame[frame["campaign or recommender"] == "shop-pop-campaign"].iloc[0]
    assert row["requests (7 d)"] == "4"
    assert row["peak per second"] == pytest.approx(4 / 300)  # 4 requests in one 5-minute window


def _recommender_overview() -> None:
    from datetime import UTC, datetime, timedelta

    import streamlit as st

    from dashboard.components import cost_panels
    from services.costs import cost_report, prices_for
    from services.i18n import use_language
    from services.personalize.models import Recommender

    use_language(st.session_state.get("lang", "en"))
    now = datetime(2024, 3, 1, tzinfo=UTC)
    arn = "arn:aws:personalize:us-east-1:1:recommender/best-sellers"
    big = Recommender(arn, "best-sellers", "ACTIVE", min_requests_per_second=10)
    # 7,200 requests in one hour two days ago: 2 requests a second at the busiest hour
    traffic = {arn: [(now - timedelta(days=2), 7_200)]}
    report = cost_report([], prices_for("us-east-1"), traffic, now, 7, recommenders=[big])
    cost_panels.operations_section(report)


def test_operations_names_an_over_provisioned_recommender_with_its_saving() -> None:
    at = AppTest.from_function(_recommender_overview, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    (frame,) = (d.value for d in at.dataframe)
    row = frame.iloc[0]
    assert (row["kind"], row["minimum"]) == ("recommender", "10 requests/s")
    assert row["$/hour"] == pytest.approx(1.50)  # 10 RPS × $0.15
    assert row["requests (7 d)"] == "7,200"
    (warning,) = at.warning
    text = shown(warning.value)
    assert text.startswith("**best-sellers** is over-provisioned.")
    # (10 − 2) RPS × $0.15 × 730 h
    assert "minRecommendationRequestsPerSecond to 2" in text and "$876.00/month" in text
    assert any(
        "(price not verified against AWS's price list)" in shown(c.value) for c in at.caption
    )


def _two_campaigns() -> None:
    from datetime import UTC, datetime, timedelta

    import streamlit as st

    from dashboard.components import cost_panels
    from services.costs import cost_report, prices_for
    from services.i18n import use_language
    from services.personalize.models import Campaign

    use_language(st.session_state["lang"])
    now = datetime(2024, 3, 1, tzinfo=UTC)
    busy = Campaign("arn:aws:personalize:us-east-1:1:campaign/busy", "busy", "ACTIVE", None, 1)
    quiet = Campaign("arn:aws:personalize:us-east-1:1:campaign/quiet", "quiet", "ACTIVE", None, 1)
    # 1,000 + 330 requests in two hours of the last 7 days; none for quiet
    traffic = {busy.arn: [(now - timedelta(days=1), 1_000), (now - timedelta(days=2), 330)]}
    cost_panels.operations_section(
        cost_report([busy, quiet], prices_for("us-east-1"), traffic, now, 7)
    )


@pytest.mark.parametrize(
    ("language", "name", "requests", "last"),
    [
        ("en", "campaign or recommender", "requests (7 d)", "last request"),
        ("ko", "캠페인 또는 추천기", "요청 수 (7일)", "마지막 요청"),
    ],
)
def test_request_counts_have_separators_and_no_request_is_a_dash(
    language: str, name: str, requests: str, last: str
) -> None:
    at = AppTest.from_function(_two_campaigns, default_timeout=30)
    at.session_state["lang"] = language
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (table,) = at.dataframe
    rows = table.value.set_index(name)
    assert rows.loc["busy", requests] == "1,330"  # 1,000 + 330
    assert rows.loc["quiet", requests] == "0"
    assert rows[last].isna().tolist() == [False, True]  # quiet was never asked ...
    assert table.proto.placeholder == "–"  # ... and the browser draws that as "–", not "None"


# What the price note says of each US East list price (the recommender's and the ingestion
# price have no dated source, the metadata surcharge none at all: services.costs.pricing), in
# the words a fresh-clone trial found hard to read before: "$0.15 (not verified) per
# request-a-second hour", "unknown (not verified) extra per TPS- or RPS-hour".
PRICE_NOTES = {
    "en": (
        "List prices for us-east-1: campaigns $0.20 per TPS-hour; recommenders $0.15 per "
        "RPS-hour, that is per hour at one request a second (price not verified against AWS's "
        "price list); training $0.24 per training hour; data ingested $0.05 per GB (price not "
        "verified against AWS's price list); item metadata in recommendations: an extra charge "
        "per TPS-hour or RPS-hour whose price is unknown.",
        " A price not verified is one that no dated copy of AWS's price list states for this "
        "region",
    ),
    "ko": (
        "us-east-1 정가: 캠페인 TPS-시간당 US$0.20; 추천기 RPS-시간(1시간 동안 초당 요청 1건)당 "
        "US$0.15(AWS 요금표로 확인되지 않은 가격); 학습 시간당 US$0.24; 데이터 수집 GB당 "
        "US$0.05(AWS 요금표로 확인되지 않은 가격); 추천에 상품 메타데이터를 포함하면 TPS-시간 "
        "또는 RPS-시간당 추가 요금이 붙지만 그 가격은 알 수 없음.",
        " 확인되지 않은 가격은 날짜가 적힌 AWS 요금표 사본에 이 리전의 값이 없는 가격입니다.",
    ),
}


@pytest.mark.parametrize("language", sorted(PRICE_NOTES))
def test_the_price_note_gives_each_price_with_its_unit_and_says_which_are_not_verified(
    language: str,
) -> None:
    at = AppTest.from_function(_recommender_overview, default_timeout=30)
    at.session_state["lang"] = language
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (note,) = [shown(c.value) for c in at.caption if "us-east-1" in shown(c.value)]
    prices, why = PRICE_NOTES[language]
    assert prices in note and why in note
    for unreadable in ("(not verified) per", "unknown (not verified)", "request-a-second"):
        assert unreadable not in note
