"""A bulk CSV's columns, read as strings, checked and converted to the schema's Arrow types.

Each check is vectorised (pyarrow compute); only when one fails is the first offending row
located, through the ``where`` callable the importer passes ("data row 14 (line 15), column
TIMESTAMP"). Errors are ImportFailed, whose message becomes the job's failureReason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from services.local.data.schemas import Field
from services.local.rules.avro_numbers import out_of_range
from services.local.rules.data_limits import (
    MAX_CATEGORICAL_LENGTH,
    MAX_ID_LENGTH,
    MAX_TEXTUAL_LENGTH,
)

TIMESTAMP_FIELDS = frozenset({"TIMESTAMP", "CREATION_TIMESTAMP"})
ARROW_TYPES = {
    "string": pa.string(),
    "int": pa.int64(),
    "long": pa.int64(),
    "float": pa.float64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
}
_INT_RE = r"^[+-]?[0-9]+$"
_FLOAT_RE = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_INT32 = (-(2**31), 2**31 - 1)
# Epoch seconds stay below 1e11 until the year 5138; anything larger is a finer unit.
_TIME_UNITS = ((1e17, "nanoseconds"), (1e14, "microseconds"), (1e11, "milliseconds"))


# (0-based data-row index, column) -> "data row N (line L), column C"
Locate = Callable[[int, str], str]
# a column as the parse gives it (its chunks, never joined: see ``convert``) or one array
Column: TypeAlias = pa.Array | pa.ChunkedArray


class ImportFailed(ValueError):  # noqa: N818 (the name the engine imports)
    """The file cannot be imported; the message is the job's failureReason."""


def _first(mask: Column) -> int:
    """Index of the first true value of a boolean array, or -1."""
    return int(pc.index(mask, True).as_py())


