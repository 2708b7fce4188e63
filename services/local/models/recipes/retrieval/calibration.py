"""How wide a model's candidate search must be, chosen when the version is trained
(``calibrate``, ``calibrated_index``), and the ``Calibration`` saved with the model.

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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from services.local.models.recipes.base import Checkpoint, no_checkpoint
from services.local.models.recipes.retrieval.index_file import CandidateIndex
from services.local.models.recipes.retrieval.norm_ordered import NormOrderedIndex
from services.local.models.recipes.retrieval.partitions import FactorIndex

INDEX_MIN_ITEMS = 100_000  # learned items from which a model keeps an index (exact scan below)
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
NORM_ORDERED = "norm-ordered"  # ``Calibration.method`` of a ``NormOrderedIndex``
# the mean share of the items a norm-ordered search may scan for the sampled users' top
# RECALL_K and be kept without building an inverted-file index to compare with (an exact
# search this narrow is as cheap as the partitions' best: 3.1 % of the seed shop's items)
NORM_ORDERED_SHARE = 0.05


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
