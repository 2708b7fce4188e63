"""Suggestions from names and values, checked against the hand-written corpus mappings."""

import pandas as pd
import pytest

from services.prepare import MappingError, convert, load_mapping, parse_mapping, suggest_mapping

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


@pytest.mark.parametrize("kind", ["interactions", "items", "users"])
@pytest.mark.parametrize("stem", CASES)
def test_a_suggestion_always_passes_its_own_validator(stem, kind):
    """Every corpus file as every dataset type: a mapping parse_mapping accepts, or an error
    saying why the file does not look like that type, never a field the type lacks."""
    try:
        suggestion = suggest_mapping(raw_file(stem), kind)
    except MappingError as err:
        assert all(f"does not look like {('an' if kind[0] in 'aeiou' else 'a')} {kind} file" in p
                   for p in err.problems), err.problems  # fmt: skip
        return
    assert parse_mapping(suggestion.mapping.to_dict()) == suggestion.mapping


def test_schema_fields_limit_the_suggestion_and_say_what_was_left_out():
    raw = raw_file("korean_headers_cp949")
    s = suggest_mapping(raw, "interactions", schema_fields=["USER_ID", "ITEM_ID", "TIMESTAMP"])
    assert [f.name for f in s.mapping.fields] == ["USER_ID", "ITEM_ID", "TIMESTAMP"]
    assert len(s.unmapped) == 2
    assert any(u.startswith("'구분' left unmapped: it looks like EVENT_TYPE") for u in s.unmapped)
    assert any(u.startswith("'수량' left unmapped: it looks like EVENT_VALUE") for u in s.unmapped)
    users = suggest_mapping(
        raw_file("users_euc_kr"), "users", schema_fields=["USER_ID", "AGE_GROUP"]
    )
    assert [f.name for f in users.mapping.fields] == ["USER_ID", "AGE_GROUP"]
    assert any("GENDER is not in the target dataset's schema" in u for u in users.unmapped)


def test_web_address_columns_are_suggested_as_whole_strings_never_split(tmp_path):
    """Trial s13: IMAGE_URL (a known metadata name) was suggested categorical, split on "/",
    and prepared as "https:|img.example.kr|P0001.jpg". Any column of http(s) addresses, known
    name or not, is now a plain string that converts unchanged."""
    raw = tmp_path / "items.csv"
    rows = [
        f"P{i:04d},냄비 {i},주방용품/냄비,"
        + ("" if i % 4 == 0 else f"https://img.example.kr/P{i:04d}.jpg")
        + f",HTTP://shop.example.kr/p/{i}"
        for i in range(1, 41)
    ]
    raw.write_text(
        "상품코드,상품명,카테고리,IMAGE_URL,PAGE_LINK\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    suggestion = suggest_mapping(raw, "items")
    for name in ("IMAGE_URL", "PAGE_LINK"):
        field = suggestion.mapping.get(name)
        assert (field.type, field.split) == ("string", None), field
    # the category column is still split: "/" separates categories there, not an address
    assert suggestion.mapping.get("CATEGORY").split == "/"
    assert any("IMAGE_URL ← 'IMAGE_URL' (web addresses" in n for n in suggestion.notes)
    out = tmp_path / "out.csv"
    convert(raw, suggestion.mapping, out)
    prepared = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert prepared["IMAGE_URL"].tolist()[:4] == [
        "https://img.example.kr/P0001.jpg",
        "https://img.example.kr/P0002.jpg",
        "https://img.example.kr/P0003.jpg",
        "",  # every fourth item has none
    ]
    assert prepared["PAGE_LINK"].iloc[0] == "HTTP://shop.example.kr/p/1"
