"""CSV that is safe to open in a spreadsheet (no formula injection): the one place it is made.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is run as a formula
by Excel, LibreOffice and Google Sheets (OWASP "CSV injection"); the full-width forms
``＝ ＋ － ＠`` (U+FF1D, U+FF0B, U+FF0D, U+FF20), which a Korean or Japanese input method types,
are turned into those by Excel, so they count too. Such text cells are prefixed with a single
quote, which spreadsheets show as text. Numbers stay numbers: a numeric column is written as
is, and a text cell that is just a number ("-3.5") is left alone, since a spreadsheet reads
it as that number, not a formula.

Every CSV the product writes for people goes through here: the rejects file of
``services.prepare`` (and so of a refresh's prepare step), the recommendation grid's download
and the tables the pages offer to download. Files written for a machine are not: the prepared
CSV that Personalize imports (a leading ``-`` in an ID is data), and what the local engine
writes where AWS writes raw CSV (dataset exports, metric attribution reports).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# The same rule as RE2 patterns (pyarrow's match_substring_regex), for the readiness check's
# warning: a text cell matching FORMULA_START and not NUMBER_PATTERN is formula-like.
FORMULA_START = "^[" + re.escape("".join(_TRIGGERS)) + "]"
NUMBER_PATTERN = _NUMBER.pattern


def neutralise(value: Any) -> Any:
    """Prefix a risky text value with a single quote; return anything else unchanged."""
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _NUMBER.match(value):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells and column names are neutralised."""
    out = df.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        if pd.api.types.is_datetime64_any_dtype(column):
            continue
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        out[name] = column.map(neutralise, na_action="ignore")
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_safe_csv(df: pd.DataFrame, *, index: bool = False, bom: bool = False) -> bytes:
    """`df` as UTF-8 CSV bytes with formula-like text cells neutralised.

    Args:
        df: the table to export.
        index: write the index as the first column.
        bom: start with a UTF-8 BOM so Excel detects the encoding (off by default).
    """
    text = _csv_text(df.reset_index() if index else df, header=True)
    return ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")


def append_safe_csv(df: pd.DataFrame, path: str | Path, *, header: bool) -> None:
    """Append `df` to the UTF-8 CSV file at `path` (created when missing), neutralised as
    ``to_safe_csv`` does; ``header`` writes the column names first (the first chunk).

    Raises:
        OSError: the file cannot be written.
    """
    with open(path, "ab") as out:
        out.write(_csv_text(df, header=header).encode("utf-8"))


def _csv_text(df: pd.DataFrame, *, header: bool) -> str:
    return safe_frame(df).to_csv(index=False, header=header, lineterminator="\n")
