"""Counts on a page take the form of their number (issue #21): the Data page's readiness
verdict with one and with two errors or warnings, in English and Korean (expected text written
by hand from the catalogue's entries)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.rendered import shown


def _script() -> None:
    import pandas as pd
    import streamlit as st

    from dashboard.components.data.readiness_report import show
    from services.i18n import use_language
    from services.readiness import check_dataframe

    use_language(st.session_state["language"])
    users = pd.DataFrame(st.session_state["users"])
    show(check_dataframe(users, "users", now=1_800_000_000))


def _verdict(language: str, users: dict[str, list]) -> str:
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["language"] = language
    at.session_state["users"] = users
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (box,) = [*at.error, *at.warning][:1]  # the verdict banner comes first
    return shown(box.value)  # as the reader sees it, without markdown's escapes


# One error: a users file with IDs only. Two: the same with an empty ID as well.
ONE_ERROR = {"USER_ID": ["u1", "u2", "u3"]}
TWO_ERRORS = {"USER_ID": ["u1", "u2", ""]}
# One warning: an ID written twice. Two: and one with a leading space.
ONE_WARNING = {"USER_ID": ["u1", "u2", "u1"], "AGE": [1, 2, 3]}
TWO_WARNINGS = {"USER_ID": ["u1", "u2", "u1", " u3"], "AGE": [1, 2, 3, 4]}


@pytest.mark.parametrize(
    ("language", "users", "expected"),
    [
        ("en", ONE_ERROR, "1 error blocks this import: No metadata column. See the fix below."),
        (
            "en",
            TWO_ERRORS,
            "2 errors block this import: No metadata column; Empty USER_ID. See the fixes below.",
        ),
        ("en", ONE_WARNING, "Ready to import, with 1 warning worth reading first."),
        ("en", TWO_WARNINGS, "Ready to import, with 2 warnings worth reading first."),
        (
            "ko",
            ONE_ERROR,
            "오류 1개 때문에 가져올 수 없습니다: 메타데이터 열이 없습니다. 아래 해결 방법을 "
            "확인하세요.",
        ),
        (
            "ko",
            TWO_ERRORS,
            "오류 2개 때문에 가져올 수 없습니다: 메타데이터 열이 없습니다; 비어 있는 USER_ID. 아래 "
            "해결 방법을 확인하세요.",
        ),
        ("ko", ONE_WARNING, "가져올 수 있습니다. 먼저 읽어 볼 경고가 1개 있습니다."),
        ("ko", TWO_WARNINGS, "가져올 수 있습니다. 먼저 읽어 볼 경고가 2개 있습니다."),
    ],
)
def test_the_readiness_verdict_counts_in_either_language(
    language: str, users: dict[str, list], expected: str
) -> None:
    assert _verdict(language, users) == expected


def _grid_script() -> None:
    import streamlit as st

    from dashboard.components.recommendations.grid import verdict_banner
    from services.evaluation.inspection import IdenticalGroup, Verdict
    from services.i18n import use_language

    use_language(st.session_state["language"])
    users, top_n = st.session_state["shape"]
    group = IdenticalGroup((), ())
    verdict = Verdict("ok", "fine", users, 0, top_n, 0.5, 0.5, group, None, popular_fillers=1)
    verdict_banner(verdict, "Campaign")


@pytest.mark.parametrize(
    ("language", "shape", "expected"),
    [
        ("en", (1, 1), "1 of 1 item came from the version's own fallback list"),
        ("en", (4, 10), "1 of 40 items came from the version's own fallback list"),
        ("ko", (1, 1), "1개 중 1개는 버전 자체의 대체 목록"),
    ],
)
def test_the_popular_fillers_count_the_items_shown(
    language: str, shape: tuple[int, int], expected: str
) -> None:
    """The items shown pick the noun's form (trial s6: "1 of 40 items came …" was keyed on
    the one filler, and "1 of 1 items" read wrong)."""
    at = AppTest.from_function(_grid_script, default_timeout=30)
    at.session_state["language"] = language
    at.session_state["shape"] = shape
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(expected in shown(c.value) for c in at.caption), [c.value for c in at.caption]
