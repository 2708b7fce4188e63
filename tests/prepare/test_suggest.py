"""Suggestions from names and values, checked against the hand-written corpus mappings."""

import pandas as pd
import pytest

from services.prepare import convert, load_mapping, suggest_mapping

from .conftest import CASES, EXPECTED, MAPPINGS, raw_file


@pytest.mark.parametrize("stem", CASES)
def test_suggested_columns_match_the_hand_mapping(stem):
    hand = load_mapping(MAPPINGS / f"{stem}.json")
    suggestion = suggest_mapping(raw_file(stem), hand.dataset_type, timezone=hand.timezone)
    got = {f.name: f.column for f in suggestion.mapping.fields}
    for field in hand.fields:
        if field.column is not None:
            assert got.get(field.name) == field.column, suggestion.notes
    assert len(suggestion.notes) == len(suggestion.mapping.fields)


def test_korean_cp949_suggestion_converts_to_the_expected_file(tmp_path):
    stem = "korean_headers_cp949"
    suggestion = suggest_mapping(raw_file(stem), "interactions", timezone="Asia/Seoul")
    assert suggestion.layout.encoding == "cp949"
    assert suggestion.mapping.get("EVENT_TYPE").values == {
        "조회": "View",
        "장바구니": "AddToCart",
        "구매": "Purchase",
    }
    out = tmp_path / "out.csv"
    convert(raw_file(stem), suggestion.mapping, out)
    pd.testing.assert_frame_equal(
        pd.read_csv(out, dtype=str), pd.read_csv(EXPECTED / f"{stem}.csv", dtype=str)
    )


def test_suggestion_reads_units_formats_and_metadata_types():
    ms = suggest_mapping(raw_file("epoch_milliseconds"), "interactions").mapping
    assert ms.get("TIMESTAMP").unit == "milliseconds"
    compact = suggest_mapping(raw_file("compact_dates_yyyymmddhhmmss"), "interactions").mapping
    assert compact.get("TIMESTAMP").format == "%Y%m%d%H%M%S"
    orders = suggest_mapping(raw_file("quantity_as_event_value"), "interactions").mapping
    assert orders.get("EVENT_TYPE").constant == "Purchase"
    items = suggest_mapping(raw_file("product_master_multi_category"), "items").mapping
    assert items.get("CATEGORY").type == "categorical" and items.get("CATEGORY").split == ">"
    assert items.get("DESCRIPTION").type == "textual"
    assert items.get("PRICE").type in ("int", "float")
    users = suggest_mapping(raw_file("users_euc_kr"), "users").mapping
    assert [f.name for f in users.fields] == ["USER_ID", "GENDER", "AGE_GROUP", "MEMBERSHIP"]
