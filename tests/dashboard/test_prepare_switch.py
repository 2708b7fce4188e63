"""Trial s14: after preparing Interactions, then Items, then Interactions again, the Interactions
form read the Items export (one uploader for every dataset type), so EVENT_TYPE and EVENT_VALUE
were "not mapped" and the import was refused for columns the shop's file has. Each dataset type
now has its own raw-export box: back on Interactions the box asks for its file (Streamlit drops
a box that was not drawn), never reads the Items one, and the mapping is suggested again."""

from __future__ import annotations

from pathlib import Path

from tests.dashboard.conftest import Seeded, app_at

PAGE = "dashboard/pages/data.py"
RAW = Path(__file__).resolve().parents[1] / "data" / "raw" / "korean_headers_cp949.csv"


def test_switching_dataset_type_and_back_keeps_the_interactions_mapping(seeded: Seeded) -> None:
    at = app_at(PAGE)
    at.file_uploader(key="prepare_interactions_file").set_value(
        (RAW.name, RAW.read_bytes(), "text/csv")
    ).run()
    assert at.selectbox(key="prepare_f_col_EVENT_TYPE").value == "구분"
    options = at.selectbox(key="prepare_ds").options
    interactions = at.selectbox(key="prepare_ds").value
    at.selectbox(key="prepare_ds").set_value(next(o for o in options if o.startswith("Items")))
    at.run()
    rows = ["상품코드,상품명,카테고리,가격"] + [f"P{i:03d},상품 {i},신발,39000" for i in range(30)]
    raw = ("\n".join(rows) + "\n").encode("cp949")
    at.file_uploader(key="prepare_items_file").set_value(("products.csv", raw, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="prepare_ds").set_value(interactions).run()
    assert not at.exception, [e.value for e in at.exception]
    # the Items export is not read as interactions: the Interactions form asks for its own file
    assert not at.error, [e.value for e in at.error]
    assert at.file_uploader(key="prepare_interactions_file").value is None
    at.file_uploader(key="prepare_interactions_file").set_value(
        (RAW.name, RAW.read_bytes(), "text/csv")
    ).run()
    assert at.selectbox(key="prepare_f_col_EVENT_TYPE").value == "구분"
    # and the Items form does not read the orders either
    at.selectbox(key="prepare_ds").set_value(next(o for o in options if o.startswith("Items")))
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert "prepare_f_col_EVENT_TYPE" not in [s.key for s in at.selectbox]
