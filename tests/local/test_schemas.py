"""Tests for services.local.data.schemas: Avro parsing and per-dataset rules."""

from __future__ import annotations

import json

import pytest

from services.config import Settings
from services.local.data.schemas import (
    AvroSchema,
    Field,
    SchemaError,
    check_schema_for_dataset,
    normalize_dataset_type,
    parse_schema,
)
from services.personalize.clients import Clients
from tests.local.workspace import ITEMS_SCHEMA, create_group


def schema_json(*fields: dict, name: str = "Demo", **extra: object) -> str:
    return json.dumps({"type": "record", "name": name, "fields": list(fields), **extra})


def f(name: str, type_: object = "string", **attrs: object) -> dict:
    return {"name": name, "type": type_, **attrs}


INTERACTIONS = [f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "long")]


def parsed(*fields: dict) -> AvroSchema:
    return parse_schema(schema_json(*fields))


def test_parse_full_interactions_schema():
    text = schema_json(
        *INTERACTIONS,
        f("EVENT_TYPE"),
        f("EVENT_VALUE", ["null", "float"]),
        f("DEVICE", ["string", "null"], categorical=True),
        namespace="com.amazonaws.personalize.schema",
        version="1.0",
    )
    schema = parse_schema(text)
    assert schema.name == "Demo"
    assert schema.namespace == "com.amazonaws.personalize.schema"
    assert schema.field_names == (
        "USER_ID",
        "ITEM_ID",
        "TIMESTAMP",
        "EVENT_TYPE",
        "EVENT_VALUE",
        "DEVICE",
    )
    assert schema.get("EVENT_VALUE") == Field("EVENT_VALUE", "float", nullable=True)
    assert schema.get("DEVICE") == Field("DEVICE", "string", nullable=True, categorical=True)
    assert schema.get("TIMESTAMP") == Field("TIMESTAMP", "long")
    assert schema.get("missing") is None


def test_parse_accepts_dict_spelling_of_a_primitive():
    schema = parsed(f("USER_ID", {"type": "string"}))
    assert schema.fields == (Field("USER_ID", "string"),)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ("", "empty"),
        (json.dumps({"type": "enum", "name": "X", "fields": []}), '"type" must be "record"'),
        (json.dumps({"type": "record", "fields": [f("A")]}), '"name"'),
        (json.dumps({"type": "record", "name": "X", "fields": []}), "non-empty list"),
        (schema_json(f("TAGS", {"type": "array", "items": "string"})), "no arrays, maps"),
        (schema_json(f("M", {"type": "map", "values": "string"})), "no arrays, maps"),
        (schema_json(f("R", {"type": "record", "name": "In", "fields": []})), "nested records"),
        (schema_json(f("U", ["null", "string", "int"])), '"null" plus one type'),
        (schema_json(f("U", ["string", "int"])), '"null" plus one type'),
        (schema_json(f("S", "String")), "must be lower-case: 'string'"),
        (schema_json(f("S", "null")), '"null" alone'),
        (schema_json(f("S", "bytes")), "not supported"),
        (schema_json(f("N", "int", categorical=True)), "only to string fields"),
        (schema_json(f("S", categorical="yes")), "true or false"),
        (schema_json(f("S", categorical=True, textual=True)), "both categorical and textual"),
        (schema_json(f("A"), f("A")), "defined twice"),
        (schema_json(f("bad-name")), "Avro name"),
        (schema_json(f("A")) + " " * 20_000, "limit is 20000"),
    ],
)
def test_parse_rejects(text, needle):
    with pytest.raises(SchemaError) as err:
        parse_schema(text)
    assert needle in str(err.value)


def test_interactions_schema_passes():
    schema = parsed(*INTERACTIONS, f("EVENT_TYPE"), f("EVENT_VALUE", "double"))
    check_schema_for_dataset(schema, "Interactions")


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ([f("USER_ID"), f("ITEM_ID")], "needs a TIMESTAMP field of type long"),
        ([f("USER_ID"), f("ITEM_ID"), f("TIMESTAMP", "int")], "TIMESTAMP must be of type long"),
        ([f("user_id"), f("ITEM_ID"), f("TIMESTAMP", "long")], "found 'user_id'"),
        ([f("USER_ID", ["null", "string"]), *INTERACTIONS[1:]], "USER_ID must not be nullable"),
        ([*INTERACTIONS, f("EVENT_TYPE", categorical=True)], 'must not be "categorical"'),
        (
            [*INTERACTIONS, f("EVENT_VALUE", "string")],
            "EVENT_VALUE must be of type double or float",
        ),
        ([*INTERACTIONS, f("NOTE", textual=True)], "only in Items"),
        (
            [*INTERACTIONS, *(f(f"M{i}", categorical=True) for i in range(6))],
            "6 metadata fields; the limit is 5",
        ),
    ],
)
def test_interactions_schema_rejects(fields, needle):
    with pytest.raises(SchemaError) as err:
        check_schema_for_dataset(parsed(*fields), "Interactions")
    assert needle in str(err.value)