def _show(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def convert(col: Column, field: Field, *, is_id: bool, where: Locate) -> Column:
    """A string column checked and converted to the field's Arrow type.

    ``col`` may be the parse's chunks as they are (each check runs chunk by chunk and row
    indices count across them): joining them first would copy the column into fresh memory.
    The result has ``col``'s chunks.
    """
    # Byte lengths come from the offsets without reading the text: a value is empty when it
    # has no bytes, and characters are counted only past a limit in bytes (``_chars_over``).
    shortest, longest = _byte_length_bounds(col)
    # which values are empty, only when one is (else None)
    empty = pc.equal(pc.binary_length(col), 0) if shortest == 0 else None
    if empty is not None and (is_id or not field.nullable):
        i = _first(empty)
        what = "an ID is required" if is_id else "the schema does not allow null here"
        raise ImportFailed(f"{where(i, field.name)}: empty value, but {what}")
    if field.type == "string":
        return _strings(col, longest, empty, field, is_id=is_id, where=where)
    if field.type in ("int", "long"):
        return _integers(col, empty, field, where=where)
    if field.type in ("float", "double"):
        return _floats(col, empty, field, where=where)
    return _booleans(col, empty, field, where=where)


def _byte_length_bounds(col: Column) -> tuple[int | None, int]:
    """The shortest and the longest value's length in bytes (None and 0 for no values), chunk
    by chunk: the lengths of a whole column of millions (24 MB of fresh memory for 6,000,000
    values) are only made when a value is empty or too long."""
    shortest: int | None = None
    longest = 0
    for chunk in col.chunks if isinstance(col, pa.ChunkedArray) else [col]:
        bounds = pc.min_max(pc.binary_length(chunk)).as_py()
        if bounds["min"] is not None:
            shortest = bounds["min"] if shortest is None else min(shortest, bounds["min"])
            longest = max(longest, bounds["max"])
    return shortest, longest


def _with_empty(mask: Column, empty: Column | None) -> Column:
    """``mask`` or ``empty`` (``mask`` when no value is empty)."""
    return mask if empty is None else pc.or_(mask, empty)


def _first_not_numeric(col: Column, empty: Column | None, pattern: str) -> int | None:
    """Index of the first value that is neither empty, plain digits nor ``pattern``; -1 when
    every value is one of them; None when every value is empty or plain digits.

    Plain digits pass a cheap check, so only a column with a sign, a point or worse pays for
    the pattern (and the caller learns whether any value needs more than digits).
    """
    digits = _with_empty(pc.ascii_is_decimal(col), empty)
    if pc.all(digits).as_py():
        return None
    return _first(pc.invert(pc.or_(digits, pc.match_substring_regex(col, pattern))))


def _nulls_for_empty(col: Column, empty: Column | None, type_: pa.DataType) -> Column:
    """``col`` with its empty values as nulls (no copy when there are none)."""
    if empty is None or not pc.any(empty).as_py():
        return col
    return pc.if_else(empty, pa.scalar(None, type_), col)


def _strings(
    col: Column, longest: int, empty: Column | None, field: Field, *, is_id: bool, where: Locate
) -> Column:
    if is_id:
        _max_length(col, longest, MAX_ID_LENGTH, field, "IDs", where)
    elif field.textual:
        _max_length(col, longest, MAX_TEXTUAL_LENGTH, field, "textual values", where)
    elif field.categorical and _chars_over(col, longest, MAX_CATEGORICAL_LENGTH) is not None:
        # The limit is per categorical value; a cell may join several with '|'.
        parts = pc.split_pattern(col, "|")
        part_len = pc.utf8_length(pc.list_flatten(parts))
        j = _first(pc.greater(part_len, MAX_CATEGORICAL_LENGTH))
        if j >= 0:
            i = int(pc.list_parent_indices(parts)[j].as_py())
            n = part_len[j].as_py()
            raise ImportFailed(
                f"{where(i, field.name)}: a categorical value is {n} characters long; "
                f"the limit is {MAX_CATEGORICAL_LENGTH} per value"
            )
    if field.name != "EVENT_TYPE" and field.nullable:
        return _nulls_for_empty(col, empty, pa.string())
    return col


def _chars_over(col: Column, longest: int, limit: int) -> Column | None:
    """The values' lengths in characters when one has more than ``limit``, else None (a
    value has no more characters than bytes, so when the ``longest`` value in bytes is within
    the limit none is counted)."""
    if longest <= limit:
        return None
    lengths = pc.utf8_length(col)
    return lengths if pc.max(lengths).as_py() > limit else None


def _max_length(
    col: Column, longest: int, limit: int, field: Field, what: str, where: Locate
) -> None:
    lengths = _chars_over(col, longest, limit)
    if lengths is None:
        return
    i = _first(pc.greater(lengths, limit))
    raise ImportFailed(
        f"{where(i, field.name)}: value is {lengths[i].as_py()} characters long; "
        f"{what} are limited to {limit} ({_show(col[i].as_py())})"
    )


def _integers(col: Column, empty: Column | None, field: Field, *, where: Locate) -> Column:
    is_time = field.name in TIMESTAMP_FIELDS
    i = _first_not_numeric(col, empty, _INT_RE)
    if i is not None:
        if i >= 0:
            value = col[i].as_py()
            unit = " of seconds" if is_time else ""
            if re.match(_FLOAT_RE, value.strip()):
                problem = f"{_show(value)} is not an integer number{unit}"
            else:
                problem = f"{_show(value)} is not a number; {field.name} is {field.type}"
            raise ImportFailed(f"{where(i, field.name)}: {problem}")
        col = pc.replace_substring_regex(col, r"^\+", "")  # Arrow's cast refuses "+5"
    try:
        ints = pc.cast(_nulls_for_empty(col, empty, pa.string()), pa.int64())
    except pa.ArrowInvalid as err:
        i = next(k for k, v in enumerate(col.to_pylist()) if v and not -(2**63) <= int(v) < 2**63)
        raise ImportFailed(
            f"{where(i, field.name)}: {_show(col[i].as_py())} is out of range for a 64-bit integer"
        ) from err
    if field.type == "int":
        low, high = _INT32
        bounds = pc.min_max(ints).as_py()
        if (bounds["min"] is not None and bounds["min"] < low) or (
            bounds["max"] is not None and bounds["max"] > high
        ):
            i = _first(pc.or_(pc.less(ints, low), pc.greater(ints, high)))
            raise ImportFailed(
                f"{where(i, field.name)}: {ints[i].as_py()} is out of range for type int "
                "(32-bit); declare the field as long"
            )
    if is_time:
        _check_epoch_seconds(ints, field, where)
    return ints


def _check_epoch_seconds(ints: Column, field: Field, where: Locate) -> None:
    bounds = pc.min_max(ints).as_py()
    if bounds["min"] is None:
        return
    if bounds["min"] < 0:
        i = _first(pc.less(ints, 0))
        raise ImportFailed(
            f"{where(i, field.name)}: {ints[i].as_py()} is negative; timestamps are epoch "
            "seconds since 1970"
        )
    if bounds["max"] > _TIME_UNITS[-1][0]:
        i = _first(pc.greater(ints, _TIME_UNITS[-1][0]))
        value = ints[i].as_py()
        unit = next(unit for bound, unit in _TIME_UNITS if value > bound)
        raise ImportFailed(
            f"{where(i, field.name)}: {value} looks like {unit}; Personalize needs epoch seconds"
        )


def _floats(col: Column, empty: Column | None, field: Field, *, where: Locate) -> Column:
    i = _first_not_numeric(col, empty, _FLOAT_RE)
    if i is not None and i >= 0:
        value = col[i].as_py()
        hint = "; use '.' as the decimal separator" if re.match(r"^-?\d+,\d+$", value) else ""
        raise ImportFailed(f"{where(i, field.name)}: {_show(value)} is not a number{hint}")
    floats = pc.cast(_nulls_for_empty(col, empty, pa.string()), pa.float64())
    values = np.asarray(floats.to_numpy(zero_copy_only=False), dtype=np.float64)
    bad = out_of_range(values, field.type) & ~np.asarray(pc.is_null(floats), dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        size = "float (32-bit); declare the field as double" if field.type == "float" else "double"
        raise ImportFailed(
            f"{where(i, field.name)}: {_show(col[i].as_py())} is out of range for type {size}"
        )
    return floats


def _booleans(col: Column, empty: Column | None, field: Field, *, where: Locate) -> Column:
    lower = pc.utf8_lower(col)
    ok = _with_empty(pc.is_in(lower, pa.array(["true", "false"])), empty)
    i = _first(pc.invert(ok))
    if i >= 0:
        raise ImportFailed(
            f"{where(i, field.name)}: {_show(col[i].as_py())} is not a boolean (true or false)"
        )
    values = pc.equal(lower, "true")
    return values if empty is None else pc.if_else(empty, pa.scalar(None, pa.bool_()), values)
