"""An exact search over item vectors kept in descending order of norm (``NormOrderedIndex``).

Factors whose norms vary widely defeat the partitions: on the ×10 shop (5,000,000 items, about
6 events each) ALS's norms ran from 2.5e-7 to 93 (median 0.044), the augmented coordinate
√(M² − ‖x‖²) was ≈ M for nearly every item, k-means lumped the many small items into a few huge
partitions that also held some of the users' best items, and 98 % of the exact top 25 took a
quarter of the items (98.9 % at 24.9 %, so that model scanned every item). Norm-ranging (Yan
et al., NeurIPS 2018: one index per range of norms, each with its own M) helped: on a 1,000,000
-item sample of those factors four ranges found 98.2 % at 1.3 % of the items where the single
index needed 2.7 % for 99.3 %. The same factors allow an exact search instead: every item of
1,000 users' exact top 25 lies among the 0.22 % of largest norm, so a scan in descending order of
norm that stops once no item left can beat the 25th found (``NormOrderedIndex``, a
Cauchy-Schwarz bound) scanned 0.044 % of the items on average and 2.6 % at most, with the exact
scan's answer. ``calibrated_index`` keeps it when it scans at most ``NORM_ORDERED_SHARE`` of the
items for the sampled users, otherwise the cheaper of it and the calibrated partitions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

# one block of a search: its rows' scores (float32), their item codes (int64), and the first
# row not yet scanned (the bound's norm is that row's)
Block = tuple[np.ndarray, np.ndarray, int]


@dataclass
class NormOrderedIndex:
    """An exact search over item vectors kept in descending order of norm, stopped by the
    Cauchy-Schwarz bound (LEMP's length pruning: Teflioudi, Gemulla and Mykytiuk, "LEMP:
    Fast Retrieval of Large Entries in a Matrix Product", SIGMOD 2015): once the ``n``-th
    best inner product found is at least ``‖u‖`` times the largest norm not yet scanned, no
    item left can enter the top ``n``, so the answer is the exact scan's.

    ALS factors of a sparse catalogue suit it: on the ×10 shop (5,000,000 items, about 6
    events each) the norms run from 2.5e-7 to 93 with a median of 0.044, every item of 1,000
    users' exact top 25 lies in the 0.22 % of largest norm, and the bound stops after 1,024
    items for 84 % of the users (docs/benchmarks.md). There the augmented coordinate of the
    inverted-file index (``augmented``: √(M² − ‖x‖²) with M = 93) is ≈ M for nearly every item,
    so its partitions, near-identical in distance to any query, find 98 % of the top 25 only
    beyond a quarter of the items. Vectors are scanned in blocks doubling from
    ``FIRST_BLOCK``, so a search scans at most twice the items its proof needs.
    """

    # float32, one row per item, in descending order of norm; a User-Personalization model
    # keeps these rows as its factors (``factor_codes``), so serving holds them once
    vectors: np.ndarray
    codes: np.ndarray  # int64 item code of each row
    norms: np.ndarray  # float32 norm of each row (descending)
    _row_of: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    exact: ClassVar[bool] = True  # its top n is the exact scan's: a request asks it for n
    FIRST_BLOCK = 256
    # relative margin the bound must be cleared by: float32 rounding of a 64-term inner
    # product stays far below it, so an item left out never scores above the n-th found
    MARGIN = 1e-4
    # a filter keeping fewer than 1 row in this many of a block gathers them before the
    # product; otherwise the product runs over the block and the kept scores are picked
    GATHER_BELOW = 2

    @classmethod
    def build(cls, factors: np.ndarray, codes: np.ndarray) -> NormOrderedIndex:
        """Index ``factors`` (one row per item of ``codes``): a sort by norm, seconds for
        5,000,000 rows. The index holds the sorted rows; a model that keeps them as its own
        factors (``over``) holds no second copy."""
        x = np.asarray(factors, dtype=np.float32)
        norms = row_norms(x)
        order = np.argsort(-norms, kind="stable")
        return cls(
            vectors=np.ascontiguousarray(x[order]),
            codes=np.asarray(codes, dtype=np.int64)[order],
            norms=norms[order],
        )

    @classmethod
    def over(cls, vectors: np.ndarray, codes: np.ndarray) -> NormOrderedIndex:
        """The index of rows already in descending order of norm (``build``'s ``vectors``
        and ``codes``, e.g. as a model file keeps them), searching ``vectors`` in place:
        no copy of them is made."""
        if vectors.dtype != np.float32 or not vectors.flags.c_contiguous:
            raise ValueError("a norm-ordered index searches C-contiguous float32 rows in place")
        return cls(
            vectors=vectors, codes=np.asarray(codes, dtype=np.int64), norms=row_norms(vectors)
        )

    def _blocks(self) -> Any:  # noqa: ANN401 (a generator of (start, stop))
        start, size = 0, self.FIRST_BLOCK
        while start < len(self.codes):
            stop = min(len(self.codes), start + size)
            yield start, stop
            start, size = stop, size * 2

    def _bound(self, reach: float, stop: int) -> float:
        """The largest inner product any row from ``stop`` on can have with a vector of norm
        ``reach`` (-inf past the last row)."""
        if stop >= len(self.norms):
            return -np.inf
        return reach * float(self.norms[stop]) * (1 + self.MARGIN)

    def _top(
        self, user: np.ndarray, n: int, blocks: Callable[[np.ndarray], Iterator[Block]]
    ) -> np.ndarray:
        """Item codes of the ``n`` best of what ``blocks(u)`` yields (each block's scores,
        codes and the row from which nothing is scanned yet), stopped by the bound there."""
        u = np.asarray(user, dtype=np.float32)
        reach, n = float(np.linalg.norm(u)), int(n)
        best_s = np.empty(0, dtype=np.float32)
        best_c = np.empty(0, dtype=np.int64)
        if n <= 0:
            return best_c
        for s, c, following in blocks(u):
            s, c = np.concatenate([best_s, s]), np.concatenate([best_c, c])
            if len(s) > n:
                top = np.argpartition(-s, n - 1)[:n]
                s, c = s[top], c[top]
            best_s, best_c = s, c
            if len(s) >= n and float(s.min()) > self._bound(reach, following):
                break
        return best_c

    def search(self, user: np.ndarray, n: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """Item codes (int64) of the ``n`` items with the largest inner product with
        ``user``, exactly (ties at the n-th value broken either way); of the ``allowed``
        items (bool per item code) when given, scanning deeper the fewer items it allows."""

        def blocks(u: np.ndarray) -> Iterator[Block]:
            for start, stop in self._blocks():
                c = self.codes[start:stop]
                if allowed is None:
                    yield self.vectors[start:stop] @ u, c, stop
                    continue
                keep = allowed[c]
                # a selective filter (an Items filter on one category) keeps a few rows of
                # a block: gathering those reads a fraction of the block's memory that the
                # product over every row would, which is what the scan's time is
                if int(np.count_nonzero(keep)) * self.GATHER_BELOW < stop - start:
                    yield self.vectors[start:stop][keep] @ u, c[keep], stop
                else:
                    yield (self.vectors[start:stop] @ u)[keep], c[keep], stop

        return self._top(user, n, blocks)

    def search_rows(self, user: np.ndarray, n: int, rows: np.ndarray) -> np.ndarray:
        """``search`` among the rows ``rows`` only (positions in this index's order,
        ascending, so in descending order of norm: ``positions_of`` or ``rows_of`` the
        allowed items): item codes (int64) of the ``n`` best, exactly.

        A filter's items, kept in this order once (``filters.selection``), are scanned
        without reading the catalogue between them: ``search`` with a mask reads the mask at
        every row it passes, and a filter keeping 3 % of the items passes 33 rows for each
        one it scores. The bound is the largest norm among the rows not yet scanned (the next
        one's), so the answer is still the exact scan's among ``rows``.
        """

        def blocks(u: np.ndarray) -> Iterator[Block]:
            start, size = 0, self.FIRST_BLOCK
            while start < len(rows):
                stop = min(len(rows), start + size)
                at = rows[start:stop]
                following = int(rows[stop]) if stop < len(rows) else len(self.norms)
                yield self.vectors[at] @ u, self.codes[at], following
                start, size = stop, size * 2

        return self._top(user, n, blocks)

    def positions_of(self, allowed: np.ndarray) -> np.ndarray:
        """The rows (ascending positions in this index's order, int64) of the ``allowed``
        items (bool per item code) that it holds: ``search_rows``'s ``rows`` for a filter.
        One pass over the index, reading the mask in its order."""
        return np.flatnonzero(np.asarray(allowed, dtype=bool)[self.codes])

    def _rows_by_code(self) -> np.ndarray:
        """The row of each item code (-1: none here), built on first use and kept: 20 MB of
        int32 at 5,000,000 items."""
        if self._row_of is None:
            size = int(self.codes.max()) + 1 if len(self.codes) else 0
            dtype = np.int32 if len(self.codes) < 2**31 else np.int64
            row_of = np.full(size, -1, dtype=dtype)
            row_of[self.codes] = np.arange(len(self.codes), dtype=dtype)
            self._row_of = row_of
        return self._row_of

    def rows_of(self, codes: np.ndarray) -> np.ndarray:
        """The rows (ascending, int64) of those of item codes ``codes`` this index holds:
        ``positions_of`` for a few codes, without a pass over the index (a filter's
        125,000 items of 5,000,000 in 2 ms instead of 15)."""
        codes = np.asarray(codes, dtype=np.int64)
        row_of = self._rows_by_code()
        codes = codes[codes < len(row_of)]
        rows = row_of[codes].astype(np.int64)
        return np.sort(rows[rows >= 0])

    def holds(self, codes: np.ndarray) -> np.ndarray:
        """Whether each of item codes ``codes`` has a row here (bool array)."""
        codes = np.asarray(codes, dtype=np.int64)
        row_of = self._rows_by_code()
        inside = codes < len(row_of)
        inside[inside] = row_of[codes[inside]] >= 0
        return inside

    def extreme(self, user: np.ndarray) -> int:
        """The item code of the largest absolute inner product with ``user``, exactly (the
        scale ``_up_model.CandidateScorer`` divides by); -1 for an empty index."""
        u = np.asarray(user, dtype=np.float32)
        reach = float(np.linalg.norm(u))
        best, code = -1.0, -1
        for start, stop in self._blocks():
            s = np.abs(self.vectors[start:stop] @ u)
            at = int(s.argmax())
            if float(s[at]) > best:
                best, code = float(s[at]), int(self.codes[start + at])
            if best > self._bound(reach, stop):
                break
        return code

    def scanned(self, users: np.ndarray, n: int, batch: int = 32) -> np.ndarray:
        """How many rows an unfiltered ``search`` for ``n`` items scans for each row of
        ``users`` (query vectors; int64): the cost a calibration weighs."""
        users = np.asarray(users, dtype=np.float32)
        out = np.full(len(users), len(self.codes), dtype=np.int64)
        for first in range(0, len(users), batch):
            open_ = np.arange(first, min(first + batch, len(users)))
            reach = np.linalg.norm(users[open_], axis=1)
            best = np.empty((len(open_), 0), dtype=np.float32)
            for start, stop in self._blocks():
                s = np.hstack([best, users[open_] @ self.vectors[start:stop].T])
                if s.shape[1] > n:
                    s = -np.partition(-s, n - 1, axis=1)[:, :n]
                bound = reach * float(self.norms[min(stop, len(self.norms) - 1)])
                done = (s.shape[1] >= n) & (s.min(axis=1) > bound * (1 + self.MARGIN))
                if stop >= len(self.codes):
                    done[:] = True
                out[open_[done]] = stop
                best, open_, reach = s[~done], open_[~done], reach[~done]
                if not len(open_):
                    break
        return out

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The arrays a model file keeps (``from_arrays`` reads them back)."""
        return {"retrieval_vectors": self.vectors, "retrieval_codes": self.codes}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> NormOrderedIndex:
        """Inverse of ``to_arrays``."""
        vectors = np.ascontiguousarray(arrays["retrieval_vectors"], dtype=np.float32)
        return cls.over(vectors, arrays["retrieval_codes"])


def row_norms(x: np.ndarray, rows: int = 65_536) -> np.ndarray:
    """The Euclidean norm (float32) of each row of ``x`` (float32), ``rows`` rows at a time:
    the same values as ``np.linalg.norm(x, axis=1)``, without its temporary array as large as
    ``x`` (1.28 GB for 5,000,000 × 64 factors)."""
    out = np.empty(len(x), dtype=np.float32)
    for start in range(0, len(x), rows):
        out[start : start + rows] = np.linalg.norm(x[start : start + rows], axis=1)
    return out
