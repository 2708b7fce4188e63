"""Operations › Refresh in Korean and English (trial s13b, MAJOR 1–3; trial s13 finding 10).

A night's raw export is uploaded from the page (no copying into the engine's folder by hand) and
refused for its rejected rows with a reason wholly in the reader's language, naming the page's
field; a group without a campaign is refused at its field before a run starts; the options'
refusals (a mapping without data, a local path) read in the reader's language; and in local
mode the page says where ``s3://BUCKET/KEY`` is. Expected texts are messages.po's, filled in
by hand.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.datasets.snapshot import LocalObjects
from services.i18n import use_language
from services.personalize.clients import build_clients
from services.pipeline import RUNNING, RunStore
from tests.dashboard.conftest import APP, TIMEOUT, Seeded
from tests.dashboard.rendered import shown
from tests.local.workspace import wait_for
from tests.pipeline.test_prepare_data import MAPPING as PREPARED_MAPPING

UPLOAD = "Upload a raw export"  # the data field's choice (its English value)
# the corpus's Korean mapping (CP949; 회원ID, 상품코드, 주문일시 in Asia/Seoul, 구분), without the
# EVENT_VALUE the seeded shop's schema lacks
MAPPING = PREPARED_MAPPING
# 10 rows, 4 of them with trial s13's unreadable time: 4 of 10 rejected (40%), over the 1%
NIGHT = "회원ID,상품코드,주문일시,구분\n" + "".join(
    f"회원{i:03},상품{i:03},{'2026/31/31 25:61' if i % 5 < 2 else '2026-12-07 10:00:00'},조회\n"
    for i in range(10)
)


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    use_language("en")


def _operations(language: str) -> AppTest:
    """Operations in ``language``; this thread speaks it too: AppTest formats the widgets'
    values with the page's format_func here (see test_korean_pages.open_in_korean)."""
    use_language(language)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["language"] = language
    at.run()
    at.switch_page("dashboard/pages/operations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


def _reason(language: str, path: str) -> str:
    if language == "ko":
        return (
            "상호작용 데이터 확인: 10행 중 4행 거부(40%): 4 TIMESTAMP 값이 날짜·시간도 epoch "
            f"숫자도 아닙니다. 거부된 행: {path}. 실행이 허용하는 1%를 넘어서 아무것도 "
            "가져오지 않았습니다. 내보내기 파일(또는 매핑)을 고친 뒤 다시 실행하거나, 이 행들을 "
            "버려도 된다면 한도(새로 고침 탭의 ‘거부 행 최대 비율 (%)’)를 올리세요. 캠페인은 "
            "이전 버전을 계속 서비스합니다."
        )
    return (
        "Check the interactions data: 4 of 10 rows rejected (40%): 4 TIMESTAMP is not a "
        f"date-time or an epoch number; rejects in {path}. That is more than the 1% a run "
        "accepts, so nothing was imported: fix the export (or its mapping) and run again, or "
        "raise the limit (“Largest share of rejected rows (%)” on the Refresh tab) if these "
        "rows are meant to go. Campaigns keep serving their previous versions."
    )


@pytest.mark.parametrize("language", ["ko", "en"])
def test_an_uploaded_night_refused_for_its_rejected_rows_reads_in_the_readers_language(
    seeded: Seeded, language: str
) -> None:
    at = _operations(language)
    at.radio(key="refresh_data_source").set_value(UPLOAD).run()
    at.file_uploader(key="refresh_data_upload_file").set_value(
        ("night.csv", NIGHT.encode("cp949"), "text/csv")
    )
    at.file_uploader(key="refresh_mapping").set_value(
        ("m.json", json.dumps(MAPPING).encode(), "application/json")
    )
    at.run()
    assert not _errors(at), _errors(at)
    at.button(key="refresh_button").click().run()
    at.button(key="refresh_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    run_id = at.session_state["refresh_run"]
    runs = RunStore(Settings.from_env().dashboard_db_url)
    deadline = time.monotonic() + 60
    while (run := runs.get(run_id)).status == RUNNING and time.monotonic() < deadline:
        time.sleep(0.2)
    assert run.status == "FAILED"
    # the refresh ran on the uploaded file, stored where the local engine's S3 reads it
    (source,) = run.options["data"]
    local = LocalObjects(Settings.from_env().data_dir / "s3").path(source["location"])
    assert local.read_bytes() == NIGHT.encode("cp949")
    assert run.step("import:INTERACTIONS") is None  # refused before any import
    # stored in English for the CLI and the audit, naming the flag, whatever the page's language
    assert run.reason.startswith("Check the interactions data: 4 of 10 rows rejected (40%)")
    assert "(--max-rejected) if these rows are meant to go. Campaigns keep" in run.reason
    path = run.step("check:INTERACTIONS").detail["rejected_rows"]["rejects_path"]
    st.cache_data.clear()  # what the reads' 2-second TTL does before the next look
    at.run()
    expected = _reason(language, path)
    captions = [shown(c.value) for c in at.caption]
    assert expected in captions, [c for c in captions if "TIMESTAMP" in c]  # the run's box
    history = next(d.value for d in at.dataframe if list(d.value.iloc[:, 0]) == [run_id])
    assert history.iloc[0, -1] == expected  # Past runs' reason column
    assert "--max-rejected" not in expected


def _bare_group() -> None:
    """A dataset group with no solution and no campaign."""
    p = build_clients(Settings.from_env()).personalize
    arn = p.create_dataset_group(name="bare")["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=arn), "datasetGroup")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ko",
            # trial s14 (finding 5): the solutions field is empty, so not sent there
            "bare에는 아직 학습할 솔루션이 없습니다. 이 페이지의 :material/add_circle: 새 솔루션 "
            "탭에서 솔루션을 만든 뒤 새로 고치세요.",
        ),
        (
            "en",
            "bare has no solution to train yet: create one on the :material/add_circle: New "
            "solution tab of this page, then refresh.",
        ),
    ],
)
def test_a_group_without_a_campaign_is_refused_at_its_field_before_a_run(
    seeded: Seeded, language: str, expected: str
) -> None:
    """Trial s13b: the button was enabled and the run failed after starting, in English,
    naming --solution. Trial s14: with no solution at all the note named the (empty)
    solutions field; it names the New solution tab (its label, as the tab shows it)."""
    _bare_group()
    at = _operations(language)
    assert not at.button(key="refresh_button").disabled  # the seeded shop has campaigns
    group = at.selectbox(key="refresh_group")
    bare = next(o for o in group.options if o.endswith("bare"))
    group.set_value(bare).run()
    assert [shown(w.value) for w in at.warning if "bare" in shown(w.value)] == [expected]
    assert at.button(key="refresh_button").disabled
    assert RunStore(Settings.from_env().dashboard_db_url).history() == []


