"""Data page, Prepare section, on the seeded workspace: a Korean-header CP949 export gets the
right suggested mapping of the fields the dataset's schema has; nothing is imported while the
readiness report has an error; once the mapping is adjusted, the prepared file is imported."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown

PAGE = "dashboard/pages/data.py"
RAW = Path(__file__).resolve().parents[1] / "data" / "raw" / "korean_headers_cp949.csv"


def _upload(at: AppTest) -> AppTest:
    at.file_uploader(key="prepare_interactions_file").set_value(
        (RAW.name, RAW.read_bytes(), "text/csv")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _prepare(at: AppTest) -> AppTest:
    at.button(key="prepare_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_korean_cp949_export_is_mapped_blocked_on_error_then_imported(
    seeded: Seeded, downloads: Callable[[], dict[str, bytes]]
) -> None:
    service = PersonalizeService(build_clients(Settings.from_env()))
    before = {j.arn for j in service.list_import_jobs(seeded.interactions)}
    at = _upload(app_at(PAGE))
    chosen = {
        name: at.selectbox(key=f"prepare_f_col_{name}").value
        for name in ("USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE")
    }
    assert chosen == {
        "USER_ID": "회원ID",
        "ITEM_ID": "상품코드",
        "TIMESTAMP": "주문일시",
        "EVENT_TYPE": "구분",
        # The seeded dataset's schema has no EVENT_VALUE: the quantity column is not offered.
        "EVENT_VALUE": "— not mapped —",
    }
    captions = " ".join(shown(c.value) for c in at.caption)
    assert "encoding cp949" in captions, captions
    assert "'수량' left unmapped: it looks like EVENT_VALUE" in captions, captions
    # A Korean export's times are read in Korea's zone without being told (they are KST)
    assert at.text_input(key="prepare_f_timezone").value == "Asia/Seoul"
    assert "times without an offset read in Asia/Seoul (a Korean export" in captions
    converted = [d.value for d in at.dataframe if {"line", "EVENT_TYPE"} <= set(d.value.columns)][0]
    assert set(converted["EVENT_TYPE"]) <= {"View", "AddToCart", "Purchase"}
    assert converted["TIMESTAMP"].iloc[0] == 1706750171  # 2024-02-01 10:16:11 KST

    # Mapped by hand anyway, EVENT_VALUE is not in the schema: the readiness report has an error.
    at.selectbox(key="prepare_f_col_EVENT_VALUE").set_value("수량").run()
    _prepare(at)
    assert any("1 error blocks this import" in shown(e.value) for e in at.error), [
        shown(e.value) for e in at.error
    ]
    assert any("1,196 written; 4 rejected" in shown(m.value) for m in at.markdown)  # 60 × 20 rows
    (rejects,) = [data for name, data in downloads().items() if name.endswith(".rejects.csv")]
    assert rejects.startswith(b"\xef\xbb\xbf")  # a BOM: Korean Excel reads the Hangul as UTF-8
    rows = list(csv.reader(io.StringIO(rejects.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1 + 4  # the header and the 4 rejected rows
    assert at.button(key="prepare_button").disabled
    assert {j.arn for j in service.list_import_jobs(seeded.interactions)} == before

    # Adjusted: EVENT_VALUE not mapped. Prepared again, the file is clean and imports.
    at.selectbox(key="prepare_f_col_EVENT_VALUE").set_value("— not mapped —").run()
    _prepare(at)
    assert not any("this import:" in shown(e.value) for e in at.error), [
        shown(e.value) for e in at.error
    ]
    at.radio(key="prepare_mode").set_value("FULL").run()  # INCREMENTAL is preselected
    at.button(key="prepare_button").click().run()
    at.button(key="prepare_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    new = [j for j in service.list_import_jobs(seeded.interactions) if j.arn not in before]
    assert len(new) == 1 and new[0].import_mode == "FULL"
    location = service.describe_import_job(new[0].arn).location
    assert location and location.startswith("s3://prepared/")
    saved = Settings.from_env().data_dir / "s3" / location[len("s3://") :]
    header = saved.read_text(encoding="utf-8").splitlines()[0]
    assert header == '"USER_ID","ITEM_ID","TIMESTAMP","EVENT_TYPE"'


def test_the_raw_export_tab_follows_the_dataset_type(seeded: Seeded) -> None:
    """With Items picked, the tab's caption and example S3 location speak of items, not of
    interactions (trial s6)."""
    at = app_at(PAGE)
    options = at.selectbox(key="prepare_ds").options
    at.selectbox(key="prepare_ds").set_value(next(o for o in options if o.startswith("Items")))
    at.run()
    captions = [shown(c.value) for c in at.caption if "shop's own" in shown(c.value)]
    assert captions and captions[0].startswith("Give the shop's own items export")
    at.radio(key="prepare_source").set_value("S3 location").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="prepare_s3").placeholder == "s3://bucket/path/items.csv"
    # the check tab, still on Interactions, keeps its own example
    at.radio(key="readiness_source").set_value("S3 location").run()
    assert at.text_input(key="readiness_s3").placeholder == "s3://bucket/path/interactions.csv"


def test_items_without_a_creation_date_take_the_import_time(seeded: Seeded) -> None:
    """Trial s9: a shop's product export has no creation date and the Items schema requires
    CREATION_TIMESTAMP; "the import time" writes one constant time, in Unix epoch seconds, to
    every item of the prepared file."""
    rows = ["상품코드,상품명,카테고리,가격"] + [
        f'P{i:03d},상품 {i},신발,"₩{39_000 + i:,}"' for i in range(30)
    ]
    raw = ("\n".join(rows) + "\n").encode("utf-8")
    at = app_at(PAGE)
    options = at.selectbox(key="prepare_ds").options
    at.selectbox(key="prepare_ds").set_value(next(o for o in options if o.startswith("Items")))
    at.run()
    at.file_uploader(key="prepare_items_file").set_value(("products.csv", raw, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    column = at.selectbox(key="prepare_f_col_CREATION_TIMESTAMP")
    assert column.value == "— not mapped —"  # nothing in the file: not chosen for the user
    assert "— the import time —" in column.options
    before = int(time.time())
    column.set_value("— the import time —").run()
    after = int(time.time())
    shown_time = at.number_input(key="prepare_f_import_time")
    assert shown_time.label == "CREATION_TIMESTAMP of every item (Unix epoch seconds)"
    assert before <= shown_time.value <= after  # now, in seconds (not milliseconds)
    chosen = 1_764_000_000  # 2025-11-24 16:00:00 UTC
    shown_time.set_value(chosen).run()
    captions = " ".join(shown(c.value) for c in at.caption)
    # written in the mapping's zone (a Korean export: Asia/Seoul, UTC+9), which it names
    assert "Every item gets Nov 25, 2025 01:00 (Asia/Seoul) as its creation time" in captions, (
        captions
    )
    assert "every item is equally new" in captions
    _prepare(at)
    assert not any("this import:" in shown(e.value) for e in at.error), [
        shown(e.value) for e in at.error
    ]
    (written,) = (Settings.from_env().data_dir / "s3" / "prepared").rglob("products-*.csv")
    table = list(csv.DictReader(io.StringIO(written.read_text(encoding="utf-8"), newline="")))
    assert len(table) == 30
    assert {r["CREATION_TIMESTAMP"] for r in table} == {str(chosen)}
    assert [r["ITEM_ID"] for r in table] == [f"P{i:03d}" for i in range(30)]
