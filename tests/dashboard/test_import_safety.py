"""Data page, check and prepare tabs on the seeded workspace (90 items, 1,800 bulk
interactions): the file check's number and formula rules as a new user meets them, and an
import mode that does not replace a catalogue by default."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.components.data import readiness_import
from services.config import Settings
from services.i18n import use_language
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.personalize.models import Dataset
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown

PAGE = "dashboard/pages/data.py"
SEEDED_ITEMS = 90  # tests/local/workspace.write_items
SEEDED_BULK = 60 * 30  # write_interactions: 60 users × 30 events, none repeated
# The trial's file: PRICE is a float (32-bit) in the seeded Items schema.
TRIAL = (
    "ITEM_ID,CATEGORY,PRICE,CREATION_TIMESTAMP\n"
    'i1,"=HYPERLINK(""http://x"")",1e308,1700000000\n'
    "i2,b,99999999999999999999999,1700000000\n"
    "i3,c,NaN,1700000000\n"
    "i4,d,-5,1700000000\n"
)
FOUR_ITEMS = "".join(
    ["ITEM_ID,CATEGORY,PRICE,CREATION_TIMESTAMP\n"]
    + [f"n{k},cat0,{5 + k},1700000000\n" for k in range(4)]
)


def _items_check(data: str) -> AppTest:
    at = app_at(PAGE)
    at.selectbox(key="readiness_ds").select_index(1).run()  # Interactions first, then Items
    at.file_uploader(key="readiness_file").set_value(("items.csv", data.encode(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _jobs(dataset_arn: str) -> set[str]:
    """The dataset's import jobs, read through boto3 from the engine."""
    service = PersonalizeService(build_clients(Settings.from_env()))
    return {j.arn for j in service.list_import_jobs(dataset_arn)}


def _dialog(at: AppTest) -> str:
    return " ".join(shown(m.value) for m in at.markdown)


def test_out_of_range_nan_negative_and_formula_cells_are_reported(seeded: Seeded) -> None:
    at = _items_check(TRIAL)
    assert not any("Ready to import" in shown(s.value) for s in at.success)
    (banner,) = [shown(e.value) for e in at.error]
    assert banner.startswith("2 errors block this import"), banner
    table = next(d.value for d in at.dataframe if "finding" in d.value.columns)
    rows = {r["finding"]: (r["severity"], r["example lines"]) for _, r in table.iterrows()}
    # 99999999999999999999999 (about 1e23, line 3) fits a float: only 1e308 overflows
    assert rows["PRICE has numbers too large for type float"] == ("✗ error", "2")
    assert rows["PRICE has values that are not numbers"] == ("✗ error", "4")
    assert rows["PRICE has negative values"] == ("! warning", "5")
    assert rows["CATEGORY has text that starts like a spreadsheet formula"] == ("! warning", "2")
    assert at.button(key="readiness_button").disabled


def test_items_with_data_default_to_incremental_and_full_says_what_it_replaces(
    seeded: Seeded,
) -> None:
    before = _jobs(seeded.items)
    at = _items_check(FOUR_ITEMS)
    assert at.radio(key="readiness_mode").value == "INCREMENTAL"
    at.button(key="readiness_button").click().run()
    assert "An INCREMENTAL import adds the rows of" in _dialog(at)
    at.button(key="readiness_cancel").click().run()
    at.radio(key="readiness_mode").set_value("FULL").run()
    at.button(key="readiness_button").click().run()
    assert (
        f"A FULL import replaces the {SEEDED_ITEMS} items now in **shop-items** with the 4 rows of"
        in _dialog(at)
    ), _dialog(at)
    assert _jobs(seeded.items) == before  # not confirmed


def test_the_full_confirmation_in_korean() -> None:
    # The page in Korean is walked by test_korean_pages; here the two counts in the sentence.
    items = Dataset("arn:items", "shop-items", "ITEMS", "ACTIVE")
    events = Dataset("arn:events", "shop-interactions", "INTERACTIONS", "ACTIVE")
    use_language("ko")
    try:
        said = {
            d.dataset_type: readiness_import._what_full_replaces(d, 500).format(
                dataset=d.name, uri="s3://b/f.csv", existing="500", new="4"
            )
            for d in (items, events)
        }
    finally:
        use_language("en")
    assert said["ITEMS"].startswith(
        "FULL 가져오기는 **shop-items**에 지금 있는 항목 500개를 s3://b/f.csv의 행 4개로 교체합니다"
    ), said
    assert said["INTERACTIONS"].startswith(
        "FULL 가져오기는 **shop-interactions**에 일괄로 가져온 행 500개를 s3://b/f.csv의 행 "
        "4개로 교체합니다"
    ), said


RAW = Path(__file__).resolve().parents[1] / "data" / "raw" / "korean_headers_cp949.csv"


def test_prepared_report_survives_the_mode_switch_and_the_confirm_appears(
    seeded: Seeded,
) -> None:
    before = _jobs(seeded.interactions)
    at = app_at(PAGE)
    at.file_uploader(key="prepare_interactions_file").set_value(
        (RAW.name, RAW.read_bytes(), "text/csv")
    ).run()
    at.button(key="prepare_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="prepare_mode").value == "INCREMENTAL"  # the dataset has bulk data
    for mode in ("FULL", "INCREMENTAL", "FULL", "INCREMENTAL"):
        at.radio(key="prepare_mode").set_value(mode).run()
        assert any("1,196 written; 4 rejected" in shown(m.value) for m in at.markdown)
        at.button(key="prepare_button").click().run()
        dialog = _dialog(at)
        if mode == "FULL":
            assert f"replaces the {SEEDED_BULK:,} rows imported in bulk" in dialog, dialog
        else:
            assert "An INCREMENTAL import adds the rows of" in dialog, dialog
        at.button(key="prepare_cancel").click().run()
        assert not at.exception, [e.value for e in at.exception]
    at.button(key="prepare_button").click().run()
    at.button(key="prepare_confirm").click().run()
    service = PersonalizeService(build_clients(Settings.from_env()))
    new = [j for j in service.list_import_jobs(seeded.interactions) if j.arn not in before]
    assert len(new) == 1 and new[0].import_mode == "INCREMENTAL"
