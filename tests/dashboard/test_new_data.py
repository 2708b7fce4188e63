"""Data › New dataset group and Create a dataset, then Operations › New campaign: a new shop
taken from nothing to a serving campaign on the pages alone (trial s13, finding 6), with the
real local engine behind boto3; a viewer cannot, a bad name is refused at its field."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.store.tables import Store
from tests.dashboard.conftest import Seeded, app_at, viewer_at
from tests.dashboard.rendered import shown
from tests.local.workspace import interactions_schema, wait_for

DATA = "dashboard/pages/data.py"
# The Interactions schema the engine tests use (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE), as
# `prepare --schema-out` writes one: an Avro record.
SCHEMA = json.loads(interactions_schema())


def _texts(at: AppTest, kind: str) -> list[str]:
    return [shown(e.value) for e in getattr(at, kind)]


def _audit(action: str) -> list[Any]:
    store = Store(Settings.from_env().dashboard_db_url)
    return [(r.actor, r.result) for r in store.recent_actions() if r.action == action]


def _forge_confirm(at: AppTest, name: str) -> set[str]:
    """Type ``name`` in the New dataset group form, force its dialog open through session
    state and confirm: the dataset groups' names afterwards."""
    at.text_input(key="ng_name").input(name).run()
    at.session_state["ng_open"] = True
    at.run()
    at.button(key="ng_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return {
        g.name for g in PersonalizeService(build_clients(Settings.from_env())).list_dataset_groups()
    }


def _confirm(at: AppTest, key: str) -> AppTest:
    at.button(key=f"{key}_button").click().run()
    at.button(key=f"{key}_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_operator_takes_a_new_shop_from_nothing_to_a_serving_campaign(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    raw = build_clients(Settings.from_env())
    at = app_at(DATA)
    at.text_input(key="ng_name").input("kshop").run()
    at.selectbox(key="ng_domain").set_value(None).run()
    _confirm(at, "ng")
    (group,) = [g for g in facade.list_dataset_groups() if g.name == "kshop"]
    assert group.domain is None
    wait_for(
        lambda: raw.personalize.describe_dataset_group(datasetGroupArn=group.arn), "datasetGroup"
    )
    assert [r for _, r in _audit("create_dataset_group")] == ["ok"]
    at.run()
    # The page opened on the new group, which has no dataset: the create form is open.
    assert at.selectbox(key="data_group").value == "kshop"

    # Interactions from a schema file (what `prepare --schema-out` writes).
    at.selectbox(key="nd_type").set_value("Interactions").run()
    at.text_input(key="nd_name").input("kshop-interactions").run()
    at.radio(key="nd_source").set_value("file").run()
    at.file_uploader(key="nd_file").set_value(
        ("schema.json", json.dumps(SCHEMA).encode(), "application/json")
    ).run()
    assert at.text_input(key="nd_schema_name").value == "kshop-interactions-schema"
    _confirm(at, "nd")
    assert not _texts(at, "error")
    (dataset,) = facade.list_datasets(group.arn)
    described = facade.describe_dataset(dataset.arn)
    assert (described.name, described.dataset_type) == ("kshop-interactions", "INTERACTIONS")
    schema = facade.describe_schema(described.schema_arn or "")
    assert schema.name == "kshop-interactions-schema"
    assert [f.name for f in schema.fields] == [f["name"] for f in SCHEMA["fields"]]

    # The form moved on to the first type the group lacks.
    assert at.selectbox(key="nd_type").value == "Items"
    # Items from an existing schema (the seeded shop's Items schema, ListSchemas).
    at.selectbox(key="nd_type").set_value("Items").run()
    at.text_input(key="nd_name").input("kshop-items").run()
    at.radio(key="nd_source").set_value("existing").run()
    items_schema = facade.describe_dataset(seeded.items).schema_arn
    at.selectbox(key="nd_schema").set_value(items_schema).run()
    _confirm(at, "nd")
    types = {facade.describe_dataset(d.arn).dataset_type for d in facade.list_datasets(group.arn)}
    assert types == {"INTERACTIONS", "ITEMS"}
    assert [r for _, r in _audit("create_schema")] == ["ok"]
    assert [r for _, r in _audit("create_dataset")] == ["ok", "ok"]
    # A second Interactions dataset is refused at the field: a group holds one of each type.
    at.selectbox(key="nd_type").set_value("Interactions").run()
    assert (
        "This dataset group already has its Interactions dataset: a group holds one of each type."
        in _texts(at, "error")
    )
    assert at.button(key="nd_button").disabled

    # A campaign on a trained version, from Operations, that serves.
    at.switch_page("dashboard/pages/operations.py").run()
    at.selectbox(key="nc_group").set_value(seeded.group).run()
    at.selectbox(key="nc_solution").set_value(seeded.up_solution).run()
    at.text_input(key="nc_name").input("kshop-campaign").run()
    _confirm(at, "nc")
    (campaign,) = [c for c in facade.list_campaigns() if c.name == "kshop-campaign"]
    wait_for(lambda: raw.personalize.describe_campaign(campaignArn=campaign.arn), "campaign")
    answer = raw.runtime.get_recommendations(campaignArn=campaign.arn, userId="u2")
    assert answer["itemList"]


def test_a_bad_group_name_is_refused_at_the_field_and_nothing_is_created(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    before = {g.name for g in facade.list_dataset_groups()}
    at = app_at(DATA)
    at.text_input(key="ng_name").input("한글 가게").run()
    assert any(e.startswith("A name is 1 to 63 Latin letters") for e in _texts(at, "error"))
    assert at.button(key="ng_button").disabled
    assert _forge_confirm(at, "한글 가게") == before  # the dialog forced open sends nothing
    assert _audit("create_dataset_group") == []


def test_a_viewer_cannot_create_a_group_or_a_dataset(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    at = viewer_at(DATA)
    for key in ("ng_button", "nd_button"):
        assert at.button(key=key).disabled and "vera is a viewer" in at.button(key=key).help
    assert "vshop" not in _forge_confirm(at, "vshop")
    assert any(e.startswith("Not allowed: vera is a viewer") for e in _texts(at, "error"))
    assert _audit("create_dataset_group") == [("vera", "error")]
