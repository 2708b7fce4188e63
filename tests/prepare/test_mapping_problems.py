"""A bad mapping's own problems: English for the CLI as before, and the same templates in the
reader's language for the pages (issue #21). Three real bad mappings of the corpus's Korean
export (tests/data/raw/mappings/korean_headers_cp949.json): TIMESTAMP left out, USER_ID's
column key misspelt, a metadata field with a type Personalize does not have. Expected strings
written by hand (the Korean from messages.po, its particles as services.i18n.particles picks
them after a Latin word: TIMESTAMP이, 'strng'은)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.i18n import use_language
from services.prepare import MappingError, parse_mapping
from services.prepare.mapping_problems import Kind, MappingProblem, problem

DOC = json.loads(
    (Path(__file__).resolve().parents[1] / "data/raw/mappings/korean_headers_cp949.json").read_text(
        encoding="utf-8"
    )
)
TYPES = "categorical, textual, string, int, long, float, double, boolean"


def no_timestamp() -> dict[str, Any]:
    return {**DOC, "fields": [f for f in DOC["fields"] if f["name"] != "TIMESTAMP"]}


def misspelt_column() -> dict[str, Any]:
    return {**DOC, "fields": [{"name": "USER_ID", "colum": "회원ID"}, *DOC["fields"][1:]]}


def bad_type() -> dict[str, Any]:
    return {
        **DOC,
        "fields": [*DOC["fields"], {"name": "CHANNEL", "column": "구분", "type": "strng"}],
    }


CASES = [
    (
        no_timestamp,
        "invalid mapping: fields: TIMESTAMP is required for a interactions dataset",
        "잘못된 매핑: fields: 상호작용 데이터셋에는 TIMESTAMP이 필요합니다",
    ),
    (
        misspelt_column,
        "invalid mapping: fields[0] (USER_ID): unknown keys ['colum']; fields[0] (USER_ID): "
        "give exactly one of column (a raw column) or constant",
        "잘못된 매핑: fields[0] (USER_ID): 알 수 없는 키 ['colum']; fields[0] (USER_ID): "
        "column(원본 열)과 constant 중 정확히 하나만 지정하세요",
    ),
    (
        bad_type,
        f"invalid mapping: fields[5] (CHANNEL).type: must be one of {TYPES}, not 'strng'",
        f"잘못된 매핑: fields[5] (CHANNEL).type: {TYPES} 중 하나여야 합니다. 'strng'은 쓸 "
        "수 없습니다",
    ),
]


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    use_language("en")


def _refusal(doc: dict[str, Any]) -> MappingError:
    with pytest.raises(MappingError) as caught:
        parse_mapping(doc)
    return caught.value


@pytest.mark.parametrize(("build", "cli", "korean"), CASES)
def test_a_bad_mapping_reads_in_korean_and_the_cli_keeps_its_english(
    build: Any, cli: str, korean: str
) -> None:
    err = _refusal(build())
    assert str(err) == cli
    assert err.in_language() == cli  # an English reader reads the CLI's words
    use_language("ko")
    assert err.in_language() == korean
    assert str(err) == cli  # the CLI's text does not follow the reader
    assert "; ".join(err.problems_in_language()) == korean.removeprefix("잘못된 매핑: ")


def test_a_problem_given_as_text_is_shown_as_it_is() -> None:
    use_language("ko")
    err = MappingError(["the saved mapping is for items, not interactions"])
    assert err.in_language() == "잘못된 매핑: the saved mapping is for items, not interactions"


def test_a_problem_made_without_its_values_fails_where_it_is_made() -> None:
    with pytest.raises(KeyError):
        problem("fields", Kind.REQUIRED_FIELD, name="USER_ID")  # no dataset_type
    assert str(MappingProblem("", Kind.NOT_OBJECT)) == "the document must be a JSON object"
