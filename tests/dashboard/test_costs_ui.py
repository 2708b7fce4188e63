"""Cost & usage on Overview, Operations and Solutions, checked against hand arithmetic.

The seeded workspace has three campaigns at the default minProvisionedTPS of 1.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.personalize.clients import build_clients
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown


def test_overview_shows_hourly_and_monthly_cost(seeded: Seeded) -> None:
    at = app_at("pages/overview.py")
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Campaigns, per hour"] == "$0.60"  # 3 campaigns × 1 TPS × $0.20
    assert metrics["Per month at their minimum TPS"] == "$438.00"  # 3 × 730 TPS-h × $0.20


def test_price_override_changes_the_figures(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERSONALIZE_PRICES", '{"tps_hour": 0.5}')
    at = app_at("pages/overview.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Campaigns, per hour"] == "$1.50"  # 3 × $0.50
    assert any("from PERSONALIZE_PRICES" in shown(c.value) for c in at.caption)


def test_operations_lists_every_campaign_with_its_cost(seeded: Seeded) -> None:
    at = app_at("pages/operations.py")
    assert not at.exception, [e.value for e in at.exception]
    frame = next(d.value for d in at.dataframe if "min TPS" in d.value.columns)
    assert sorted(frame["campaign"]) == ["shop-campaign", "shop-pop-campaign", "shop-sims-campaign"]
    assert frame["$/month"].tolist() == pytest.approx([146.0] * 3)  # 1 × 730 × $0.20


def test_solutions_shows_training_hours_and_their_cost(seeded: Seeded) -> None:
    at = app_at("pages/solutions.py")
    assert not at.exception, [e.value for e in at.exception]
    frame = next(d.value for d in at.dataframe if "cost" in d.value.columns)
    clients = build_clients(Settings.from_env())
    hours = clients.personalize.describe_solution_version(solutionVersionArn=seeded.up_v1)[
        "solutionVersion"
    ]["trainingHours"]
    row = frame[frame["version"] == seeded.up_v1.rsplit("/", 1)[-1]].iloc[0]
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
    at = app_at("pages/operations.py")
    frame = next(d.value for d in at.dataframe if "min TPS" in d.value.columns)
    row = frame[frame["campaign"] == "shop-pop-campaign"].iloc[0]
    assert row["requests (7 d)"] == 4
    assert row["peak TPS"] == pytest.approx(4 / 300)  # 4 requests in one 5-minute window
