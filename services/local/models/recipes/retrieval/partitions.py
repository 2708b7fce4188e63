"""Maximum-inner-product candidate retrieval over a model's item factors, by partitions: an
inverted-file index of the ``augmented`` factors (``FactorIndex``, faiss IVF-Flat).

A GetRecommendations call for an ALS-backed model multiplies the user's vector by every learned
item's factors: 500,000 × 64 float32 is 128 MB streamed through memory per request, and that,
not the code around it, is the floor of its latency on a large catalogue. Above
``INDEX_MIN_ITEMS`` learned items the model keeps an inverted-file index over the factors and a
request scores exactly only the items of the ``nprobe`` partitions nearest the user's vector,
which holds the true best items with high probability. Every candidate is re-scored with the
exact formula, so only the membership of the list can differ (and the softmax scores, whose
denominator over the whole catalogue is estimated from a sample: ``sampled_softmax``).
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

The calibration of a search's width is ``calibration``; an exact search by norm,
``norm_ordered``.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

NPROBE_SHARE = 0.05  # share of the partitions a query visits before ``calibrate`` sets it
MIN_NPROBE = 16
TRAIN_PER_LIST = 40  # k-means training points per partition (faiss asks for at least 39)


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
