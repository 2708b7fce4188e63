"""Per-column accumulators fed chunk by chunk; each keeps only bounded state.

A chunk is a pyarrow Table plus `RowLines`, which maps row positions in the chunk to
1-based line numbers in the file (the header is line 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .limits import MAX_EXAMPLES

_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_INTEGER = r"^[+-]?\d+$"


@dataclass(frozen=True)
class RowLines:
    """Line numbers of a chunk's rows: `start + position`, or an explicit array."""

    start: int
    explicit: np.ndarray | None = None

    def at(self, positions: np.ndarray) -> np.ndarray:
        """Line numbers of the rows at these positions."""
        if self.explicit is not None:
            return self.explicit[positions]
        return positions.astype(np.int64) + self.start


def to_str(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Any Arrow column as a plain `string` array, nulls as ``""``."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_null(arr.type):
        return pa.array([""] * len(arr), pa.string())
    if arr.type != pa.string():
        try:
            arr = pc.cast(arr, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            arr = pa.array([None if v is None else str(v) for v in arr.to_pylist()], pa.string())
    return arr.fill_null("") if arr.null_count else arr


def to_bool(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow boolean array as numpy, nulls as False."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return np.asarray(arr.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


class Tally:
    """A count of matching rows plus the first few line numbers and values."""

    def __init__(self) -> None:
        self.count = 0
        self.rows: list[int] = []
        self.values: list[str] = []

    def add(self, mask: np.ndarray, lines: RowLines, values: pa.Array | None = None) -> None:
        """Count the rows where `mask` is True; keep examples while there is room."""
        n = int(np.count_nonzero(mask))
        if not n:
            return
        self.count += n
        room = MAX_EXAMPLES - len(self.rows)
        if room > 0:
            idx = np.flatnonzero(mask)[:room]
            self.rows.extend(int(x) for x in lines.at(idx))
            if values is not None:
                self.values.extend(str(values[int(i)].as_py()) for i in idx)

    def sample(self, width: int = 40) -> str:
        """Example values, quoted and shortened, for a detail line."""
        shown = [v if len(v) <= width else v[: width - 1] + "…" for v in self.values[:3]]
        return ", ".join(repr(v) for v in shown)


@dataclass(frozen=True)
class Parsed:
    """Numeric view of a column: value (NaN where none; ±inf where a number overflows a
    double) and why a value is missing."""

    value: np.ndarray
    empty: np.ndarray
    bad: np.ndarray
    non_integer: np.ndarray


def parse_numeric(arr: pa.Array | pa.ChunkedArray) -> Parsed:
    """Parse a column as numbers; text that isn't a plain decimal number is `bad`."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    none = np.zeros(n, dtype=bool)
    t = arr.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        # Typed by the reader: only a null is an empty cell; NaN came from a "NaN" text in
        # the file, which is not a number. Infinity (from "1e309" or "inf") stays, for the
        # range rule of avro_numbers.
        if pa.types.is_decimal(t):
            arr = pc.cast(arr, pa.float64())
        # numpy's conversion: int64 beyond 2**53 rounds (pyarrow's cast would refuse it);
        # nulls become NaN
        value = np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.float64)
        empty = to_bool(pc.is_null(arr)) if arr.null_count else none
        finite = np.isfinite(value)
        bad = np.isnan(value) & ~empty
        non_integer = finite & (np.floor(np.where(finite, value, 0.0)) != value)
        return Parsed(value, empty, bad, non_integer)
    text = to_str(arr)
    try:  # fast path: every value is a plain integer
        value = pc.cast(text, pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64)
        return Parsed(value, none, none, none.copy())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    stripped = pc.utf8_trim_whitespace(text)
    empty = to_bool(pc.equal(stripped, ""))
    is_num = pc.match_substring_regex(stripped, _NUMBER)
    is_int = to_bool(pc.match_substring_regex(stripped, _INTEGER))
    value = np.asarray(
        pc.cast(pc.if_else(is_num, stripped, "nan"), pa.float64()).to_numpy(zero_copy_only=False),
        dtype=np.float64,
    )
    num = to_bool(is_num)
    return Parsed(value, empty, ~empty & ~num, num & ~is_int)


class KeyCounter:
    """Counts per key (user or item ID), merged in Arrow so memory is O(distinct keys)."""

    def __init__(self) -> None:
        self._keys: list[pa.Array] = []
        self._counts: list[np.ndarray] = []
        self._pending = 0
        self._compacted = 0

    def add(self, keys: pa.Array, counts: np.ndarray) -> None:
        """Add `counts[i]` to `keys[i]` (keys distinct within one call)."""
        if not len(keys):
            return
        self._keys.append(keys)
        self._counts.append(counts.astype(np.int64, copy=False))
        self._pending += len(keys)
        if len(self._keys) > 1 and self._pending > max(1_000_000, 2 * self._compacted):
            self._compact()

    def _compact(self) -> None:
        table = pa.table({"k": pa.concat_arrays(self._keys), "n": np.concatenate(self._counts)})
        grouped = table.group_by("k").aggregate([("n", "sum")])
        self._keys = [grouped["k"].combine_chunks()]
        self._counts = [grouped["n_sum"].to_numpy()]
        self._compacted = self._pending = len(self._keys[0])

    def result(self) -> tuple[pa.Array, np.ndarray]:
        """Distinct keys and their total counts."""
        if not self._keys:
            return pa.array([], pa.string()), np.zeros(0, dtype=np.int64)
        if len(self._keys) > 1:
            self._compact()
        return self._keys[0], self._counts[0]


def encode(text: pa.Array) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """Dictionary-encode: (row codes, distinct values, count per distinct value)."""
    encoded = pc.dictionary_encode(text)
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    uniques = encoded.dictionary
    return codes, uniques, np.bincount(codes, minlength=len(uniques))


def hash_strings(values: pa.Array) -> np.ndarray:
    """64-bit hashes of distinct strings (stable within one process: only compared there)."""
    return np.fromiter(
        (hash(v) for v in values.to_pylist()), dtype=np.int64, count=len(values)
    ).view(np.uint64)


def mix(*parts: np.ndarray) -> np.ndarray:
    """Combine uint64 hash columns into one row hash."""
    out = np.zeros(len(parts[0]), dtype=np.uint64)
    for k, part in enumerate(parts):
        out ^= part * np.uint64(0x9E3779B97F4A7C15 + 2 * k)
        out ^= out >> np.uint64(31)
    return out


class Completeness:
    """Empty-value counts per column, for the 70%-complete rule."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.empty = {name: Tally() for name in names}
        self.rows = 0

    def add(self, name: str, column: pa.Array, lines: RowLines) -> None:
        """Count empty (or whitespace-only) values of one column; nulls of typed ones."""
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            blank = pc.or_(pc.equal(pc.binary_length(column), 0), pc.utf8_is_space(column))
            self.empty[name].add(to_bool(pc.or_kleene(blank, pc.is_null(column))), lines)
        elif column.null_count:
            self.empty[name].add(to_bool(pc.is_null(column)), lines)
