"""Data page: rows stored against distinct events, and a file imported INCREMENTAL again.

The seeded workspace (tests/dashboard/conftest.py) holds 60 users × 30 bulk views, all
distinct (tests/local/workspace.py: each user's times step by 10 s), plus 12 users × 5
streamed views sent today (no bulk row is from today): 1,800 + 60 = 1,860 distinct events.
Importing the seeded bulk file again stores its 1,800 rows a second time: 3,660 rows, still
1,860 distinct events, 1,800 repeats.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import reads
from services.config import Settings
from services.i18n import use_language
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from tests.dashboard.conftest import Seeded, app_in
from tests.dashboard.rendered import shown
from tests.local.workspace import wait_for

PAGE = "dashboard/pages/data.py"

TEXT = {
    "en": {
        "all distinct": "1,860 rows stored, each a distinct event: training uses them all",
        "before": "1,800 of the file's 1,800 distinct events are already stored in this dataset",
        "after": "3,660 rows stored, 1,860 distinct events (1,800 exact repeats of an earlier "
        "row's USER_ID, ITEM_ID and TIMESTAMP are counted once in training)",
        "latest": "stored 1,800 rows, 1,800 of which the dataset already held",
        "column": "already stored",
        "cell": "1,800 of 1,800",
        "first cell": "0 of 1,800",
    },
    "ko": {
        "all distinct": "저장된 행 1,860개가 모두 서로 다른 이벤트이며, 학습에 모두 쓰입니다",
        "before": "파일의 서로 다른 이벤트 1,800건 중 1,800건이 이미 이 데이터셋에 저장되어 "
        "있습니다",
        "after": "저장된 행 3,660개, 서로 다른 이벤트 1,860건입니다(앞선 행과 USER_ID, ITEM_ID, "
        "TIMESTAMP가 모두 같은 중복 1,800건은 학습에서 한 번만 셉니다)",
        "latest": "저장한 행 1,800개 중 1,800개는 데이터셋에 이미 있던 행입니다",
        "column": "이미 저장됨",
        "cell": "1,800개 중 1,800개",
        "first cell": "1,800개 중 0개",
    },
}


def texts(at: AppTest) -> list[str]:
    return [shown(e.value) for kind in ("caption", "warning") for e in at.get(kind)]


def said(at: AppTest, text: str) -> bool:
    return any(text in t for t in texts(at))


@pytest.fixture(params=["en", "ko"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    """The page's language, also in this thread: AppTest formats a widget's value (the
    uploader's, the radio's) with the page's format_func here, not in the page's run."""
    use_language(request.param)
    try:
        yield request.param
    finally:
        use_language("en")


def test_a_file_imported_incremental_again_is_warned_of_and_counted_once(
    seeded: Seeded, language: str
) -> None:
    words = TEXT[language]
    service = PersonalizeService(build_clients(Settings.from_env()))
    at = app_in(PAGE, language)
    assert said(at, words["all distinct"]), texts(at)

    seeded_file = Path(Settings.from_env().data_dir) / "s3" / "bucket" / "shop" / "interactions.csv"
    at.file_uploader(key="readiness_file").set_value(
        ("again.csv", seeded_file.read_bytes(), "text/csv")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="readiness_mode").value == "INCREMENTAL"
    assert said(at, words["before"]), texts(at)
    # FULL replaces the data instead: nothing is stored twice, so nothing to warn of
    at.radio(key="readiness_mode").set_value("FULL").run()
    assert not said(at, words["before"])
    at.radio(key="readiness_mode").set_value("INCREMENTAL").run()

    before = {j.arn for j in service.list_import_jobs(seeded.interactions)}
    at.button(key="readiness_button").click().run()
    # the confirmation says it too, before anything is stored
    assert any(words["before"] in shown(m.value) for m in at.markdown)
    assert {j.arn for j in service.list_import_jobs(seeded.interactions)} == before
    at.button(key="readiness_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (job,) = [j for j in service.list_import_jobs(seeded.interactions) if j.arn not in before]
    done = wait_for(lambda: {"job": {"status": service.describe_import_job(job.arn).status}}, "job")
    assert done["status"] == "ACTIVE"

    reads.invalidate(data=True)  # the job finished after the page's own invalidation
    at = app_in(PAGE, language)
    assert said(at, words["after"]), texts(at)
    assert any(words["latest"] in shown(w.value) for w in at.warning), texts(at)
    table = next(d.value for d in at.dataframe if words["column"] in d.value.columns)
    assert table[words["column"]].tolist() == [words["cell"], words["first cell"]]
