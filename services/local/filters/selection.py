"""Sets of a model's items that an Items-only part of a filter allows, kept between requests.

Why: what ``Items.CATEGORY_L1 IN ($CATEGORY)`` or ``Items.PRICE >= $MAX`` lets through
depends on the Items dataset, the model's items and the filterValues, never on the user, yet
evaluating it is several passes over the catalogue: on 5,000,000 items a one-category filter
with a price exclusion cost about 13 ms of masks a request before the search began
(bench/items_filter.py). A ``SelectionCache`` keeps the answer per model and Items version
(``ModelCache.filter_selections`` makes a new one when either changes), by filter and values,
within a memory budget; a ``Selection`` keeps a selective answer as its item codes rather than
a mask, and, once a norm-ordered search asks, its items' rows in that index's order.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Protocol

import numpy as np

# a selection holding fewer than one item in this many keeps its sorted codes (8 bytes an
# item) instead of a mask (1 byte per catalogue item)
SPARSE_SHARE = 8
# what a model's cache keeps at most: 36 one-category selections of a 5,000,000-item
# catalogue take about 60 MiB, a selection keeping half of it about 15 MiB
CACHE_BYTES = 256 * 2**20


class OrderedIndex(Protocol):
    """An index that scans rows in an order of its own (``NormOrderedIndex``)."""

    def positions_of(self, allowed: np.ndarray) -> np.ndarray:
        """Ascending rows of the allowed items (bool per item code) in the index's order."""
        ...

    def rows_of(self, codes: np.ndarray) -> np.ndarray:
        """Ascending rows of the items ``codes`` in the index's order."""
        ...


class Selection:
    """A set of item codes 0 … ``size`` − 1, built from a mask over them (which it may keep
    or not: callers must not change it). Read-only once built; ``rows`` is computed once per
    index, by one thread."""

    def __init__(self, mask: np.ndarray) -> None:
        mask = np.asarray(mask, dtype=bool)
        self.size = len(mask)
        self.count = int(np.count_nonzero(mask))
        self._codes: np.ndarray | None = None
        self._mask: np.ndarray | None = None
        if self.count * SPARSE_SHARE < self.size:
            self._codes = np.flatnonzero(mask)
        else:
            self._mask = mask
            mask.flags.writeable = False
        self._rows: tuple[OrderedIndex, np.ndarray] | None = None
        self._lock = threading.Lock()
        # called once rows are kept: the cache holding the selection counts them then, or
        # its bound would hold only for what it held when the selection came in
        self.grown: Callable[[], None] | None = None

    @property
    def nbytes(self) -> int:
        """Memory held (bytes)."""
        held = [self._codes, self._mask, None if self._rows is None else self._rows[1]]
        return sum(a.nbytes for a in held if a is not None)

    def contains(self, codes: np.ndarray) -> np.ndarray:
        """Whether each of ``codes`` (int, in range) is in the set (bool array)."""
        codes = np.asarray(codes, dtype=np.int64)
        if self._mask is not None:
            return self._mask[codes]
        assert self._codes is not None
        at = np.searchsorted(self._codes, codes)
        found = at < len(self._codes)
        found[found] = self._codes[at[found]] == codes[found]
        return found

    def codes(self) -> np.ndarray:
        """The codes in the set, ascending (int64; a pass over the mask when kept as one)."""
        if self._codes is not None:
            return self._codes
        assert self._mask is not None  # one of the two is kept
        return np.flatnonzero(self._mask)

    def mask(self) -> np.ndarray:
        """A bool per code (read-only when kept; else a new array)."""
        if self._mask is not None:
            return self._mask
        out = np.zeros(self.size, dtype=bool)
        out[self.codes()] = True
        return out

    def rows(self, index: OrderedIndex) -> np.ndarray:
        """The set's rows in ``index``'s order (ascending; int32 when that holds every row:
        half the memory), computed once per index and kept while the same index asks."""
        with self._lock:
            if self._rows is None or self._rows[0] is not index:
                if self._codes is not None:  # a few items: found by code, then sorted
                    rows = index.rows_of(self._codes)
                else:
                    rows = index.positions_of(self.mask())
                if len(rows) and int(rows[-1]) < 2**31:
                    rows = rows.astype(np.int32)
                rows.flags.writeable = False
                self._rows = (index, rows)
                grown = self.grown
            else:
                return self._rows[1]
        if grown is not None:
            grown()
        return rows


class SelectionCache:
    """Selections by key (a filter's resolved conditions), the least recently used dropped
    beyond ``budget`` bytes. One per model and Items version: the caller makes a new one when
    either changes, which is what keeps its answers current."""

    def __init__(self, budget: int = CACHE_BYTES) -> None:
        self.budget = budget
        self._kept: OrderedDict[Hashable, Selection] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], np.ndarray]) -> Selection:
        """The selection of ``key``, from ``build()`` (a bool mask) the first time. Two
        threads asking for a new key at once may both build it; the answers are the same."""
        with self._lock:
            hit = self._kept.get(key)
            if hit is not None:
                self._kept.move_to_end(key)
                return hit
        made = Selection(build())
        made.grown = self._trim
        with self._lock:
            self._kept[key] = made
            self._kept.move_to_end(key)
        self._trim()
        return made

    @property
    def nbytes(self) -> int:
        """Memory its selections hold (bytes; at most ``budget`` unless one alone is more)."""
        with self._lock:
            return sum(s.nbytes for s in self._kept.values())

    def _trim(self) -> None:
        """Drop the least recently used selections until the rest fit ``budget`` (the most
        recent is kept whatever its size)."""
        with self._lock:
            total = sum(s.nbytes for s in self._kept.values())
            while total > self.budget and len(self._kept) > 1:
                _, dropped = self._kept.popitem(last=False)
                total -= dropped.nbytes
