"""The Items dataset's columns lined up with a model's items once, for item filters.

Evaluating ``Items.CATEGORY_L1 IN ($CATEGORY)`` from the raw Items frame on each request means
lining up 500,000 item IDs with the model's catalogue and matching 500,000 strings: 0.25 s
when the orders agree and several seconds when they do not (a 500,000-item shop, 2-core
machine). ``ItemColumns`` does the lining up once per model and Items frame, and prepares each
column the first time a filter reads it: a categorical column as integer codes of its
``|``-separated parts, a numeric one as floats; a request then costs one pass over integer
codes or floats. The answers are the same as the per-request evaluation's
(``evaluate._match_values`` and ``evaluate._Context._items``; tests/local/test_filter_columns.py).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd


def item_rows(items: pd.DataFrame, item_ids: np.ndarray) -> np.ndarray:
    """Row of ``items`` of each of ``item_ids`` (int64), -1 when it has none; of an item ID
    listed more than once, its last row (as an upsert would keep it)."""
    ids = items["ITEM_ID"].astype(str)
    if len(ids) == len(item_ids) and np.array_equal(ids.to_numpy(dtype=object), item_ids):
        return np.arange(len(ids))  # the common case: same catalogue, same order
    keep = None
    if not ids.is_unique:
        keep = np.flatnonzero(~ids.duplicated(keep="last").to_numpy())
        ids = ids.iloc[keep]
    pos = pd.Index(ids).get_indexer(item_ids)
    if keep is not None:
        pos = np.where(pos >= 0, keep[np.maximum(pos, 0)], -1)
    return np.asarray(pos, dtype=np.int64)


def as_strings(column: pd.Series) -> pd.Series | None:
    """A categorical condition's view of ``column``: its cells as strings (booleans as
    "true"/"false"), or None for a numeric column, whose values match as numbers."""
    column = column.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(column.dtype):
        return column.map({True: "true", False: "false"}).astype("str")
    if pd.api.types.is_numeric_dtype(column.dtype):
        return None
    return column if column.dtype == "str" else column.astype("str")


def as_numbers(column: pd.Series) -> np.ndarray:
    """``column`` as float64, NaN where a cell is missing or not a number."""
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def number_matches(numbers: np.ndarray, wanted: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(has a value, is one of ``wanted``) per value of a numeric column: numbers compare as
    numbers, so "10" matches 10 and 10.0; values of ``wanted`` that are no number match none."""
    targets = pd.to_numeric(pd.Series(wanted, dtype=object), errors="coerce").dropna()
    has_value = ~np.isnan(numbers)
    return has_value, np.isin(numbers, targets.to_numpy(dtype=float)) & has_value


def has_string_value(strings: pd.Series) -> np.ndarray:
    """Cells with a value: neither missing nor empty."""
    return (strings.notna() & (strings != "")).to_numpy()


