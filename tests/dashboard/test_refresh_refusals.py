"""The Refresh tab's refusals of its data options, in the reader's language and without the
CLI's flags; the rule is RefreshOptions' (one copy), the words the page's. Expected texts are
messages.po's, filled in by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from dashboard.components.operations.refresh_refusals import option_error
from services.i18n import use_language
from services.pipeline import DataSource, RefreshOptions
from services.pipeline.options import OptionError, parse_sources
from services.prepare import MappingError
from tests.pipeline.test_prepare_data import MAPPING

UPLOAD = "Upload a raw export"


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    use_language("en")


def _refusal(build: Callable[[], object]) -> OptionError:
    with pytest.raises(OptionError) as caught:
        build()
    return caught.value


CASES = [
    (
        lambda: RefreshOptions(data=(DataSource.parse("foo=s3://b/x.csv"),)),
        "dataset type must be one of INTERACTIONS, ITEMS, USERS, not 'FOO'",
        # FOO, an acronym read letter by letter, ends in 오 (a vowel): 는; shown as typed
        "FOO는 데이터셋 유형이 아닙니다. = 앞에 INTERACTIONS, ITEMS, USERS 중 하나를 "
        "쓰거나(items=s3://bucket/items.csv), 상호작용 데이터는 위치만 쓰세요.",
    ),
    (
        lambda: RefreshOptions(data=(DataSource("s3://b/items.csv", "ITEMS", dict(MAPPING)),)),
        "the mapping is for interactions, but s3://b/items.csv goes into Items",
        # csv, a loanword ending in v (a vowel): 는
        "이 매핑은 상호작용용인데 s3://b/items.csv는 상품에 들어갑니다. 그 데이터셋의 매핑을 "
        "주거나 위치 앞에 유형을 쓰세요(items=s3://…).",
    ),
    (
        lambda: RefreshOptions(data=(DataSource("s3://b/a.csv"), DataSource("s3://b/b.csv"))),
        "give at most one data location per dataset type",
        "데이터셋 유형마다 데이터 위치는 하나만 주세요.",
    ),
    (
        lambda: parse_sources([], [MAPPING]),
        "--mapping for interactions has no --data location",
        "상호작용 매핑으로 변환할 데이터가 없습니다. ‘먼저 가져올 데이터 (선택)’에 원본 내보내기 "
        "파일의 위치를 쓰거나 파일을 업로드하세요.",
    ),
]


@pytest.mark.parametrize(("build", "cli", "korean"), CASES)
def test_a_refused_option_reads_in_korean_and_the_cli_keeps_its_english(
    build: Callable[[], object], cli: str, korean: str
) -> None:
    err = _refusal(build)
    assert str(err) == cli  # the CLI's usage error, as before
    use_language("ko")
    assert option_error(err, UPLOAD) == korean
    assert "--" not in korean


def test_a_refusal_without_a_code_is_shown_as_it_says_itself() -> None:
    err = ValueError("invalid mapping: fields: must be a non-empty list")
    assert option_error(err, UPLOAD) == str(err)


def test_a_mappings_own_error_reads_in_korean() -> None:
    """The mapping is checked with the options: its problems come through their templates."""
    with pytest.raises(MappingError) as caught:
        RefreshOptions(data=parse_sources(["s3://b/orders.csv"], [{**MAPPING, "fields": []}]))
    assert str(caught.value) == "invalid mapping: fields: must be a non-empty list"
    use_language("ko")
    assert (
        option_error(caught.value, UPLOAD)
        == "잘못된 매핑: fields: 비어 있지 않은 목록이어야 합니다"
    )
