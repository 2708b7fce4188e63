"""The Data page's create forms and hints in Korean and English (issue #21, trial s13b): a
dataset type is named as the page names it (상품, 사용자), a made dataset's file leaves the
form with it, hints name the tab to go to by its label, and the missing event tracker points
at the setup file. Expected strings written by hand from the catalogue's translations, with
the real local engine behind boto3."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.i18n import use_language
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from tests.dashboard.conftest import APP, TIMEOUT, Seeded, page_in
from tests.dashboard.rendered import shown
from tests.local.workspace import interactions_schema, wait_for

DATA = "dashboard/pages/data.py"
MAPPINGS = Path(__file__).resolve().parents[1] / "data" / "raw" / "mappings"
ITEMS_MAPPING = (MAPPINGS / "product_master_multi_category.json").read_bytes()  # items


@pytest.fixture(autouse=True)
def english_after() -> None:
    yield
    use_language("en")


def _texts(at: AppTest) -> list[str]:
    kinds = ("error", "info", "caption", "success", "warning")
    return [shown(e.value) for kind in kinds for e in getattr(at, kind)]


def _confirm(at: AppTest, key: str) -> None:
    at.button(key=f"{key}_button").click().run()
    at.button(key=f"{key}_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]


def _new_group(at: AppTest, name: str) -> str:
    at.text_input(key="ng_name").input(name).run()
    at.selectbox(key="ng_domain").set_value(None).run()
    _confirm(at, "ng")
    raw = build_clients(Settings.from_env())
    facade = PersonalizeService(raw)
    (group,) = [g for g in facade.list_dataset_groups() if g.name == name]
    wait_for(
        lambda: raw.personalize.describe_dataset_group(datasetGroupArn=group.arn), "datasetGroup"
    )
    at.run()
    return group.arn


def _from_file(at: AppTest, key: str, name: str, content: bytes) -> None:
    at.text_input(key="nd_name").input(name).run()
    at.radio(key="nd_source").set_value("file").run()
    at.file_uploader(key=key).set_value(("schema.json", content, "application/json")).run()


@pytest.mark.parametrize(
    ("language", "mismatch", "no_import", "no_tracker"),
    [
        (
            "ko",
            "이 매핑은 사용자가 아니라 상품용입니다.",
            "kshop-interactions: 아직 가져온 데이터가 없습니다. “파일 점검 및 가져오기” 탭에서 "
            "파일을 점검하고 가져오세요.",
            "설정 파일에 `[[event_trackers]]` 항목(`name`, `dataset_group`)을 추가해 적용한 뒤"
            "(운영 › :material/description: 설정 파일, 또는 "
            "`python -m services.setup_file apply shop.toml`)",
        ),
        (
            "en",
            "The mapping is for Items, not Users.",
            "kshop-interactions: nothing imported yet. Check and import a file in the “Check & "
            "import a file” tab.",
            "add an `[[event_trackers]]` entry (`name`, `dataset_group`) to the setup file and "
            "apply it (Operations › :material/description: Setup file, or "
            "`python -m services.setup_file apply shop.toml`)",
        ),
    ],
)
def test_the_create_forms_name_types_and_tabs_in_the_readers_language(
    seeded: Seeded, language: str, mismatch: str, no_import: str, no_tracker: str
) -> None:
    at = page_in(language, DATA)
    _new_group(at, "kshop")
    assert at.selectbox(key="data_group").value == "kshop"
    # a group without an event tracker: the setup file is the way to one
    assert any(no_tracker in text for text in _texts(at)), _texts(at)

    at.selectbox(key="nd_type").set_value("Interactions").run()
    _from_file(at, "nd_file", "kshop-interactions", interactions_schema().encode())
    _confirm(at, "nd")
    # the summary above the tabs names the tab where a file is checked and imported
    assert no_import in _texts(at)

    # Items from a mapping: the form then moves on to Users with an empty uploader, so the
    # made dataset's mapping is not reported as a mapping of the wrong type.
    assert at.selectbox(key="nd_type").value == "Items"
    _from_file(at, "nd_file_1", "kshop-items", ITEMS_MAPPING)
    assert not [e.value for e in at.error]
    _confirm(at, "nd")
    assert at.selectbox(key="nd_type").value == "Users"
    assert at.radio(key="nd_source").value == "file"
    assert at.file_uploader(key="nd_file_2").value is None
    assert not [e.value for e in at.error]
    made = PersonalizeService(build_clients(Settings.from_env()))
    group = next(g for g in made.list_dataset_groups() if g.name == "kshop")
    kinds = {made.describe_dataset(d.arn).dataset_type for d in made.list_datasets(group.arn)}
    assert kinds == {"INTERACTIONS", "ITEMS"}

    # The items mapping given for Users is refused with both types named as the page names
    # them (사용자, 상품 in Korean; "users"/"items" lower-case before).
    at.text_input(key="nd_name").input("kshop-users").run()
    at.file_uploader(key="nd_file_2").set_value(
        ("items.json", ITEMS_MAPPING, "application/json")
    ).run()
    assert mismatch in [shown(e.value) for e in at.error]
    assert at.button(key="nd_button").disabled


def test_the_type_a_group_already_has_is_named_in_korean(seeded: Seeded) -> None:
    at = page_in("ko", DATA)
    at.selectbox(key="nd_type").set_value("Items").run()
    said = (
        "이 데이터셋 그룹에는 이미 상품 데이터셋이 있습니다. "
        "그룹에는 유형별로 하나씩만 둘 수 있습니다."
    )
    assert said in [shown(e.value) for e in at.error]


@pytest.mark.parametrize(
    ("language", "way"),
    [
        (
            "ko",
            "이 데이터셋 그룹에는 지표 어트리뷰션이 없고, 대시보드 페이지에서는 만들 수 없습니다. "
            "설정 파일에 `[[metric_attributions]]` 항목(지표, 역할, S3 출력 경로)을 추가해 "
            "적용한 뒤(운영 › :material/description: 설정 파일, 또는 "
            "`python -m services.setup_file apply shop.toml`)",
        ),
        (
            "en",
            "No metric attribution in this dataset group, and the pages do not create one: add "
            "a `[[metric_attributions]]` entry (its metrics, role and S3 output path) to the "
            "setup file and apply it (Operations › :material/description: Setup file, or "
            "`python -m services.setup_file apply shop.toml`)",
        ),
    ],
)
def test_a_group_without_metric_attribution_is_pointed_at_the_setup_file(
    seeded: Seeded, language: str, way: str
) -> None:
    """The seeded shop has no metric attribution (CreateMetricAttribution is never called)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["language"] = language
    at.run()
    at.switch_page("dashboard/pages/solutions.py").run()
    assert not at.exception
    assert any(shown(i.value).startswith(way) for i in at.info), [i.value for i in at.info]