def match_values(column: pd.Series, wanted: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(has a value, some '|'-separated part is in ``wanted``) per row of ``column``: the
    per-request evaluation of IN / NOT IN on the Items frame itself."""
    strings = as_strings(column)
    if strings is None:
        return number_matches(as_numbers(column), wanted)
    has_value = has_string_value(strings)
    if not wanted:
        return has_value, np.zeros(len(strings), dtype=bool)
    if strings.str.contains("|", regex=False, na=False).any():
        # One regex over the column (RE2 inside pyarrow) beats splitting every cell.
        alternatives = "|".join(re.escape(w) for w in wanted)
        pattern = rf"(?:^|\|)(?:{alternatives})(?:\||$)"
        hit = strings.str.contains(pattern, regex=True, na=False).to_numpy()
    else:
        hit = strings.isin(wanted).to_numpy()
    return has_value, hit & has_value


@dataclass(frozen=True)
class _Parts:
    """A categorical column over the model's items: the items whose cell holds each
    ``|``-separated part, grouped by the part's text (so an IN list costs the items it
    matches, not a pass over the catalogue)."""

    has_value: np.ndarray  # bool per model item (read-only)
    items: np.ndarray  # int64 model positions, grouped by part: code c's are bounds[c]:bounds[c+1]
    bounds: np.ndarray  # int64, one more than there are codes
    codes: pd.Index  # part text → code (its position here)
    multi: bool  # some cell holds more than one part

    def items_of(self, wanted: list[str]) -> np.ndarray:
        """Model positions of the items with a part in ``wanted`` (repeats possible)."""
        found = self.codes.get_indexer(pd.Index(wanted, dtype=object))
        slices = [self.items[self.bounds[c] : self.bounds[c + 1]] for c in found[found >= 0]]
        return np.concatenate(slices) if slices else np.empty(0, dtype=np.int64)


class ItemColumns:
    """The Items frame ``items`` lined up with a model's ``item_ids``; columns are prepared
    when first read (by one thread; the others wait) and kept with this object."""

    def __init__(self, items: pd.DataFrame, item_ids: np.ndarray) -> None:
        self.items = items
        self.size = len(item_ids)
        self._item_ids = item_ids
        self._rows: np.ndarray | None = None  # lined up when a column is first prepared
        self._lock = threading.Lock()
        self._parts: dict[str, _Parts | None] = {}
        self._numbers: dict[str, np.ndarray] = {}

    @property
    def item_ids(self) -> np.ndarray:
        """The model's item IDs these columns are lined up with."""
        return self._item_ids

    @property
    def rows(self) -> np.ndarray:
        """``item_rows`` of the model's items (the caller holds the lock)."""
        if self._rows is None:
            self._rows = item_rows(self.items, np.asarray(self._item_ids, dtype=object))
        return self._rows

    def _aligned(self, values: np.ndarray, fill: object) -> np.ndarray:
        rows = self.rows
        known = rows >= 0
        out = np.full(self.size, fill, dtype=values.dtype)
        out[known] = values[rows[known]]
        return out

    def numbers(self, field: str) -> np.ndarray:
        """The column as float64 per model item (read-only), NaN for an item without a row,
        a value, or a number."""
        with self._lock:
            hit = self._numbers.get(field)
            if hit is None:
                hit = self._aligned(as_numbers(self.items[field]), np.nan)
                hit.flags.writeable = False
                self._numbers[field] = hit
        return hit

    def _prepared(self, field: str) -> _Parts | None:
        with self._lock:
            if field not in self._parts:
                self._parts[field] = self._split(field)
            return self._parts[field]

    def _split(self, field: str) -> _Parts | None:
        strings = as_strings(self.items[field])
        if strings is None:
            return None
        has_value = self._aligned(has_string_value(strings), False)
        valued = np.flatnonzero(has_value)
        cells = strings.to_numpy(dtype=object)[self.rows[valued]]
        multi = bool(pd.Series(cells, dtype=object).str.contains("|", regex=False).any())
        if multi:
            split = pd.Series(cells, index=valued, dtype=object).str.split("|").explode()
            item, text = split.index.to_numpy(dtype=np.int64), split.to_numpy(dtype=object)
        else:
            item, text = valued.astype(np.int64), cells
        code, uniques = pd.factorize(text)
        order = np.argsort(code, kind="stable")
        bounds = np.zeros(len(uniques) + 1, dtype=np.int64)
        np.cumsum(np.bincount(code, minlength=len(uniques)), out=bounds[1:])
        has_value.flags.writeable = False
        return _Parts(has_value, item[order], bounds, pd.Index(uniques, dtype=object), multi)

    def matches(self, field: str, wanted: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(has a value, some ``|``-separated part of the value is in ``wanted``) per model
        item, for IN and NOT IN; a numeric column compares numbers (``number_matches``).

        A wanted value that holds ``|`` itself matches, in a column with multi-part cells,
        the cells holding that run of parts (the per-request evaluation matches it as text in
        the cell); it is answered from the column's text, as that evaluation does.
        """
        parts = self._prepared(field)
        if parts is None:
            return number_matches(self.numbers(field), wanted)
        if parts.multi and any("|" in w for w in wanted):
            _, hit = match_values(self.items[field], wanted)  # as text, see above
            with self._lock:
                return parts.has_value, self._aligned(hit, False)
        hit = np.zeros(self.size, dtype=bool)
        hit[parts.items_of(wanted)] = True
        return parts.has_value, hit
