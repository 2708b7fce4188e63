"""A Korean shop's own export: won prices with ￦/₩/원, 상품명 as the item's name, and times
read in Korea's zone unless the file or the person says otherwise (issue #21)."""

from pathlib import Path

import pandas as pd
import pytest

from services.prepare import convert, suggest_mapping
from services.prepare.converters import parse_numbers

# As a Korean spreadsheet exports it: CP949 (which has the full-width won sign U+FFE6, not
# U+20A9), prices with the sign, thousands separators and 원.
ITEMS = (
    "상품코드,상품명,카테고리,판매가,등록일\n"
    'P1,반팔 티셔츠,상의,"￦39,000원",2024-01-10\n'
    'P2,청바지,하의,"￦129,000",2024-02-01\n'
    "P3,운동화,신발,59000원,2024-03-05\n"
    'P4,양말,잡화,"1,500",2024-03-06\n'
)


def _export(tmp_path: Path, text: str, encoding: str = "cp949") -> Path:
    path = tmp_path / "상품목록.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_won_prices_read_as_numbers() -> None:
    text = pd.Series(["￦39,000원", "₩129,000", "59000원", "1,500", "KRW 2,000", "무료", ""])
    got = parse_numbers(text)
    # by hand: the sign and 원 dropped, the thousands separators removed
    assert got[:5].tolist() == [39000.0, 129000.0, 59000.0, 1500.0, 2000.0]
    assert pd.isna(got[5]) and pd.isna(got[6])


def test_a_cp949_product_master_is_suggested_as_a_korean_shop_means_it(tmp_path: Path) -> None:
    path = _export(tmp_path, ITEMS)
    suggestion = suggest_mapping(path, "items")
    assert suggestion.layout.encoding == "cp949"
    fields = {f.name: f for f in suggestion.mapping.fields}
    assert fields["ITEM_ID"].column == "상품코드"
    # the price is a number, not a category split on the thousands separator
    assert fields["PRICE"].column == "판매가" and fields["PRICE"].type == "int"
    assert fields["PRICE"].split is None
    # 상품명 is the item's name: a plain string, neither a category nor the textual field
    assert fields["ITEM_NAME"].column == "상품명" and fields["ITEM_NAME"].type == "string"
    assert fields["CATEGORY"].type == "categorical"
    assert suggestion.mapping.timezone == "Asia/Seoul"
    assert "Korean export" in suggestion.timezone_note
    out = tmp_path / "items.csv"
    convert(path, suggestion.mapping, out)
    prepared = pd.read_csv(out)
    assert prepared["PRICE"].tolist() == [39000, 129000, 59000, 1500]
    assert prepared["ITEM_NAME"].tolist() == ["반팔 티셔츠", "청바지", "운동화", "양말"]


def test_the_item_name_goes_to_the_name_field_the_schema_has(tmp_path: Path) -> None:
    path = _export(tmp_path, ITEMS)
    fields = ["ITEM_ID", "NAME", "CATEGORY", "PRICE"]
    mapping = suggest_mapping(path, "items", schema_fields=fields).mapping
    assert {f.name: f.column for f in mapping.fields}["NAME"] == "상품명"


@pytest.mark.parametrize(
    ("fallback", "expected"), [("UTC", "UTC"), ("Europe/Berlin", "Europe/Berlin")]
)
def test_an_export_that_does_not_say_takes_the_fallback_zone(
    tmp_path: Path, fallback: str, expected: str
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("user_id,item_id,timestamp\nu1,i1,2024-01-10 10:00:00\n", encoding="utf-8")
    suggestion = suggest_mapping(path, "interactions", fallback_timezone=fallback)
    assert suggestion.mapping.timezone == expected
    assert "does not say" in suggestion.timezone_note


def test_hangul_values_alone_make_a_korean_export_and_a_given_zone_wins(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "user_id,item_id,timestamp,event\nu1,i1,2024-01-10 10:00:00,구매\n", encoding="utf-8"
    )
    assert suggest_mapping(path, "interactions").mapping.timezone == "Asia/Seoul"
    given = suggest_mapping(path, "interactions", timezone="America/New_York").mapping
    assert given.timezone == "America/New_York"
