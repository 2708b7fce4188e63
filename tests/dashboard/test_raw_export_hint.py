"""A shop's raw export checked on "Check & import a file" is pointed to "Prepare a raw export"
(a trial: a CP949 export with Hangul headers led with "Required column USER_ID is missing" and
nothing named the tab that handles it)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.dashboard.rendered import shown


def _script() -> None:
    import pandas as pd
    import streamlit as st

    from dashboard.components.data.readiness_report import show
    from services.readiness import check_dataframe

    frame = pd.DataFrame(st.session_state["frame"])
    show(check_dataframe(frame, "interactions", now=1_800_000_000))


def _infos(frame: dict[str, list]) -> list[str]:
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["frame"] = frame
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return [shown(i.value) for i in at.info]


RAW = {
    "회원번호": ["1001", "1002"],
    "상품코드": ["A-1", "A-2"],
    "구매일시": ["2026-11-28 02:16:00", "2026-11-28 03:00:00"],
}


def test_a_raw_export_is_pointed_to_prepare() -> None:
    assert any("“Prepare a raw export”" in i for i in _infos(RAW))


def test_a_file_that_only_lacks_a_column_is_not() -> None:
    # The schema's own names, one missing: a fix to read, not a raw export.
    missing = {"USER_ID": ["u1", "u2"], "ITEM_ID": ["i1", "i2"]}
    assert not any("Prepare a raw export" in i for i in _infos(missing))
