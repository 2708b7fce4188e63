"""The mapping document: a valid one round-trips; an invalid one names every bad field."""

import json

import pytest

from services.prepare import MappingError, load_mapping, parse_mapping

from .conftest import CASES, MAPPINGS

GOOD = {
    "version": 1,
    "dataset_type": "interactions",
    "timezone": "Asia/Seoul",
    "fields": [
        {"name": "USER_ID", "column": "회원ID"},
        {"name": "ITEM_ID", "column": "상품코드"},
        {"name": "TIMESTAMP", "column": "주문일시", "format": "%Y-%m-%d %H:%M:%S"},
        {"name": "EVENT_TYPE", "constant": "Purchase"},
    ],
}


@pytest.mark.parametrize("stem", CASES)
def test_corpus_mappings_round_trip(stem):
    mapping = load_mapping(MAPPINGS / f"{stem}.json")
    assert load_mapping(mapping.to_json()) == mapping


def test_valid_mapping_reads_fields_in_order():
    mapping = parse_mapping(GOOD)
    assert [f.name for f in mapping.fields] == ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]
    assert mapping.columns == ("회원ID", "상품코드", "주문일시")
    assert mapping.get("EVENT_TYPE").constant == "Purchase"
    assert mapping.source.encoding == "auto"


def _problems(doc):
    with pytest.raises(MappingError) as info:
        parse_mapping(doc)
    return info.value.problems


def _with_fields(*fields, **top):
    return {**GOOD, **top, "fields": [*GOOD["fields"][:3], *fields]}


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({**GOOD, "version": 2}, "version: must be 1, not 2"),
        ({**GOOD, "timezone": "Seoul"}, "timezone: 'Seoul' is not an IANA time zone"),
        ({**GOOD, "source": {"encoding": "klingon"}}, "source.encoding: unknown encoding"),
        ({**GOOD, "source": {"delimiter": ",,"}}, "source.delimiter: must be one character"),
        ({**GOOD, "source": {"format": "xlsx"}}, "source.format: must be one of"),
        ({**GOOD, "fields": GOOD["fields"][1:]}, "fields: USER_ID is required"),
        (_with_fields({"name": "USER_ID", "column": "x"}), "USER_ID is mapped more than once"),
        (_with_fields({"name": "PRICE", "column": "p"}), "fields[3] (PRICE).type: must be one of"),
        (
            _with_fields({"name": "EVENT_VALUE", "column": "q", "type": "int"}),
            "fields[3] (EVENT_VALUE).type: EVENT_VALUE has a fixed type",
        ),
        (
            _with_fields({"name": "EVENT_VALUE", "column": "q", "unit": "seconds"}),
            "format/unit apply to TIMESTAMP and CREATION_TIMESTAMP only",
        ),
        (
            _with_fields({"name": "EVENT_TYPE", "column": "e", "constant": "View"}),
            "give exactly one of column (a raw column) or constant",
        ),
        (
            _with_fields({"name": "EVENT_TYPE", "column": "e", "values": {"1": ""}}),
            "fields[3] (EVENT_TYPE).values: must map raw text to non-empty output text",
        ),
        (
            _with_fields({"name": "GENRE", "column": "g", "type": "float", "split": ","}),
            "fields[3] (GENRE).split: only for categorical fields",
        ),
        (
            _with_fields({"name": "CREATION_TIMESTAMP", "column": "c"}),
            "CREATION_TIMESTAMP is not a field of a interactions dataset",
        ),
        (_with_fields({"name": "1BAD", "column": "c"}), "fields[3].name: must be a field name"),
        (_with_fields({"name": "GENRE", "column": "", "type": "categorical"}), "column: must be"),
    ],
)
def test_each_problem_is_named(doc, expected):
    problems = _problems(doc)
    assert any(expected in p for p in problems), problems


def test_every_problem_is_reported_at_once():
    doc = {**GOOD, "version": 0, "timezone": "Mars/Olympus"}
    doc["fields"] = [*GOOD["fields"], {"name": "PRICE", "column": "p", "unit": "days"}]
    problems = _problems(doc)
    # version, timezone, PRICE type, unit on a non-timestamp, unit value
    assert len(problems) == 5, problems


def test_unknown_dataset_type_and_bad_json():
    assert _problems({**GOOD, "dataset_type": "orders"}) == [
        "dataset_type: must be one of interactions, items, users"
    ]
    with pytest.raises(MappingError, match="not JSON"):
        load_mapping("{not json")
    assert json.loads(parse_mapping(GOOD).to_json())["fields"][3] == {
        "name": "EVENT_TYPE",
        "constant": "Purchase",
    }
