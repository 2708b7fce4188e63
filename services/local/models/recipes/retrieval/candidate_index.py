"""Maximum-inner-product candidate retrieval over a model's item factors.

A GetRecommendations call for an ALS-backed model multiplies the user's vector by every learned
item's factors: 500,000 × 64 float32 is 128 MB streamed through memory per request, and that,
not the code around it, is the floor of its latency on a large catalogue. Above
``INDEX_MIN_ITEMS`` learned items the model keeps an inverted-file index over the factors and a
request scores exactly only the items of the ``nprobe`` partitions nearest the user's vector,
which holds the true best items with high probability. Every candidate is re-scored with the
exact formula, so only the membership of the list can differ (and the softmax scores, whose
denominator over the whole catalogue is estimated from a sample: ``_up_model.CandidateScorer``).
Smaller catalogues keep the exact scan and their lists are identical to what they were.

Why faiss (``faiss-cpu``, IVF-Flat) and not an HNSW graph (``usearch``): on this shared two-core
machine (load average 13) 100,000 synthetic 64-dimensional factors took faiss 31 s to build
(k-means on a sample, then one assignment pass) and usearch 203 s, and an HNSW build grows
faster than linearly, which a 500,000-item training run cannot afford; an IVF index's recall is
tuned at query time (``nprobe``) without a rebuild; and faiss serialises an index to a byte
array (``faiss.serialize_index``) that the model's ``.npz`` keeps as plain uint8: one file,
read back by numpy's loader with object arrays refused. Measured on the ALS factors of the
seed shop (494,349 learned items of ``bench/seed_shop.py``'s 500,000, 6M events, 300 users'
fold-in vectors; load average 20): the exact top 25 among 200 candidates 99.76 % at nprobe 70
of 2,812 partitions, 99.87 % at 141 (the default, 5 %), 99.92 % at 282; a search of 141 partitions
(about 25,000 items) took 1.3 ms p50 against 32 ms for the exact scan at that load (measured
on the variant below, which visits as many items). Partitioned on the raw inner product
instead (no ``augmented`` coordinate) it found 21-31 %. Building the index of the 494,349
items took 295 s at that load (k-means in 65 dimensions, two threads), on top of training.

How many partitions a search visits is not a fixed share: how well a model's vectors partition
depends on the model (v2 after the one epoch its budget allowed on the 500,000-item shop: 79 %
of the exact top 25 at 5 % of the partitions, 92 % at 40 %, when a search there already scans
35 % of the items). ``calibrate`` chooses it when the version is trained, on the query vectors
of up to ``CALIBRATION_USERS`` sampled users of that model (v1: the fold-in of a training
user's history; v2: the network's output after it): the fewest partitions whose recall of the
exact top ``RECALL_K`` (numpy's, over every item) clears ``RECALL_TARGET`` by
``CALIBRATION_MARGIN`` and ``CALIBRATION_Z`` standard errors of the sample. When reaching it
would scan more than ``MAX_VISIT_SHARE`` of the items (no longer clearly cheaper than the exact
scan), the model keeps no index and scans every item; the ``Calibration`` saved with the model
says which and why. That v2 model, calibrated on 1,000 users: 90.2 % at the widest search within
the bound (893 of 2,828 partitions, 25 % of the items), so it keeps the exact scan
(``bench/recalibrate.py``; docs/benchmarks.md).

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

import os
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np

from services.local.models.recipes.base import Checkpoint, no_checkpoint
from services.local.models.recipes.saved.model_header import header_int

INDEX_MIN_ITEMS = 100_000  # learned items from which a model keeps an index (exact scan below)
NPROBE_SHARE = 0.05  # share of the partitions a query visits before ``calibrate`` sets it
MIN_NPROBE = 16
RECALL_K = 25  # the list whose exact members the index must find (issue #24: numResults 25)
RECALL_TARGET = 0.98  # share of them it must find (issue #24)
CALIBRATION_USERS = 1000  # sampled users whose query vectors calibrate a model's index
# what the sample's mean recall must clear RECALL_TARGET by, so that other users' recall stays
# above the target too: CALIBRATION_MARGIN plus CALIBRATION_Z standard errors of the mean
# (about 0.002 on 1,000 users near 98 %). The margin is for users unlike the sample: on the
# retrieval tests' shop 1,000 sampled users' 98.3 % was 97.5 % for its 60 most active users.
CALIBRATION_MARGIN = 0.01
CALIBRATION_Z = 2.0
# the widest search worth keeping an index for: its mean share of the items scanned (beyond
# it the exact scan, which streams every item once, is not clearly slower; on the 500,000-item
# shop a search scanning 35 % of the items took 4.3 ms against about 10 ms for the exact scan)
MAX_VISIT_SHARE = 0.25
TRAIN_PER_LIST = 40  # k-means training points per partition (faiss asks for at least 39)
SOFTMAX_SAMPLE = 4096  # items whose scores estimate a softmax denominator
NORM_ORDERED = "norm-ordered"  # ``Calibration.method`` of a ``NormOrderedIndex``
# the mean share of the items a norm-ordered search may scan for the sampled users' top
# RECALL_K and be kept without building an inverted-file index to compare with (an exact
# search this narrow is as cheap as the partitions' best: 3.1 % of the seed shop's items)
NORM_ORDERED_SHARE = 0.05
# a model file's header mark (``save_index``): under ROWS_KEY, SHARED_FACTORS says its
# norm-ordered index searches the model's own factors, which the file keeps in the index's order
ROWS_KEY, SHARED_FACTORS = "retrieval_rows", "factors"


def _faiss() -> Any:  # noqa: ANN401 (the library has no type hints)
    import faiss  # heavy import: only for models that keep an index

    return faiss


def partitions_for(n: int) -> int:
    """How many inverted lists an index of ``n`` vectors gets: 4·√n, faiss's usual choice."""
    return max(1, min(n // TRAIN_PER_LIST, int(4 * np.sqrt(n))))


def default_nprobe(nlist: int) -> int:
    """The partitions a search visits before ``calibrate`` sets it: ``NPROBE_SHARE`` of
    ``nlist``, at least ``MIN_NPROBE``, at most all of them."""
    return min(nlist, max(MIN_NPROBE, int(np.ceil(NPROBE_SHARE * nlist))))


def augmented(factors: np.ndarray) -> np.ndarray:
    """Item factors with one more coordinate, √(M² − ‖x‖²) for the largest norm M, so that
    every row has norm M and, for a query (u, 0), ‖(u, 0) − x'‖² = ‖u‖² + M² − 2 u·x: the
    nearest rows are those of the largest inner product (Bachrach et al. 2014). ALS factors'
    norms span more than three orders of magnitude (0.003 to 9 on the seed shop), and an
    inner-product index partitioned without this finds 26 % of the exact top 25, against
    99.9 % with it (see the module doc)."""
    norms = np.linalg.norm(factors, axis=1)
    extra = np.sqrt(np.maximum(float(norms.max(initial=0.0)) ** 2 - norms**2, 0.0))
    return np.ascontiguousarray(np.hstack([factors, extra[:, None]]), dtype=np.float32)


@dataclass
class FactorIndex:
    """An inverted-file index of the ``augmented`` factors whose ids are the model's item
    codes."""

    index: Any  # faiss.IndexIVFFlat, L2 over the augmented factors
    nprobe: int
    # its answers approximate the top n: a request asks it for more candidates than it lists
    exact: ClassVar[bool] = False
    # ``largest_norms``' answer, once asked
    _bounds: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.index.nprobe = self.nprobe  # the width of ``search_in``'s partition lists

    def largest_norms(self) -> tuple[np.ndarray, np.ndarray]:
        """Per partition, the largest norm (float64) of its factors without the augmented
        coordinate, and its number of items (int64): no item of partition p has an inner
        product with u beyond ``‖u‖ · norms[p]`` (Cauchy-Schwarz). Read from the index's own
        vectors once, when first asked (seconds for 500,000 items on a loaded machine)."""
        with self._lock:
            if self._bounds is None:
                faiss, lists = _faiss(), self.index.invlists
                norms = np.zeros(self.index.nlist)
                sizes = np.zeros(self.index.nlist, dtype=np.int64)
                for p in range(self.index.nlist):
                    sizes[p] = size = lists.list_size(p)
                    if size:
                        raw = faiss.rev_swig_ptr(lists.get_codes(p), size * self.index.code_size)
                        x = np.frombuffer(raw, dtype=np.float32).reshape(size, -1)[:, :-1]
                        norms[p] = np.sqrt(float(np.einsum("ij,ij->i", x, x).max()))
                self._bounds = (norms, sizes)
            return self._bounds

    def filtered_nprobe(self, share: float) -> int:
        """The partitions a search among a ``share`` (0-1] of the items visits: ``nprobe``, or
        the uncalibrated default when that is wider (``default_nprobe``), divided by the share,
        up to all of them.

        ``calibrate`` measures unfiltered searches only. A filter's best items lie deeper in
        the user's ranking, and further still when the filter leaves out the partitions
        nearest the user (a category the user buys in): on the retrieval tests' shop (50
        partitions, 12 calibrated), a filter of one category of three found 98.5 % of its
        exact top 25 at 12 / share and 99.4 % at 40, a category-and-price filter (53 % of the
        items) 95.8 % at 12 / share and 98.1 % at 30. So a filtered search is never narrower
        than before calibration, which measured 99.98-100 % with the Items filters of the
        500,000-item seed shop.
        """
        nlist = int(self.index.nlist)
        base = max(self.nprobe, default_nprobe(nlist))
        return min(nlist, int(np.ceil(base / max(share, 1e-9))))

    def assignments(self) -> np.ndarray:
        """The partition (int64) of every item code the index holds, -1 for codes it does not
        hold; as long as the largest code + 1."""
        faiss, lists = _faiss(), self.index.invlists
        chunks = []
        for p in range(self.index.nlist):
            size = lists.list_size(p)
            if size:
                ids = faiss.rev_swig_ptr(lists.get_ids(p), size).view(np.int64).copy()
                chunks.append((p, ids))
        top = max((int(ids.max()) for _, ids in chunks), default=-1)
        part = np.full(top + 1, -1, dtype=np.int64)
        for p, ids in chunks:
            part[ids] = p
        return part

    def partition_order(self, users: np.ndarray) -> np.ndarray:
        """For each row of ``users`` (query vectors), every partition (int64), nearest first:
        a search at nprobe p visits the first p of its row."""
        q = np.hstack([users, np.zeros((len(users), 1))]).astype(np.float32)
        _, order = self.index.quantizer.search(np.ascontiguousarray(q), self.index.nlist)
        return order

    def partitions(self, user: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ``nprobe`` partitions a search for ``user`` visits (int64, nearest first), with
        their distances: what ``search`` scans."""
        q = np.ascontiguousarray(np.r_[user, 0.0], dtype=np.float32).reshape(1, -1)
        dist, lists = self.index.quantizer.search(q, self.nprobe)
        return lists[0], dist[0]

    def search_in(
        self, user: np.ndarray, n: int, lists: np.ndarray, dist: np.ndarray, keep: np.ndarray
    ) -> np.ndarray:
        """``search``'s answer among the items of the partitions ``lists[keep]`` only
        (``lists`` and ``dist`` as ``partitions`` gives them for ``user``): the same
        distances, so the same order of the items it holds."""
        faiss = _faiss()
        faiss.omp_set_num_threads(1)
        q = np.ascontiguousarray(np.r_[user, 0.0], dtype=np.float32).reshape(1, -1)
        assign = np.where(keep, lists, -1).astype(np.int64).reshape(1, -1)  # -1: skipped
        _, ids = self.index.search_preassigned(q, int(n), assign, dist.reshape(1, -1))
        found = ids[0]
        return found[found >= 0]

    @classmethod
    def build(cls, factors: np.ndarray, codes: np.ndarray, seed: int = 42) -> FactorIndex:
        """Index ``factors`` (float32, one row per item of ``codes``, the model's item codes).

        k-means is trained on at most ``TRAIN_PER_LIST`` × partitions rows drawn with ``seed``,
        so building stays linear in the catalogue.
        """
        faiss = _faiss()
        x = augmented(np.asarray(factors, dtype=np.float32))
        n, d = x.shape
        nlist = partitions_for(n)
        index = faiss.IndexIVFFlat(faiss.IndexFlatL2(d), d, nlist, faiss.METRIC_L2)
        index.cp.seed = seed
        rng = np.random.default_rng(seed)
        sample = x[np.sort(rng.choice(n, size=min(n, TRAIN_PER_LIST * nlist), replace=False))]
        faiss.omp_set_num_threads(min(2, os.cpu_count() or 1))
        index.train(sample)
        index.add_with_ids(x, np.asarray(codes, dtype=np.int64))
        return cls(index=index, nprobe=default_nprobe(nlist))

    def search(self, user: np.ndarray, n: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """Item codes (int64) of at most ``n`` items with the largest inner product with
        ``user``, approximately (those of the ``nprobe`` nearest partitions).

        ``allowed`` (bool per item code) keeps the search to those items, and the search visits
        more partitions the fewer items it allows (``filtered_nprobe``), so that it weighs
        about as many allowed items as an unfiltered search weighs items: a filter that leaves
        a tenth of the catalogue would otherwise leave a tenth of the candidates, and its best
        items would be looked for among them alone.
        """
        faiss = _faiss()
        faiss.omp_set_num_threads(1)  # one request, one core: the server has other requests
        nprobe, selector, bits = self.nprobe, None, None
        if allowed is not None:
            share = np.count_nonzero(allowed) / max(len(allowed), 1)
            nprobe = self.filtered_nprobe(share)
            bits = np.packbits(np.asarray(allowed, dtype=bool), bitorder="little")
            selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits))
        params = faiss.SearchParametersIVF(nprobe=nprobe, sel=selector)
        # the query's extra coordinate is 0: its distance to an augmented item falls as their
        # inner product rises (see ``augmented``)
        q = np.ascontiguousarray(np.r_[user, 0.0], dtype=np.float32).reshape(1, -1)
        _, ids = self.index.search(q, int(n), params=params)
        del bits  # the selector reads it during the search only
        found = ids[0]
        return found[found >= 0]

    def to_array(self) -> np.ndarray:
        """The index as a uint8 array (faiss's own serialisation), for the model's .npz."""
        return np.asarray(_faiss().serialize_index(self.index), dtype=np.uint8)

    @classmethod
    def from_array(cls, data: np.ndarray, nprobe: int) -> FactorIndex:
        """Inverse of ``to_array``."""
        return cls(
            index=_faiss().deserialize_index(np.asarray(data, dtype=np.uint8)), nprobe=nprobe
        )


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

    exact: ClassVar[bool] = True  # its top n is the exact scan's: a request asks it for n
    FIRST_BLOCK = 256
    # relative margin the bound must be cleared by: float32 rounding of a 64-term inner
    # product stays far below it, so an item left out never scores above the n-th found
    MARGIN = 1e-4

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

    def search(self, user: np.ndarray, n: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """Item codes (int64) of the ``n`` items with the largest inner product with
        ``user``, exactly (ties at the n-th value broken either way); of the ``allowed``
        items (bool per item code) when given, scanning deeper the fewer items it allows."""
        u = np.asarray(user, dtype=np.float32)
        reach, n = float(np.linalg.norm(u)), int(n)
        best_s = np.empty(0, dtype=np.float32)
        best_c = np.empty(0, dtype=np.int64)
        if n <= 0:
            return best_c
        for start, stop in self._blocks():
            s, c = self.vectors[start:stop] @ u, self.codes[start:stop]
            if allowed is not None:
                keep = allowed[c]
                s, c = s[keep], c[keep]
            s, c = np.concatenate([best_s, s]), np.concatenate([best_c, c])
            if len(s) > n:
                top = np.argpartition(-s, n - 1)[:n]
                s, c = s[top], c[top]
            best_s, best_c = s, c
            if len(s) >= n and float(s.min()) > self._bound(reach, stop):
                break
        return best_c

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


CandidateIndex = FactorIndex | NormOrderedIndex


def save_index(
    index: CandidateIndex,
    arrays: dict[str, np.ndarray],
    header: dict[str, object],
    factors: np.ndarray | None = None,
) -> None:
    """Put ``index`` in a model file's arrays and JSON header (``load_index`` reads it).

    A ``NormOrderedIndex`` whose rows are the model's ``factors`` themselves (the same array,
    saved by the model) is saved as a mark only: the file keeps those rows once.
    """
    if isinstance(index, NormOrderedIndex):
        if factors is not None and index.vectors is factors:
            header[ROWS_KEY] = SHARED_FACTORS
        else:
            arrays.update(index.to_arrays())
    else:
        arrays["retrieval_index"] = index.to_array()
        header["retrieval_nprobe"] = index.nprobe


def load_index(
    header: Mapping[str, object],
    arrays: Mapping[str, np.ndarray],
    factors: np.ndarray | None = None,
    factor_codes: np.ndarray | None = None,
) -> CandidateIndex | None:
    """The index a model file keeps, or None (a file saved without one: its requests scan
    every item). ``factors`` and ``factor_codes``: the model's rows and their item codes as
    loaded, which an index saved as ``SHARED_FACTORS`` searches in place.

    Raises:
        ValueError: the header marks a shared index but no factors were given.
    """
    if header.get(ROWS_KEY) == SHARED_FACTORS:
        if factors is None or factor_codes is None:
            raise ValueError("the model file's index searches factors it does not keep")
        return NormOrderedIndex.over(factors, factor_codes)
    if "retrieval_vectors" in arrays:
        return NormOrderedIndex.from_arrays(arrays)
    if "retrieval_index" in arrays:
        return FactorIndex.from_array(
            arrays["retrieval_index"], header_int(header, "retrieval_nprobe")
        )
    return None


@dataclass(frozen=True)
class Calibration:
    """How ``calibrate`` set a model's index at training time, saved with the model (its JSON
    header) and shown in the version's training report.

    ``nprobe`` is the setting kept, or None when the model scans every item (``reason`` says
    why). ``recall`` (0-1) and ``standard_error`` are the sampled users' mean recall of the
    exact top ``k`` at ``nprobe``, or, when none was kept, at the widest setting within
    ``MAX_VISIT_SHARE`` (``tried``); ``visited`` is the mean share of the indexed items a
    search at that setting scans. The floats are None when no user could be sampled.
    """

    nprobe: int | None
    tried: int
    partitions: int
    users: int
    k: int
    target: float
    recall: float | None
    standard_error: float | None
    visited: float | None
    reason: str = ""
    # User-Personalization: the share of the sampled users whose score scale the search finds
    scale_found: float | None = None
    # "partitions" (``FactorIndex``, the fields above) or "norm-ordered" (``NormOrderedIndex``:
    # exact, recall 1; ``visited`` its mean share of the items scanned, ``visited_p99`` the
    # 99th percentile's)
    method: str = "partitions"
    visited_p99: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (the model file's header)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Calibration:
        """Inverse of ``as_dict``."""
        return cls(**{f.name: doc[f.name] for f in fields(cls) if f.name in doc})

    def save_to(self, header: dict[str, object]) -> None:
        """Keep the calibration in a model file's JSON header (``from_header`` reads it)."""
        header["retrieval_calibration"] = self.as_dict()

    @classmethod
    def from_header(cls, header: Mapping[str, object]) -> Calibration | None:
        """The calibration a model file's header keeps; None for files written without one
        (before calibration, or a catalogue too small to consider an index)."""
        doc = header.get("retrieval_calibration")
        return cls.from_dict(doc) if isinstance(doc, Mapping) else None

    def summary(self) -> str:
        """One line, e.g. "candidate index: 57 of 2,828 partitions a search (3.1 % of the items),
        recall of the exact top 25 98.9 % (± 0.1) on 1,000 sampled users (target 98 %)"."""
        if self.recall is None or self.visited is None:
            return f"exact scan: {self.reason}"
        if self.method == NORM_ORDERED:
            return (
                f"candidate index: norm-ordered exact search, scanning {self.visited:.2%} of the "
                f"items on average ({self.visited_p99 or 0:.2%} at the 99th percentile) for the "
                f"top {self.k} of {self.users:,} sampled users"
            )
        found = (
            f"recall of the exact top {self.k} {self.recall:.1%} (± {self.standard_error or 0:.1%})"
            f" on {self.users:,} sampled users (target {self.target:.0%})"
        )
        setting = (
            f"{self.tried:,} of {self.partitions:,} partitions a search ({self.visited:.1%} of "
            "the items)"
        )
        if self.scale_found is not None:
            found += f", the score scale's item for {self.scale_found:.1%}"
        if self.nprobe is None:
            return f"exact scan: {self.reason}; at {setting}, {found}"
        return f"candidate index: {setting}, {found}"


def exact_top(
    users: np.ndarray, items: np.ndarray, k: int, batch: int = 64
) -> tuple[np.ndarray, np.ndarray]:
    """The exact scan, ``batch`` users at a time (a 500,000-item catalogue's scores take 2 MB
    a user): row positions (int64, users × min(k, items), unordered) of the ``k`` rows of
    ``items`` with the largest inner product with each row of ``users``, and per user the
    row of the largest absolute inner product, negated (-1 - row) when that is negative."""
    k = min(k, len(items))
    items = np.asarray(items, dtype=np.float32)
    top = np.empty((len(users), k), dtype=np.int64)
    extreme = np.empty(len(users), dtype=np.int64)
    for start in range(0, len(users), batch):
        scores = np.asarray(users[start : start + batch], dtype=np.float32) @ items.T
        top[start : start + batch] = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        far = np.abs(scores).argmax(axis=1)
        negative = scores[np.arange(len(scores)), far] < 0
        extreme[start : start + batch] = np.where(negative, -1 - far, far)
    return top, extreme


def _found_at(index: FactorIndex, users: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """How many of each user's ``truth`` item codes (users × m) a search at nprobe p finds
    ([u, p - 1], int32): those whose partition is among the first p the quantizer orders for
    that user's vector."""
    nlist = int(index.index.nlist)
    n_users, m = truth.shape
    order = index.partition_order(users)
    rank = np.empty_like(order)
    rank[np.arange(n_users)[:, None], order] = np.arange(nlist)[None, :]
    part = index.assignments()[truth]
    hits = np.zeros((n_users, nlist), dtype=np.int32)
    np.add.at(
        hits, (np.repeat(np.arange(n_users), m), rank[np.arange(n_users)[:, None], part].ravel()), 1
    )
    return np.cumsum(hits, axis=1, dtype=np.int32)


def _visited(index: FactorIndex, users: np.ndarray) -> np.ndarray:
    """The mean share of the indexed items a search at nprobe p scans ([p - 1])."""
    nlist = int(index.index.nlist)
    sizes = np.array([index.index.invlists.list_size(p) for p in range(nlist)], dtype=np.int64)
    order = index.partition_order(users)
    return np.cumsum(sizes[order], axis=1).mean(axis=0) / max(int(sizes.sum()), 1)


def calibrate(
    index: FactorIndex,
    items: np.ndarray,
    codes: np.ndarray,
    users: np.ndarray,
    *,
    k: int = RECALL_K,
    target: float = RECALL_TARGET,
    max_visit: float = MAX_VISIT_SHARE,
    scale: bool = False,
) -> Calibration:
    """The fewest partitions a search of ``index`` must visit for the query vectors ``users``
    (float, one row per sampled user) to find ``target`` of the exact top ``k`` among
    ``items`` (the indexed vectors, one row per item of ``codes``), the sample's mean recall
    clearing it by ``CALIBRATION_MARGIN`` and ``CALIBRATION_Z`` standard errors; ``nprobe``
    None when that takes more than ``max_visit`` of the items a search, or no user was given.

    With ``scale`` (User-Personalization, whose ``CandidateScorer`` divides by the largest
    absolute score it finds, searching for the user's vector and for its negation) the same
    must hold for the share of users whose item of the largest absolute score is found.

    An item is found at nprobe p exactly when its partition is among the first p the
    quantizer orders for the vector searched (and the exact re-scoring then ranks it as the
    exact scan does), so every setting's recall comes from one ordering per user.
    """
    nlist = int(index.index.nlist)
    n_users = len(users)
    if not n_users or not len(items):
        why = "no user history to calibrate the index on"
        return Calibration(None, 0, nlist, 0, k, target, None, None, None, why)
    k = min(k, len(items))
    users = np.asarray(users, dtype=np.float32)
    codes = np.asarray(codes, dtype=np.int64)
    top, extreme = exact_top(users, items, k)
    recall_at = _found_at(index, users, codes[top]) / k  # [u, p - 1]: user u's recall at p
    checks = [recall_at]
    if scale:
        negative = extreme < 0
        far = codes[np.where(negative, -1 - extreme, extreme)][:, None]
        found = np.where(
            negative[:, None], _found_at(index, -users, far), _found_at(index, users, far)
        )
        checks.append(found.astype(np.float64))
    means = [c.mean(axis=0) for c in checks]
    ses = [
        c.std(axis=0, ddof=1) / np.sqrt(n_users) if n_users > 1 else np.ones(nlist) for c in checks
    ]
    ok = np.logical_and.reduce(
        [
            m - CALIBRATION_Z * e >= target + CALIBRATION_MARGIN
            for m, e in zip(means, ses, strict=True)
        ]
    )
    visited = _visited(index, users)
    reach = np.flatnonzero(ok)
    kept = bool(len(reach)) and visited[reach[0]] <= max_visit
    if kept:
        p, why = int(reach[0]), ""
    else:
        within = np.flatnonzero(visited <= max_visit)
        p = int(within[-1]) if len(within) else 0
        why = (
            f"no search scanning at most {max_visit:.0%} of the items found {target:.0%} of the "
            f"exact top {k}" + (" and the score scale's item" if scale else "")
        )
    return Calibration(
        nprobe=p + 1 if kept else None, tried=p + 1, partitions=nlist, users=n_users, k=k,
        target=target, recall=float(means[0][p]), standard_error=float(ses[0][p]),
        visited=float(visited[p]), reason=why,
        scale_found=float(means[1][p]) if scale else None,
    )  # fmt: skip


def calibrate_norm_ordered(
    index: NormOrderedIndex, users: np.ndarray, *, k: int = RECALL_K, scale: bool = False
) -> Calibration:
    """What a ``NormOrderedIndex`` costs for the query vectors ``users``: the mean share
    (and the 99th percentile's) of the items its search for the top ``k`` scans. Its answers
    are exact, so its recall (and with ``scale``, the share of users whose scale it finds) is
    1."""
    n = len(index.codes)
    if not len(users) or not n:
        why = "no user history to calibrate the index on"
        return Calibration(None, 0, 0, 0, k, RECALL_TARGET, None, None, None, why)
    share = index.scanned(users, min(k, n)) / n
    return Calibration(
        nprobe=None, tried=0, partitions=0, users=len(users), k=k, target=RECALL_TARGET,
        recall=1.0, standard_error=0.0, visited=float(share.mean()),
        scale_found=1.0 if scale else None, method=NORM_ORDERED,
        visited_p99=float(np.quantile(share, 0.99)),
    )  # fmt: skip


INDEX_PHASE = "candidate index"


def calibrated_index(
    items: np.ndarray,
    codes: np.ndarray,
    users: np.ndarray,
    seed: int = 42,
    scale: bool = False,
    checkpoint: Checkpoint = no_checkpoint,
) -> tuple[CandidateIndex | None, Calibration]:
    """The candidate index a model keeps over ``items`` (rows of ``codes``), with its
    calibration on the query vectors ``users`` (``scale``: as ``calibrate`` says), or None
    (the exact scan), with the calibration saying why.

    A ``NormOrderedIndex`` (a sort) is kept when its search scans at most
    ``NORM_ORDERED_SHARE`` of the items on average; otherwise ``FactorIndex.build`` and
    ``calibrate`` too, and the one that scans the smaller share of the items is kept, the
    exact one on a tie, as long as that share is within ``MAX_VISIT_SHARE``. ``checkpoint``
    is called before each of the (up to) four builds and calibrations.
    """
    checkpoint(INDEX_PHASE, 0, 4)
    ordered = NormOrderedIndex.build(items, codes)
    checkpoint(INDEX_PHASE, 1, 4)
    by_norm = calibrate_norm_ordered(ordered, users, scale=scale)
    if by_norm.visited is not None and by_norm.visited <= NORM_ORDERED_SHARE:
        return ordered, by_norm
    checkpoint(INDEX_PHASE, 2, 4)
    index = FactorIndex.build(items, codes, seed=seed)
    checkpoint(INDEX_PHASE, 3, 4)
    found = calibrate(index, items, codes, users, scale=scale)
    cheaper = by_norm.visited is None or (
        found.visited is not None and found.visited < by_norm.visited
    )
    if found.nprobe is not None and cheaper:
        return FactorIndex(index=index.index, nprobe=found.nprobe), found
    if by_norm.visited is not None and by_norm.visited <= MAX_VISIT_SHARE:
        return ordered, by_norm
    return None, found


@lru_cache(maxsize=8)
def softmax_sample(n: int) -> np.ndarray:
    """A fixed sample (int64 positions, sorted) of at most ``SOFTMAX_SAMPLE`` of ``n`` items,
    the same on every call: the items whose scores estimate a softmax denominator."""
    if n <= SOFTMAX_SAMPLE:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, SOFTMAX_SAMPLE, replace=False))


def estimated_softmax(
    scores: np.ndarray,
    temperature: float,
    rest: int,
    rest_sample: np.ndarray,
    zeros: int = 0,
) -> np.ndarray:
    """A catalogue softmax's values at the items of ``scores`` (float64), from a request that
    scored only some items: the denominator sums those items exactly, ``rest`` other items
    as that many times the mean over ``rest_sample`` (scores of a sample of them), and
    ``zeros`` more items whose score is 0."""
    z_top = float(scores.max()) / temperature
    top = np.exp(scores / temperature - z_top)
    total = float(top.sum())
    if rest > 0 and len(rest_sample):
        total += rest * float(np.exp(rest_sample / temperature - z_top).mean())
    total += max(zeros, 0) * float(np.exp(-z_top))
    return top / total
