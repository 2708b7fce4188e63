"""The checks and requests behind the New campaign and Data create forms
(services.workspace.new_campaign, services.workspace.new_data), without the pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.costs.pricing import prices_for
from services.workspace.new_campaign import NewCampaign, build_request, refused_field, serving_cost
from services.workspace.new_campaign import problems as campaign_problems
from services.workspace.new_data import SCHEMA_MAX, dataset_problems, schema_text

EVENTS_MAPPING = Path(__file__).resolve().parents[1] / "data" / "raw" / "mappings" / "events.json"
UP = "aws-user-personalization"
VERSION = "arn:aws:personalize:us-east-1:000000000000:solution/s/abc"


def test_a_default_form_sends_only_what_createcampaign_needs() -> None:
    form = NewCampaign(name="c1", version_arn=VERSION, recipe=UP)
    # Exploration at Personalize's defaults (0.3, 30 days) is left to the service.
    assert build_request(form) == {
        "name": "c1",
        "solutionVersionArn": VERSION,
        "minProvisionedTPS": 1,
    }


def test_exploration_is_checked_and_sent_only_for_an_exploring_recipe() -> None:
    wild = NewCampaign(name="c1", version_arn=VERSION, recipe=UP, weight=1.5, age_days=0)
    assert set(campaign_problems(wild)) == {"weight", "age"}
    # SIMS does not explore: the same numbers are neither checked nor sent.
    sims = NewCampaign(name="c1", version_arn=VERSION, recipe="aws-sims", weight=1.5, age_days=0)
    assert campaign_problems(sims) == {}
    assert "campaignConfig" not in build_request(sims)
    with pytest.raises(ValueError, match="explorationWeight"):
        build_request(wild)


def test_tps_below_one_and_a_hangul_name_are_refused() -> None:
    form = NewCampaign(name="캠페인", version_arn=VERSION, recipe=UP, min_tps=0)
    assert set(campaign_problems(form)) == {"name", "tps"}


def test_the_cost_is_tps_times_the_hourly_prices_with_metadata() -> None:
    prices = prices_for("us-east-1", '{"tps_hour": 0.5, "metadata_hour": 0.1}')
    form = NewCampaign(name="c", version_arn=VERSION, recipe=UP, min_tps=3, enable_metadata=True)
    cost = serving_cost(form, prices)
    # by hand: 3 × (0.5 + 0.1) = 1.8 an hour; × 730 hours = 1,314 a month
    assert cost.hourly_usd == pytest.approx(1.8)
    assert cost.monthly_usd == pytest.approx(1314.0)


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ("Personalize said: Campaign shop-campaign already exists.", "name"),
        ("Personalize said: minProvisionedTPS must be at least 1", "tps"),
        ("Personalize said: explorationWeight '2' is out of range", "weight"),
        ("Personalize said: something else", "name"),
    ],
)
def test_a_refusal_lands_at_the_field_it_names(message: str, field: str) -> None:
    assert refused_field(message) == field


def test_a_mapping_becomes_its_schema_and_a_schema_passes_as_it_is() -> None:
    text = schema_text(EVENTS_MAPPING.read_text(encoding="utf-8"), "Interactions")
    schema = json.loads(text)
    # The mapping's four fields (events.json), in its order, as an Avro record.
    assert schema["type"] == "record"
    assert [f["name"] for f in schema["fields"]] == [
        "USER_ID",
        "ITEM_ID",
        "TIMESTAMP",
        "EVENT_TYPE",
    ]
    assert json.loads(schema_text(text, "Interactions")) == schema
    with pytest.raises(ValueError, match="The mapping is for Interactions, not Items"):
        schema_text(EVENTS_MAPPING.read_text(encoding="utf-8"), "Items")
    with pytest.raises(ValueError, match="not JSON"):
        schema_text("USER_ID,ITEM_ID", "Interactions")
    with pytest.raises(ValueError, match="neither an Avro schema"):
        schema_text("[1, 2]", "Interactions")
    huge = {"type": "record", "name": "I", "fields": [], "doc": "x" * SCHEMA_MAX}
    with pytest.raises(ValueError, match="too long"):
        schema_text(json.dumps(huge), "Interactions")


def test_a_group_holds_one_dataset_of_each_type() -> None:
    assert set(dataset_problems("kshop-items", "Items", {"ITEMS"})) == {"type"}
    assert dataset_problems("kshop-items", "Items", {"INTERACTIONS"}) == {}
