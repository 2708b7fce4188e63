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


def test_counts_a_raw_export_cannot_give_are_not_known_not_zero() -> None:
    """A trial's raw export (no USER_ID, ITEM_ID or TIMESTAMP column) read "Users 0 /
    Items 0" under a users-by-interactions chart of empty bars whose y axis went to -1."""
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["frame"] = RAW
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: (m.value, m.help) for m in at.metric}
    assert metrics["Rows"][0] == "2"
    assert metrics["Users"] == (
        "not known",
        "The file has no USER_ID column, so this cannot be counted.",
    )
    assert metrics["Items"] == (
        "not known",
        "The file has no ITEM_ID column, so this cannot be counted.",
    )
    assert metrics["Interactions used for training"] == (
        "not known",
        "The file has no USER_ID, ITEM_ID, TIMESTAMP columns, so this cannot be counted.",
    )
    assert not at.get("plotly_chart")  # nothing counted: no chart of empty bars


def test_a_file_with_its_columns_still_counts() -> None:
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["frame"] = {
        "USER_ID": ["u1", "u2", "u1"],
        "ITEM_ID": ["i1", "i1", "i2"],
        "TIMESTAMP": [1_700_000_000, 1_700_000_100, 1_700_000_200],
    }
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Users"], metrics["Items"], metrics["Interactions used for training"]) == (
        "2",
        "2",
        "3",
    )


def test_count_axes_never_go_below_zero() -> None:
    """Plotly centres all-zero bars on 0 (the axis from -1) unless the range mode is
    nonnegative; every count chart of the Data page sets it."""
    import pandas as pd

    from dashboard.components.data import charts

    zeros = pd.DataFrame({"interactions": ["1", "2", "3-5"], "users": [0, 0, 0]})
    per_day = pd.Series([0, 0], index=pd.to_datetime(["2026-11-27", "2026-11-28"], utc=True))
    for fig in (charts.per_user_figure(zeros), charts.events_per_day_figure(per_day)):
        assert fig.layout.yaxis.rangemode == "nonnegative"
