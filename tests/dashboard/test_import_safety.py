"""Data page, check tab on the seeded workspace: the file check's number and formula rules as
a new user meets them."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP, TIMEOUT, Seeded, app_at
from tests.dashboard.rendered import shown

PAGE = "pages/data.py"
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


def _items_check(data: str, language: str | None = None) -> AppTest:
    if language:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.session_state["language"] = language
        at.run()
        at.switch_page(PAGE).run()
    else:
        at = app_at(PAGE)
    at.selectbox(key="readiness_ds").select_index(1).run()  # Interactions first, then Items
    at.file_uploader(key="readiness_file").set_value(("items.csv", data.encode(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _dialog(at: AppTest) -> str:
    return " ".join(shown(m.value) for m in at.markdown)


def test_out_of_range_nan_negative_and_formula_cells_are_reported(seeded: Seeded) -> None:
    at = _items_check(TRIAL)
    assert not any("Ready to import" in shown(s.value) for s in at.success)
    (banner,) = [shown(e.value) for e in at.error]
    assert banner.startswith("2 error(s) block this import"), banner
    table = next(d.value for d in at.dataframe if "finding" in d.value.columns)
    rows = {r["finding"]: (r["severity"], r["example lines"]) for _, r in table.iterrows()}
    # 99999999999999999999999 (about 1e23, line 3) fits a float: only 1e308 overflows
    assert rows["PRICE has numbers too large for type float"] == ("✗ error", "2")
    assert rows["PRICE has values that are not numbers"] == ("✗ error", "4")
    assert rows["PRICE has negative values"] == ("! warning", "5")
    assert rows["CATEGORY has text that starts like a spreadsheet formula"] == ("! warning", "2")
    assert at.button(key="readiness_button").disabled
