"""A bad mapping given to Data › Prepare (its saved-mapping box) or to Operations › Refresh (its
mapping box) is refused in the reader's language, the document's paths and values as written,
and a saved mapping's column the file lacks is named at its field (issue #21). The mappings are
the real bad ones of tests/prepare/test_mapping_problems.py; expected strings written by hand
from messages.po."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.i18n import use_language
from tests.dashboard.conftest import Seeded, page_in
from tests.dashboard.rendered import shown
from tests.dashboard.test_prepare import RAW
from tests.prepare.test_mapping_problems import CASES, DOC, bad_type, no_timestamp

CLI = {build: cli for build, cli, _korean in CASES}
KOREAN = {build: korean for build, _cli, korean in CASES}


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    use_language("en")


def _upload(at: AppTest, key: str, doc: dict[str, Any]) -> None:
    at.file_uploader(key=key).set_value(("m.json", json.dumps(doc).encode(), "application/json"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("ko", "이 파일을 사용할 수 없습니다: " + KOREAN[no_timestamp]),
        ("en", "Cannot use this file: " + CLI[no_timestamp]),
    ],
)
def test_the_prepare_tab_refuses_a_saved_mapping_in_the_readers_language(
    seeded: Seeded, language: str, said: str
) -> None:
    at = page_in(language, "dashboard/pages/data.py")
    at.file_uploader(key="prepare_interactions_file").set_value(
        (RAW.name, RAW.read_bytes(), "text/csv")
    ).run()
    _upload(at, "prepare_mapping_file", no_timestamp())
    errors = [shown(e.value) for e in at.error]
    assert said in errors, errors


@pytest.mark.parametrize(
    ("language", "build", "said"),
    [
        ("ko", bad_type, KOREAN[bad_type]),
        ("en", bad_type, CLI[bad_type]),
        ("ko", no_timestamp, KOREAN[no_timestamp]),
    ],
)
def test_the_refresh_tab_refuses_a_mapping_in_the_readers_language(
    seeded: Seeded, language: str, build: Callable[[], dict[str, Any]], said: str
) -> None:
    raw = Settings.from_env().data_dir / "s3" / "bucket" / "raw" / "orders.csv"
    raw.parent.mkdir(parents=True)
    shutil.copyfile(RAW, raw)
    at = page_in(language, "dashboard/pages/operations.py")
    at.text_input(key="refresh_data").input("s3://bucket/raw/orders.csv").run()
    _upload(at, "refresh_mapping", build())
    assert [shown(e.value) for e in at.error] == [said]
    assert at.button(key="refresh_button").disabled


@pytest.mark.parametrize(
    ("language", "warned", "error"),
    [
        (
            "ko",
            "매핑이 USER_ID를 '회원번호' 열에서 읽지만 이 파일에는 그 열이 없습니다. "
            "열을 고르세요.",
            "매핑 오류: fields: 상호작용 데이터셋에는 USER_ID가 필요합니다",
        ),
        (
            "en",
            "The mapping reads USER_ID from the column '회원번호', which this file does not have: "
            "pick its column.",
            "Mapping: fields: USER_ID is required for a interactions dataset",
        ),
    ],
)
def test_a_saved_mapping_reading_a_column_the_file_lacks_says_which(
    seeded: Seeded, language: str, warned: str, error: str
) -> None:
    """The saved mapping's USER_ID reads 회원번호; the export's header is 회원ID,상품코드,…
    The editor cannot offer that column, says so at the field, and the mapping stays refused
    (USER_ID required) until a column is picked. Particles as services.i18n.particles reads
    "ID" (아이디: 를, 가)."""
    doc = {**DOC, "fields": [{"name": "USER_ID", "column": "회원번호"}, *DOC["fields"][1:]]}
    at = page_in(language, "dashboard/pages/data.py")
    at.file_uploader(key="prepare_interactions_file").set_value(
        (RAW.name, RAW.read_bytes(), "text/csv")
    ).run()
    _upload(at, "prepare_mapping_file", doc)
    assert warned in [shown(w.value) for w in at.warning]
    assert error in [shown(e.value) for e in at.error]