@pytest.mark.parametrize(
    ("language", "without_data", "local_path"),
    [
        (
            "ko",
            "상호작용 매핑으로 변환할 데이터가 없습니다. ‘먼저 가져올 데이터 (선택)’에 원본 "
            "내보내기 파일의 위치를 쓰거나 파일을 업로드하세요.",
            # "csv" read as a loanword ends in v (a vowel): 는
            "/tmp/night.csv는 S3 위치가 아닙니다. Personalize는 s3://BUCKET/KEY에서 "
            "가져옵니다. 대신 ‘원본 내보내기 파일 업로드’로 파일을 올리거나, 파일을 S3에 두고 그 "
            "s3:// 위치를 쓰세요.",
        ),
        (
            "en",
            "The mapping for Interactions has no data to prepare: give the raw export's "
            "location in “Data to import first (optional)”, or upload the file.",
            "/tmp/night.csv is not an S3 location: Personalize imports from s3://BUCKET/KEY. "
            "Upload the file with “Upload a raw export” instead, or put it in S3 and write its "
            "s3:// location.",
        ),
    ],
)
def test_refused_options_read_in_the_readers_language_without_cli_flags(
    seeded: Seeded, language: str, without_data: str, local_path: str
) -> None:
    """Trial s13b: a CSV dropped on the mapping box, then "--mapping for interactions has no
    --data location"; trial s13 (finding 10): a local path got "…a local raw export needs
    --mapping"."""
    at = _operations(language)
    # where s3://BUCKET/KEY is on this machine: the engine's own bucket folder
    root = (Settings.from_env().data_dir / "s3").resolve()
    hint = (
        f"로컬 엔진에서 `s3://BUCKET/KEY`는 이 컴퓨터의 파일 `{root}/BUCKET/KEY`입니다."
        if language == "ko"
        else f"Locally, `s3://BUCKET/KEY` is the file `{root}/BUCKET/KEY`."
    )
    captions = [shown(c.value) for c in at.caption]
    assert hint in captions, [c for c in captions if "BUCKET" in c]
    at.file_uploader(key="refresh_mapping").set_value(
        ("m.json", json.dumps(MAPPING).encode(), "application/json")
    )
    at.run()
    assert _errors(at) == [without_data]
    assert at.button(key="refresh_button").disabled
    at.file_uploader(key="refresh_mapping").set_value(None)
    at.text_input(key="refresh_data").input("/tmp/night.csv").run()
    assert _errors(at) == [local_path]
    assert at.button(key="refresh_button").disabled
