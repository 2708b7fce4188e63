"""One output field from one raw column: the values, and the rows that cannot be converted.

Limits are Personalize's (``services.readiness.limits``): IDs up to 256 characters,
categorical values up to 1,000 (several joined with ``|``), textual up to 20,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from services.readiness import limits
from services.readiness.written_numbers import written_numbers

from .arrow_text import strings, to_float
from .mapping import FieldMap
from .reject_reasons import (
    EMPTY,
    NOT_BOOLEAN,
    NOT_IN_VALUES,
    NOT_NUMBER,
    NOT_WHOLE,
    TOO_LONG,
    reject_reason,
)
from .timestamps import to_epoch_seconds

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
ARROW_TYPES = {
    "id": pa.string(),
    "timestamp": pa.int64(),
    "event_type": pa.string(),
    "string": pa.string(),
    "categorical": pa.string(),
    "textual": pa.string(),
    "boolean": pa.string(),
    "float": pa.float64(),
    "double": pa.float64(),
    "int": pa.int64(),
    "long": pa.int64(),
}


@dataclass(frozen=True)
class FieldResult:
    """Converted values (pyarrow, nulls where empty) and failing rows per reason."""

    values: pa.Array
    failures: dict[str, np.ndarray]  # reason → bool mask, in the order they are checked


def _text(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Stripped text, and where it is empty or missing."""
    if pd.api.types.is_float_dtype(column.dtype):
        finite = column.dropna()
        if len(finite) and (finite == np.floor(finite)).all():
            column = column.astype("Int64")  # IDs read as floats (JSON, Parquet with nulls)
    missing = column.isna().to_numpy(bool)
    text = column.astype("str").str.strip()
    return text, missing | (text == "").to_numpy(bool)


def _strings(text: pd.Series, empty: np.ndarray) -> pa.Array:
    return strings(text, empty)


def _too_long(text: pd.Series, empty: np.ndarray, limit: int) -> np.ndarray:
    return ~empty & (text.str.len().fillna(0).to_numpy(np.int64) > limit)


def _id(spec: FieldMap, text: pd.Series, empty: np.ndarray) -> FieldResult:
    return FieldResult(
        _strings(text, empty),
        {
            reject_reason(EMPTY, field=spec.name): empty,
            reject_reason(TOO_LONG, field=spec.name, limit=limits.MAX_ID_LENGTH): _too_long(
                text, empty, limits.MAX_ID_LENGTH
            ),
        },
    )


def _mapped(spec: FieldMap, text: pd.Series, empty: np.ndarray) -> FieldResult:
    assert spec.values is not None
    out = text.map(spec.values)
    unmapped = ~empty & out.isna().to_numpy(bool)
    return FieldResult(
        _strings(out.fillna(""), empty | unmapped),
        {
            reject_reason(EMPTY, field=spec.name): empty,
            reject_reason(NOT_IN_VALUES, field=spec.name): unmapped,
        },
    )


def parse_numbers(text: pd.Series) -> np.ndarray:
    """Float per value (NaN where not a number), reading "12,900" and "₩12,900원" too."""
    numbers = to_float(text)
    bad = np.isnan(numbers) & text.notna().to_numpy(bool)
    if bad.any():  # only then pay for the cleaning
        numbers[bad] = written_numbers(text[bad])
    return numbers


def _number(spec: FieldMap, column: pd.Series) -> FieldResult:
    integral = spec.kind in ("int", "long")
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        empty = np.isnan(values)
        bad = np.zeros(len(values), dtype=bool)
    else:
        text, empty = _text(column)
        values = parse_numbers(text)
        bad = ~empty & np.isnan(values)
    finite = np.where(np.isnan(values), 0.0, values)
    infinite = ~np.isfinite(finite)
    fraction = integral & ~empty & ~bad & ~infinite & (finite != np.floor(finite))
    failures = {
        reject_reason(NOT_NUMBER, field=spec.name): bad | infinite,
        reject_reason(NOT_WHOLE, field=spec.name): fraction,
    }
    if spec.name == "EVENT_VALUE":
        failures = {reject_reason(EMPTY, field=spec.name): empty, **failures}
    if integral:
        return FieldResult(pa.array(finite.astype(np.int64), pa.int64(), mask=empty), failures)
    return FieldResult(pa.array(finite, pa.float64(), mask=empty), failures)


def _boolean(spec: FieldMap, text: pd.Series, empty: np.ndarray) -> FieldResult:
    low = text.str.lower()
    truthy, falsy = low.isin(_TRUE).to_numpy(bool), low.isin(_FALSE).to_numpy(bool)
    out = pd.Series(np.where(truthy, "true", "false"), dtype=object)
    failing = ~empty & ~truthy & ~falsy
    return FieldResult(_strings(out, empty), {reject_reason(NOT_BOOLEAN, field=spec.name): failing})


def _categorical(spec: FieldMap, text: pd.Series, empty: np.ndarray) -> FieldResult:
    if spec.split:
        chars = "".join("\\" + c if c in r"\]^-[" else c for c in spec.split)
        text = text.str.replace(rf"\s*[{chars}]+\s*", "|", regex=True).str.strip("|")
        empty = empty | (text == "").to_numpy(bool)
    text = text.str.replace(r"\s*[\r\n]+\s*", " ", regex=True)
    limit = limits.MAX_CATEGORICAL_LENGTH
    return FieldResult(
        _strings(text, empty),
        {reject_reason(TOO_LONG, field=spec.name, limit=limit): _too_long(text, empty, limit)},
    )


def _textual(spec: FieldMap, text: pd.Series, empty: np.ndarray) -> FieldResult:
    # One record per line keeps the file readable by every CSV tool and by line numbers.
    text = text.str.replace(r"\s*[\r\n]+\s*", " ", regex=True)
    limit = limits.MAX_TEXTUAL_LENGTH
    return FieldResult(
        _strings(text, empty),
        {reject_reason(TOO_LONG, field=spec.name, limit=limit): _too_long(text, empty, limit)},
    )


def convert_field(
    spec: FieldMap, column: pd.Series | None, rows: int, timezone: str
) -> FieldResult:
    """Convert ``column`` (None for a constant field) to the field's output values.

    Returns:
        ``FieldResult``: a pyarrow array of ARROW_TYPES[spec.kind] and the failing rows.
    """
    if column is None:
        column = pd.Series([spec.constant] * rows, dtype="str")
    kind = spec.kind
    if kind == "timestamp":
        parsed = to_epoch_seconds(column, fmt=spec.format, unit=spec.unit, timezone=timezone)
        failures = {
            reject_reason(code, field=spec.name): mask for code, mask in parsed.failures.items()
        }
        empty = parsed.failures[EMPTY]
        if spec.name == "CREATION_TIMESTAMP":  # optional: an item without one is kept
            del failures[reject_reason(EMPTY, field=spec.name)]
            return FieldResult(pa.array(parsed.seconds, pa.int64(), mask=empty), failures)
        return FieldResult(pa.array(parsed.seconds, pa.int64()), failures)
    if kind in ("float", "double", "int", "long"):
        return _number(spec, column)
    text, empty = _text(column)
    if spec.values is not None:
        return _mapped(spec, text, empty)
    if kind == "id":
        return _id(spec, text, empty)
    if kind == "event_type":
        return FieldResult(_strings(text, empty), {reject_reason(EMPTY, field=spec.name): empty})
    if kind == "boolean":
        return _boolean(spec, text, empty)
    if kind == "categorical":
        return _categorical(spec, text, empty)
    if kind == "textual":
        return _textual(spec, text, empty)
    return FieldResult(_strings(text, empty), {})
