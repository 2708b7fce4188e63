"""Vectorised text tests on pandas string columns, done by pyarrow's compute kernels (RE2
regular expressions, casts) rather than per value in Python: the hot path of a conversion."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# A plain decimal number, optionally signed, with an exponent: what a cast to float accepts.
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def arrow(text: pd.Series) -> pa.Array:
    """The column as a pyarrow string array (nulls kept)."""
    array = pa.array(text, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array if array.type == pa.string() else array.cast(pa.string())


def matches(text: pd.Series, pattern: str) -> np.ndarray:
    """Bool per value: ``pattern`` (RE2 syntax) is found in it; False for nulls."""
    hit = pc.match_substring_regex(arrow(text), pattern).fill_null(False)
    return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)


def to_float(text: pd.Series) -> np.ndarray:
    """Float per value that is a plain number (spaces around allowed), else NaN."""
    trimmed = pc.utf8_trim_whitespace(arrow(text))
    ok = pc.match_substring_regex(trimmed, _NUMBER).fill_null(False)
    values = pc.cast(pc.if_else(ok, trimmed, pa.scalar(None, pa.string())), pa.float64())
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=float)


def strings(text: pd.Series, null: np.ndarray) -> pa.Array:
    """The column as a pyarrow string array with nulls where ``null`` is True."""
    return pc.if_else(pa.array(null), pa.scalar(None, pa.string()), arrow(text))
