"""A rejected row's reason is English data (the rejects file keeps it) and reads in the
reader's language on the pages, from its kind: trial s13b saw "1,767 TIMESTAMP is not a
date-time or an epoch number" in the middle of a Korean sentence."""

from __future__ import annotations

import pandas as pd
import pytest

from services.i18n import use_language
from services.prepare import reject_reasons as rr
from services.prepare.convert import convert
from services.prepare.mapping import parse_mapping
from tests.prepare.test_mapping import GOOD

# Every kind with values, the English written by hand (the wording of the rejects files under
# tests/data/raw/expected) and the Korean from messages.po, filled in by hand.
KINDS = [
    (rr.EMPTY, {"field": "USER_ID"}, "USER_ID is empty", "USER_ID 값이 비어 있습니다"),
    (
        rr.TOO_LONG,
        {"field": "ITEM_ID", "limit": 256},
        "ITEM_ID is longer than 256 characters",
        "ITEM_ID 값이 256자보다 깁니다",
    ),
    (
        rr.NOT_IN_VALUES,
        {"field": "EVENT_TYPE"},
        "EVENT_TYPE value is not in the mapping's values",
        "EVENT_TYPE 값이 매핑의 값 목록에 없습니다",
    ),
    (rr.NOT_NUMBER, {"field": "PRICE"}, "PRICE is not a number", "PRICE 값이 숫자가 아닙니다"),
    (rr.NOT_WHOLE, {"field": "AGE"}, "AGE is not a whole number", "AGE 값이 정수가 아닙니다"),
    (
        rr.NOT_BOOLEAN,
        {"field": "IS_NEW"},
        "IS_NEW is not true/false",
        "IS_NEW 값이 true/false가 아닙니다",
    ),
    (
        rr.NOT_DATETIME,
        {"field": "TIMESTAMP"},
        "TIMESTAMP is not a date-time or an epoch number",
        "TIMESTAMP 값이 날짜·시간도 epoch 숫자도 아닙니다",
    ),
    (
        rr.BEFORE_1970,
        {"field": "TIMESTAMP"},
        "TIMESTAMP is before 1970",
        "TIMESTAMP 값이 1970년 이전입니다",
    ),
    (
        rr.BLANK_ROW,
        {},
        "blank row (no value in any mapped column)",
        "빈 행(매핑한 열에 값이 하나도 없음)",
    ),
    (rr.BLANK_LINE, {}, "blank line", "빈 줄"),
    (
        rr.MALFORMED,
        {"fields": 5, "width": 4},
        "malformed row: 5 fields, the header has 4",
        "형식이 잘못된 행: 필드가 5개인데 헤더는 4개",
    ),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _english_after() -> object:
    yield
    use_language("en")


@pytest.mark.parametrize(("code", "values", "english", "korean"), KINDS)
def test_each_kind_reads_back_from_its_english_and_in_korean(
    code: str, values: dict, english: str, korean: str
) -> None:
    assert rr.reject_reason(code, **values) == english
    assert rr.reason_code(english) == (code, {k: str(v) for k, v in values.items()})
    use_language("ko")
    assert rr.reason_in_language(english) == korean  # read from the text (an older run)
    assert rr.reason_in_language("ignored", code, values) == korean  # from the stored code
    use_language("en")
    assert rr.reason_in_language(english) == english


def test_every_kind_is_covered_here() -> None:
    assert {k[0] for k in KINDS} == set(rr._TEMPLATES)


def test_a_reason_it_did_not_write_is_shown_as_it_is() -> None:
    use_language("ko")
    assert rr.reason_in_language("the export's own words") == "the export's own words"
    assert rr.reason_in_language("x", "a code from a newer worker", {}) == "x"
    # a stored code without the values its template needs
    assert rr.reason_in_language("TIMESTAMP is empty", rr.EMPTY, {}) == "TIMESTAMP is empty"
    assert rr.reason_code("TIMESTAMP is empty, and more") is None


def test_the_converter_writes_the_kinds_in_english(tmp_path) -> None:
    """A conversion's counts (and its rejects file) keep the English; each reads back as its
    kind. Rows: one good, one empty USER_ID, one unreadable time, one before 1970."""
    raw = tmp_path / "raw.csv"
    raw.write_text(
        "회원ID,상품코드,주문일시\nu1,i1,2024-03-05 10:00:00\n,i2,2024-03-05 10:00:00\n"
        "u3,i3,2026/31/31 25:61\nu4,i4,1960-01-01 00:00:00\n",
        encoding="utf-8",
    )
    mapping = parse_mapping(GOOD)  # its EVENT_TYPE is a constant
    result = convert(raw, mapping, tmp_path / "out.csv")
    assert dict(result.rejects) == {
        "USER_ID is empty": 1,
        "TIMESTAMP is not a date-time or an epoch number": 1,
        "TIMESTAMP is before 1970": 1,
    }
    assert sorted(rr.reason_code(r)[0] for r in result.rejects) == sorted(
        [rr.EMPTY, rr.NOT_DATETIME, rr.BEFORE_1970]
    )
    rejects = pd.read_csv(result.rejects_path)
    assert list(rejects["reason"]) == list(result.rejects)  # lines 3, 4, 5 in file order