def test_interactions_allow_five_metadata_columns_besides_reserved():
    fields = [*INTERACTIONS, f("EVENT_TYPE"), f("IMPRESSION"), f("RECOMMENDATION_ID")]
    fields += [f(f"M{i}", categorical=True) for i in range(5)]
    check_schema_for_dataset(parsed(*fields), "interactions")


def test_items_rules():
    ok = parsed(f("ITEM_ID"), f("GENRES", categorical=True), f("CREATION_TIMESTAMP", "long"))
    check_schema_for_dataset(ok, "ITEMS")
    check_schema_for_dataset(
        parsed(f("ITEM_ID"), *(f(f"M{i}", "int") for i in range(100))), "Items"
    )
    cases = [
        ([f("ITEM_ID")], "at least one metadata field"),
        ([f("GENRES", categorical=True)], "needs a ITEM_ID field"),
        ([f("ITEM_ID"), f("CREATION_TIMESTAMP", "int")], "CREATION_TIMESTAMP must be of type long"),
        ([f("ITEM_ID"), f("A", textual=True), f("B", textual=True)], "2 textual fields"),
        ([f("ITEM_ID"), *(f(f"M{i}", "int") for i in range(101))], "limit is 100"),
    ]
    for fields, needle in cases:
        with pytest.raises(SchemaError) as err:
            check_schema_for_dataset(parsed(*fields), "Items")
        assert needle in str(err.value)


def test_users_rules():
    check_schema_for_dataset(parsed(f("USER_ID"), *(f(f"M{i}", "int") for i in range(25))), "users")
    cases = [
        ([f("USER_ID")], "at least one metadata field"),
        ([f("USER_ID"), *(f(f"M{i}", "int") for i in range(26))], "limit is 25"),
        ([f("USER_ID"), f("BIO", textual=True)], "only in Items"),
        ([f("USERID"), f("AGE", "int")], "did you mean 'USERID'"),
    ]
    for fields, needle in cases:
        with pytest.raises(SchemaError) as err:
            check_schema_for_dataset(parsed(*fields), "Users")
        assert needle in str(err.value)


def test_dataset_types():
    assert normalize_dataset_type("iNtErAcTiOnS") == "Interactions"
    assert normalize_dataset_type("actions") == "Actions"
    assert normalize_dataset_type("action_interactions") == "Action_Interactions"
    # an Interactions schema has ITEM_ID where action interactions need ACTION_ID
    with pytest.raises(SchemaError, match="Action_Interactions schema needs a ACTION_ID"):
        check_schema_for_dataset(parsed(*INTERACTIONS), "ACTION_INTERACTIONS")
    with pytest.raises(SchemaError, match="unknown dataset type 'Clicks'"):
        normalize_dataset_type("Clicks")


def test_update_dataset_adds_fields_but_keeps_the_old_ones(
    clients: Clients, settings: Settings
) -> None:

    p = clients.personalize
    ws = create_group(clients, settings.data_dir, with_items=True)
    fields = json.loads(ITEMS_SCHEMA)["fields"]
    wider = json.dumps(
        {
            "type": "record",
            "name": "Items",
            "fields": [*fields, {"name": "BRAND", "type": ["null", "string"], "categorical": True}],
        }
    )
    narrower = json.dumps({"type": "record", "name": "Items", "fields": fields[:2]})
    wide = p.create_schema(name="items-wide", schema=wider)["schemaArn"]
    narrow = p.create_schema(name="items-narrow", schema=narrower)["schemaArn"]
    with pytest.raises(p.exceptions.InvalidInputException, match="keep field PRICE"):
        p.update_dataset(datasetArn=ws["items_dataset"], schemaArn=narrow)
    p.update_dataset(datasetArn=ws["items_dataset"], schemaArn=wide)
    doc = p.describe_dataset(datasetArn=ws["items_dataset"])["dataset"]
    assert doc["schemaArn"] == wide
    assert doc["latestDatasetUpdate"]["schemaArn"] == wide
    assert doc["latestDatasetUpdate"]["status"] == "ACTIVE"
