"""Timestamps to epoch seconds. Expected values come from GNU date, e.g.
``date -u -d '2024-03-05 10:00:00 +0900' +%s`` → 1709600400."""

import numpy as np
import pandas as pd
import pytest

from services.prepare.timestamps import (
    REASON_BEFORE_1970,
    REASON_EMPTY,
    REASON_UNREADABLE,
    guess_format,
    to_epoch_seconds,
)


def _seconds(values, **kw):
    parsed = to_epoch_seconds(pd.Series(values, dtype="str"), **kw)
    failed = np.zeros(len(values), dtype=bool)
    for mask in parsed.failures.values():
        failed |= mask
    return [None if f else int(s) for s, f in zip(parsed.seconds, failed, strict=True)]


def test_offsets_in_the_text_win_over_the_mapping_zone():
    values = [
        "2024-03-05T10:00:00+09:00",
        "2024-03-05T01:30:00Z",
        "2024-03-04T20:00:00-05:00",
        "2024-03-05 10:00:00 UTC",
        "2024-03-05 10:00:00",  # no zone: Asia/Seoul
    ]
    got = _seconds(values, fmt=None, timezone="Asia/Seoul")
    assert got == [1709600400, 1709602200, 1709600400, 1709632800, 1709600400]


def test_epoch_units_by_magnitude_or_given():
    values = ["1709600400", "1709600400123", "1709600400123456", "1709600400.9"]
    assert _seconds(values, fmt=None) == [1709600400] * 4
    assert _seconds(["1709600400000"], fmt=None, unit="milliseconds") == [1709600400]
    # Given as seconds, a millisecond value stays huge (the readiness check flags it).
    assert _seconds(["1709600400000"], fmt=None, unit="seconds") == [1709600400000]


def test_daylight_saving_gaps_and_repeats_keep_the_row():
    # 01:30 happens twice on 2024-11-03 in New York: the first (EDT, -04:00) is taken;
    # 02:30 does not exist on 2024-03-10: moved forward to 03:00 EDT.
    got = _seconds(["2024-11-03 01:30", "2024-03-10 02:30"], fmt=None, timezone="America/New_York")
    assert got == [1730611800, 1710054000]


def test_failures_are_named_per_row():
    parsed = to_epoch_seconds(
        pd.Series(["", "soon", "1969-12-31T23:59:59Z", "1709600400"], dtype="str"), fmt=None
    )
    assert parsed.failures[REASON_EMPTY].tolist() == [True, False, False, False]
    assert parsed.failures[REASON_UNREADABLE].tolist() == [False, True, False, False]
    assert parsed.failures[REASON_BEFORE_1970].tolist() == [False, False, True, False]


@pytest.mark.parametrize(
    ("values", "fmt", "expected"),
    [
        (["2024-03-05 오후 3:12:00", "2024-03-05 오전 9:05:30"], "%Y-%m-%d %p %I:%M:%S",
         [1709619120, 1709597130]),
        (["20240305103000", "20240305235959"], "%Y%m%d%H%M%S", [1709602200, 1709650799]),
        # pandas' ISO 8601 reader also takes "/" and "." between year, month and day.
        (["2024/03/05 10:00:00"], "ISO8601", [1709600400]),
        (["2024.07.01 12:00"], "ISO8601", [1719802800]),
        (["05.03.2024 10:00", "31.03.2024 23:00"], "%d.%m.%Y %H:%M", [1709600400, 1711893600]),
    ],
)  # fmt: skip
def test_common_formats_are_guessed_and_read_in_the_zone(values, fmt, expected):
    assert guess_format(pd.Series(values)) == fmt
    assert _seconds(values, fmt=fmt, timezone="Asia/Seoul") == expected


def test_typed_datetimes_are_localised_when_naive():
    naive = pd.Series(pd.to_datetime(["2024-03-05 10:00:00", None]))
    parsed = to_epoch_seconds(naive, fmt=None, timezone="Asia/Seoul")
    assert parsed.seconds[0] == 1709600400
    assert parsed.failures[REASON_EMPTY].tolist() == [False, True]
    aware = pd.Series(pd.to_datetime(["2024-03-05T01:00:00Z"]))
    assert to_epoch_seconds(aware, fmt=None, timezone="Asia/Seoul").seconds[0] == 1709600400
