"""Data page, Prepare tab: a Korean shop's export with KST times (trial s13, finding 12) is
summarised in the data's zone to the minute, with the zone named, and its preview writes the
converted times out next to the epoch seconds.

The export's first order is 2026-11-01 00:47 KST and its last 2026-11-30 21:05 KST. The
expected epoch seconds are computed here with ``datetime`` from the UTC wall time by hand
(KST is UTC+9, no daylight saving: 2026-11-01 00:47 KST = 2026-10-31 15:47 UTC), not by the
prepare code under test.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from services.i18n import use_language
from tests.dashboard.conftest import Seeded, app_in
from tests.dashboard.rendered import shown

PAGE = "dashboard/pages/data.py"
FIRST = "2026-11-01 00:47:00"  # KST, as the shop writes it
LAST = "2026-11-30 21:05:00"
FIRST_EPOCH = int(datetime(2026, 10, 31, 15, 47, tzinfo=UTC).timestamp())
LAST_EPOCH = int(datetime(2026, 11, 30, 12, 5, tzinfo=UTC).timestamp())

EXPECTED = {
    "en": {
        "range": "From Nov 1, 2026 00:47 to Nov 30, 2026 21:05 (Asia/Seoul)",
        "first": "Nov 1, 2026 00:47:00",
    },
    "ko": {
        "range": "2026년 11월 1일 00:47부터 2026년 11월 30일 21:05까지 (Asia/Seoul)",
        "first": "2026년 11월 1일 00:47:00",
    },
}


def export() -> bytes:
    """60 members × 20 orders in CP949, the first at FIRST and the last at LAST; the times
    between are on 2026-11-15 (KST), so the range's ends are the two named rows."""
    lines = ["회원ID,상품코드,주문일시,구분", f"김철수00,P0001,{FIRST},구매"]
    for k in range(1, 1199):
        member, hour, minute = k % 60, 1 + k % 20, k % 60
        lines.append(f"김철수{member:02d},P{k % 75:04d},2026-11-15 {hour:02d}:{minute:02d}:00,조회")
    lines.append(f"김철수59,P0002,{LAST},장바구니")
    return ("\r\n".join(lines) + "\r\n").encode("cp949")


@pytest.fixture(params=["en", "ko"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    """The page's language, also in this thread (AppTest formats widget values here)."""
    use_language(request.param)
    try:
        yield request.param
    finally:
        use_language("en")


def test_kst_times_are_summarised_and_previewed_in_the_datas_zone(
    seeded: Seeded, language: str
) -> None:
    words = EXPECTED[language]
    at: AppTest = app_in(PAGE, language)
    at.file_uploader(key="prepare_interactions_file").set_value(
        ("주문.csv", export(), "text/csv")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="prepare_f_timezone").value == "Asia/Seoul"

    converted = next(d.value for d in at.dataframe if "TIMESTAMP (Asia/Seoul)" in d.value.columns)
    columns = list(converted.columns)
    # the readable time sits right after the epoch seconds it writes out
    assert columns.index("TIMESTAMP (Asia/Seoul)") == columns.index("TIMESTAMP") + 1
    assert converted["TIMESTAMP"].iloc[0] == FIRST_EPOCH == 1793461620
    assert converted["TIMESTAMP (Asia/Seoul)"].iloc[0] == words["first"]

    at.button(key="prepare_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [shown(c.value) for c in at.caption]
    assert any(words["range"] in c for c in captions), captions
    assert not any("UTC" in c and "2026" in c for c in captions), captions
    assert LAST_EPOCH - FIRST_EPOCH == (29 * 24 + 20) * 3600 + 18 * 60  # 29 d 20 h 18 min
