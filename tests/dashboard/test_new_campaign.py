"""Operations › New campaign: an operator creates a campaign on a trained version and it serves
GetRecommendations; a viewer cannot, by any route; a bad name or minProvisionedTPS is refused
at its field before the call, and nothing is created."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.store.tables import Store
from tests.dashboard.conftest import Seeded, app_at, viewer_at
from tests.dashboard.rendered import shown
from tests.local.workspace import wait_for

PAGE = "dashboard/pages/operations.py"


def _texts(at: AppTest, kind: str) -> list[str]:
    return [shown(e.value) for e in getattr(at, kind)]


def _audit(action: str) -> list[Any]:
    store = Store(Settings.from_env().dashboard_db_url)
    return [r for r in store.recent_actions() if r.action == action]


def _form(seeded: Seeded, at: AppTest, name: str) -> AppTest:
    at.selectbox(key="nc_solution").set_value(seeded.up_solution).run()
    at.text_input(key="nc_name").input(name).run()
    return at


def _campaign_names(facade: PersonalizeService) -> set[str]:
    return {c.name for c in facade.list_campaigns()}


def test_operator_creates_a_campaign_that_serves_recommendations(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    at = _form(seeded, app_at(PAGE), "shop-new")
    assert not at.exception, [e.value for e in at.exception]
    # The newest ACTIVE version is offered first (versions come newest first).
    assert at.selectbox(key=f"nc_version_{seeded.up_solution}").value == seeded.up_v2
    # User-Personalization explores: its fields show Personalize's defaults (0.3, 30 days).
    assert at.number_input(key="nc_weight").value == 0.3
    assert at.number_input(key="nc_age").value == 30.0
    at.number_input(key="nc_tps").set_value(2).run()
    at.number_input(key="nc_weight").set_value(0.5).run()
    # The cost: 2 TPS × $0.20 a TPS-hour (US East's first tier, services.costs.pricing)
    # = $0.40 an hour; × 730 hours = $292.00 a month.
    cost = [c for c in _texts(at, "caption") if c.startswith("Cost: minProvisionedTPS 2")]
    assert cost and "$0.40 an hour" in cost[0] and "$292.00 a month" in cost[0], cost
    at.button(key="nc_button").click().run()
    assert any("$292.00 a month" in m for m in _texts(at, "markdown"))  # said in the dialog
    at.button(key="nc_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not _texts(at, "error")

    (campaign,) = [c for c in facade.list_campaigns() if c.name == "shop-new"]
    clients = build_clients(Settings.from_env())
    raw = clients.personalize
    doc = wait_for(lambda: raw.describe_campaign(campaignArn=campaign.arn), "campaign")
    assert doc["status"] == "ACTIVE", doc.get("failureReason")
    assert doc["solutionVersionArn"] == seeded.up_v2
    assert doc["minProvisionedTPS"] == 2
    # Only the changed exploration is sent, as strings; metadata left off.
    assert doc["campaignConfig"] == {
        "itemExplorationConfig": {"explorationWeight": "0.5", "explorationItemAgeCutOff": "30"}
    }
    # The campaign serves: the boto3 runtime client's GetRecommendations answers a user.
    answer = clients.runtime.get_recommendations(
        campaignArn=campaign.arn, userId="u1", numResults=5
    )
    assert len(answer["itemList"]) == 5
    rows = _audit("create_campaign")
    assert [r.result for r in rows] == ["ok"]
    assert campaign.arn in (rows[0].message or "")
    # The name is taken: the field is empty again and the button locked.
    assert at.text_input(key="nc_name").value == ""
    assert at.button(key="nc_button").disabled
    # It is in Deploy's list now, and on Recommendations.
    assert campaign.arn in at.selectbox(key="deploy_campaign").options or any(
        "shop-new" in o for o in at.selectbox(key="deploy_campaign").options
    )
    at.switch_page("dashboard/pages/recommendations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("shop-new" in str(o) for s in at.selectbox for o in s.options)


def test_a_bad_name_or_tps_is_refused_at_the_field_and_nothing_is_created(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    before = _campaign_names(facade)
    at = _form(seeded, app_at(PAGE), "가게-캠페인")
    errors = _texts(at, "error")
    assert any(e.startswith("A name is 1 to 63 Latin letters") for e in errors), errors
    assert at.button(key="nc_button").disabled
    at.text_input(key="nc_name").input("shop-zero").run()
    at.number_input(key="nc_tps").set_value(0).run()
    assert _texts(at, "error") == [
        "minProvisionedTPS is a whole number of at least 1 (CreateCampaign), not 0."
    ]
    assert at.button(key="nc_button").disabled
    # Forced open, the dialog's confirm sends nothing either.
    at.session_state["nc_open"] = True
    at.run()
    at.button(key="nc_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _campaign_names(facade) == before
    assert _audit("create_campaign") == []


def test_a_viewer_cannot_create_a_campaign_by_any_route(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    before = _campaign_names(facade)
    at = _form(seeded, viewer_at(PAGE), "shop-viewer")
    assert at.button(key="nc_button").disabled
    assert "vera is a viewer" in at.button(key="nc_button").help
    at.session_state["nc_open"] = True  # the confirmation dialog, forged open
    at.run()
    at.button(key="nc_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.startswith("Not allowed: vera is a viewer") for e in _texts(at, "error"))
    assert [(r.actor, r.result) for r in _audit("create_campaign")] == [("vera", "error")]
    assert _campaign_names(facade) == before


def test_the_services_refusal_is_shown_at_the_name_field(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    # "shop-campaign" is taken (the seeded workspace's): the engine answers
    # ResourceAlreadyExistsException, as Personalize does, and its text stays at the name.
    at = _form(seeded, app_at(PAGE), "shop-campaign")
    at.button(key="nc_button").click().run()
    at.button(key="nc_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = _texts(at, "error")
    assert any("shop-campaign" in e and "exist" in e for e in errors), errors
    assert [r.result for r in _audit("create_campaign")] == ["error"]
    assert sorted(c.name for c in facade.list_campaigns()).count("shop-campaign") == 1
