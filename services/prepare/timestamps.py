"""Timestamps → integer epoch seconds (what Personalize's TIMESTAMP, a long, must hold).

Numbers are epoch seconds, milliseconds or microseconds: given by the mapping's ``unit``, or
by magnitude per value (``auto``: below 1e11 seconds, below 1e14 milliseconds, below 1e17
microseconds, the same bands the readiness check uses). Text is a date-time: parsed with the
mapping's strptime ``format`` (or ``ISO8601``); text with an offset or zone (``Z``,
``+09:00``, ``UTC``) uses it, text without one is local time in the mapping's IANA
``timezone``. In a daylight-saving change, an ambiguous local time is taken as the first
(daylight) one and a skipped one is moved forward: an hour matters less than losing the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from services.readiness import limits

from .arrow_text import matches, to_float
from .reject_reasons import BEFORE_1970, EMPTY, NOT_DATETIME

UNIT_DIVISORS = {"seconds": 1, "milliseconds": 1_000, "microseconds": 1_000_000}
# Tried in order on a sample when the mapping gives no format; the first that reads (nearly)
# every sampled value wins. Day-first and month-first both appear: month-first is tried first
# (pandas' default), and `suggest` says so when a sample cannot tell them apart.
FORMATS = (
    "ISO8601",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d",
    "%Y%m%d%H%M%S",
    "%Y%m%d",
    "%Y-%m-%d %p %I:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d %b %Y %H:%M:%S",
    "%b %d, %Y %H:%M:%S",
    "%b %d, %Y",
    "%a, %d %b %Y %H:%M:%S %z",
)
_ZONED = re.compile(r"(?i)\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2})$")
_KOREAN_MERIDIEM = {"오전": "AM", "오후": "PM"}
# 8- and 14-digit numbers that are dates (20240305, 20240305103000), not epoch seconds.
_COMPACT_DATE = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(\d{6})?$")

# a failure's kind, as services.prepare.reject_reasons names it
REASON_EMPTY = EMPTY
REASON_UNREADABLE = NOT_DATETIME
REASON_BEFORE_1970 = BEFORE_1970


@dataclass(frozen=True)
class Parsed:
    """Epoch seconds per row (0 where the row fails) and the failing rows per reason."""

    seconds: np.ndarray  # int64
    failures: dict[str, np.ndarray]  # reason code (reject_reasons) → bool mask


def _normalise(text: pd.Series) -> pd.Series:
    text = text.str.strip()
    if text.str.contains("오[전후]", regex=True).any():
        # Korean Excel exports write "2024-03-05 오후 3:12:00"; %p wants AM/PM.
        for word, ampm in _KOREAN_MERIDIEM.items():
            text = text.str.replace(word, ampm, regex=False)
    return text


def _parse_text(text: pd.Series, fmt: str, timezone: str) -> pd.Series:
    """UTC datetimes (NaT where unreadable)."""
    zoned = matches(text, _ZONED.pattern)
    if "%z" in fmt:
        zoned = np.ones(len(text), dtype=bool)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
    if zoned.any():
        aware = text[zoned]
        if fmt == "ISO8601":
            aware = aware.str.replace(r"(?i)\s*(utc|gmt)$", "Z", regex=True)
        out[zoned] = pd.to_datetime(aware, format=fmt, utc=True, errors="coerce")
    if (~zoned).any():
        naive = pd.to_datetime(text[~zoned], format=fmt, errors="coerce")
        if naive.dt.tz is not None:  # pragma: no cover - a format with %z handled above
            naive = naive.dt.tz_convert("UTC")
        else:
            naive = naive.dt.tz_localize(
                timezone,
                ambiguous=np.ones(len(naive), dtype=bool),
                nonexistent="shift_forward",
            ).dt.tz_convert("UTC")
        out[~zoned] = naive
    return out


def guess_format(text: pd.Series, bar: float = 0.98) -> str | None:
    """The first of FORMATS that reads at least ``bar`` of the non-empty sampled values."""
    sample = _normalise(text.dropna().astype(str))
    sample = sample[sample != ""].head(500)
    if sample.empty:
        return None
    for fmt in FORMATS:
        if fmt in ("%Y%m%d%H%M%S", "%Y%m%d") and compact_date_share(sample) < bar:
            continue
        parsed = _parse_text(sample, fmt, "UTC")
        if parsed.notna().mean() >= bar:
            return fmt
    return None


def compact_date_share(text: pd.Series) -> float:
    """Share of non-empty values that are yyyymmdd[HHMMSS] dates (not epoch numbers)."""
    sample = text.dropna().astype(str).str.strip()
    sample = sample[sample != ""].head(500)
    return float(sample.str.match(_COMPACT_DATE).mean()) if len(sample) else 0.0


def _from_numbers(values: np.ndarray, unit: str) -> np.ndarray:
    """Float epoch values → float seconds (by unit, or by magnitude per value)."""
    if unit != "auto":
        return values / UNIT_DIVISORS[unit]
    magnitude = np.abs(values)
    divisor = np.select(
        [
            magnitude < limits.SECONDS_BELOW,
            magnitude < limits.MILLISECONDS_BELOW,
            magnitude < limits.MICROSECONDS_BELOW,
        ],
        [1.0, 1e3, 1e6],
        1e9,
    )
    return values / divisor


def to_epoch_seconds(
    column: pd.Series, *, fmt: str | None, unit: str = "auto", timezone: str = "UTC"
) -> Parsed:
    """Convert a raw column to epoch seconds (rounded down to whole seconds).

    Args:
        column: text, numbers, or datetimes (Parquet/JSON may give typed columns).
        fmt: strptime format or "ISO8601" for text; None = numbers, or ISO 8601 text.
        unit: for numbers: seconds, milliseconds, microseconds, or auto (by magnitude).
        timezone: IANA zone for date-times written without an offset.

    Returns:
        ``Parsed``; failure reasons are REASON_EMPTY, REASON_UNREADABLE, REASON_BEFORE_1970.
    """
    n = len(column)
    empty = column.isna().to_numpy(bool).copy()
    seconds = np.full(n, np.nan)
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        stamps = column if column.dt.tz is not None else column.dt.tz_localize(timezone)
        seconds = _datetimes_to_seconds(stamps)
    elif pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column):
        seconds = _from_numbers(column.to_numpy(dtype=float, na_value=np.nan), unit)
    else:
        text = column.astype("str").str.strip()
        empty |= (text == "").to_numpy(bool)
        if fmt is None:
            seconds = _from_numbers(to_float(text), unit)
            rest = np.isnan(seconds) & ~empty
            if rest.any():
                parsed = _parse_text(_normalise(text[rest]), "ISO8601", timezone)
                seconds[rest] = _datetimes_to_seconds(parsed)
        else:
            parsed = _parse_text(_normalise(text), fmt, timezone)
            seconds = _datetimes_to_seconds(parsed)
    seconds = np.where(empty, np.nan, seconds)
    unreadable = np.isnan(seconds) & ~empty
    finite = np.where(np.isnan(seconds), 0.0, seconds)
    before = ~np.isnan(seconds) & (finite < 0)
    return Parsed(
        np.floor(finite).astype(np.int64),
        {REASON_EMPTY: empty, REASON_UNREADABLE: unreadable, REASON_BEFORE_1970: before},
    )


def _datetimes_to_seconds(parsed: pd.Series) -> np.ndarray:
    """UTC-aware datetimes → float epoch seconds (NaN for NaT)."""
    values = parsed.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    micros = values.view("int64").astype(float)
    return np.where(np.isnat(values), np.nan, micros / 1e6)
