"""v2's validation split and early stopping (numpy only).

Two splits (``VALIDATION_SPLIT``), both scored with NDCG@10 as ``metrics.ndcg_at_k`` computes
it (distinct relevant items; the ideal DCG counts min(10, relevant items) hits):

- "held_out_users", shaped like the offline metrics (``models.metrics``, Personalize's
  developer guide, "Evaluating a solution version with metrics"), which score test users the
  model never trained on, each handing over its older 90 % as history against its newest
  10 % (at least one interaction): ``VALIDATION_SHARE`` of the users with at least two events
  (at most ``max_users``, drawn with the fit's seed) are held out of training whole (``WARM``:
  only their truth is), their newest 10 % is the truth and the rest the history the network
  reads (its newest ``bptt`` items).
- "last_event" (leave-last-out, v2's split before and again its default): every user with at
  least three events (at most ``max_users``, drawn with the seed) gives its last event as the
  truth and trains on the events before it, which are its history.

The held-out split was meant to pick the epoch the evaluation would pick; on the cold
validation splits of docs/benchmarks.md ("v2: validation shaped like the evaluation",
2026-12-07) it picked an epoch nearer its own curve's peak on MovieLens latest-small, but the
users it holds out lowered that curve more than the better pick gained (0.0759 against
leave-last-out's 0.0784, the generated shop level at 0.3968), and on the bench's reported
seeds MovieLens fell from 0.0745 to 0.0565; so the default is leave-last-out.

Lists: ``VALIDATION_LISTS`` = "served" scores the list the model serves, history items
included, as ``metrics.evaluate`` does; "left_out" scores it with the user's history items
left out (a filter excluding the user's interactions; ``bench/quality.py``'s ``Excluding``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from services.local.models.recipes.sequence._sasrec_net import Params, last_scores

VALIDATION_SPLIT = "last_event"  # "last_event" | "held_out_users" (module doc)
# "held_out_users": the share of users (with 2+ events) held out of training for validation,
# as the offline metrics hold out 10 % of users
VALIDATION_SHARE = 0.1
# each validation user's newest share of events is the truth (at least one), as the metrics'
HOLDOUT_FRACTION = 0.1
VALIDATION_LISTS = "served"  # "served" | "left_out" (module doc)
# True: the validation users train on their history (only their truth is held out of
# training); False: they are held out of training whole, as the metrics' test users are.
# Measured and not kept: on MovieLens latest-small's cold validation split a warm split kept
# improving after the evaluation's peak, as leave-last-out did (docs/benchmarks.md)
WARM = False


def split_name() -> str:
    """What a fit's report calls its split (``validation_split``), so a
    validation_ndcg_at_10 is read with the split it was computed on."""
    if VALIDATION_SPLIT == "last_event":
        return "last event"
    return "trained users, newest 10 %" if WARM else "held-out users, newest 10 %"


VALIDATION_CELLS = 2**24  # users × items scores per validation block
K = 10
_DISCOUNT = 1.0 / np.log2(np.arange(2, K + 2))


@dataclass(frozen=True)
class Validation:
    """Validation users: ``x`` (users × L, left-padded codes) the newest L items of each
    user's history; ``truth`` the distinct codes of each user's newest 10 %, user ``u``'s at
    ``truth[truth_ptr[u]:truth_ptr[u + 1]]``; ``seen`` likewise the distinct codes of each
    user's whole history (what ``"left_out"`` lists leave out). Codes: item position + 1."""

    x: np.ndarray
    truth_ptr: np.ndarray
    truth: np.ndarray
    seen_ptr: np.ndarray
    seen: np.ndarray

    def __len__(self) -> int:
        return len(self.x)


def empty(length: int) -> Validation:
    """No validation user (training stops at its epochs or its clock only)."""
    none = np.zeros(0, dtype=np.int32)
    ptr = np.zeros(1, dtype=np.int64)
    return Validation(np.zeros((0, length), dtype=np.int32), ptr, none, ptr, none)


def holdout_users(
    starts: np.ndarray,
    ends: np.ndarray,
    seed: int,
    max_users: int,
    share: float | None = None,
    min_events: int = 2,
) -> np.ndarray:
    """Which users (indices into ``starts``/``ends``, each user's events ``starts[u]:ends[u]``)
    validate, sorted: ``round(share × users)`` of the users with at least ``min_events``
    events (``share`` default ``VALIDATION_SHARE``), at most ``max_users``, drawn with
    ``seed``; none when that leaves fewer than one."""
    share = VALIDATION_SHARE if share is None else share
    eligible = np.flatnonzero(ends - starts >= min_events)
    n = min(int(round(share * len(starts))), max_users, len(eligible))
    rng = np.random.default_rng(seed)
    return np.sort(rng.permutation(eligible)[: max(n, 0)])


def truth_sizes(starts: np.ndarray, ends: np.ndarray, users: np.ndarray) -> np.ndarray:
    """How many of each of ``users``' newest events are its truth: ``max(1, floor(n ×
    HOLDOUT_FRACTION))`` of its ``n`` events."""
    n = (ends[users] - starts[users]).astype(np.int64)
    return np.maximum(1, np.floor(n * HOLDOUT_FRACTION).astype(np.int64))


@dataclass(frozen=True)
class Plan:
    """Which users validate (``users``, sorted), how many of each one's newest events are its
    truth (``held``) and whether it trains on the events before them (``warm``)."""

    users: np.ndarray
    held: np.ndarray
    warm: bool


def plan(starts: np.ndarray, ends: np.ndarray, seed: int, max_users: int) -> Plan:
    """``VALIDATION_SPLIT``'s validation users (module doc) of users ``starts[u]:ends[u]``."""
    if VALIDATION_SPLIT == "last_event":
        users = holdout_users(starts, ends, seed, max_users, share=1.0, min_events=3)
        return Plan(users, np.ones(len(users), dtype=np.int64), warm=True)
    users = holdout_users(starts, ends, seed, max_users)
    return Plan(users, truth_sizes(starts, ends, users), warm=WARM)


def split(
    codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, chosen: Plan, length: int
) -> Validation:
    """The validation users of ``chosen`` from events ``codes`` (sorted by user, time; user
    ``u``'s at ``starts[u]:ends[u]``): each one's newest ``held`` events are the truth, the
    older ones the history (``Validation``)."""
    if not len(chosen.users):
        return empty(length)
    x = np.zeros((len(chosen.users), length), dtype=np.int32)
    truths, seens = [], []
    for r, (u, held) in enumerate(zip(chosen.users, chosen.held, strict=True)):
        s, e = int(starts[u]), int(ends[u])
        hist = codes[s : e - held]
        tail = hist[-length:]
        x[r, length - len(tail) :] = tail
        truths.append(np.unique(codes[e - held : e]))
        seens.append(np.unique(hist))

    def ragged(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        ptr = np.r_[0, np.cumsum([len(p) for p in parts])].astype(np.int64)
        return ptr, np.concatenate(parts).astype(np.int32)

    truth_ptr, truth = ragged(truths)
    seen_ptr, seen = ragged(seens)
    return Validation(x, truth_ptr, truth, seen_ptr, seen)


def _cells(ptr: np.ndarray, codes: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """Users ``lo:hi``'s entries of a ragged list as (block row, item column) index arrays."""
    rows = np.repeat(np.arange(hi - lo), np.diff(ptr[lo : hi + 1]))
    return rows, codes[ptr[lo] : ptr[hi]] - 1


def block_ndcg(scores: np.ndarray, val: Validation, lo: int, lists: str) -> np.ndarray:
    """NDCG@10 of users ``lo:lo + len(scores)`` of ``val`` from their scores (users × items,
    column ``i`` = code ``i + 1``), one value per user: the top 10 by score against the truth
    (gain 1/log2(1 + position), over the ideal DCG of min(10, |truth|) hits). ``lists``
    "left_out": the user's history items are left out of the list first (they can still be
    truth, and then are never hit). Ties between scores fall in argpartition's order."""
    hi = lo + len(scores)
    s = np.array(scores, dtype=np.float64)
    if lists == "left_out":
        s[_cells(val.seen_ptr, val.seen, lo, hi)] = -np.inf
    k = min(K, s.shape[1])
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(s, top, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    relevant = np.zeros(s.shape, dtype=bool)
    relevant[_cells(val.truth_ptr, val.truth, lo, hi)] = True
    # a left-out item is never listed, even when the catalogue is too small to fill a list
    hits = np.take_along_axis(relevant, top, axis=1) & np.isfinite(np.take_along_axis(s, top, 1))
    dcg = hits @ _DISCOUNT[:k]
    n_truth = np.diff(val.truth_ptr[lo : hi + 1])
    ideal = np.cumsum(_DISCOUNT)[np.minimum(n_truth, K) - 1]
    return dcg / ideal


def validation_ndcg(params: Params, val: Validation, lists: str | None = None) -> float:
    """Mean NDCG@10 of the validation users (``block_ndcg``) with the network's scores after
    each history (numpy forward); ``lists`` default ``VALIDATION_LISTS``. NaN without users."""
    if not len(val):
        return float("nan")
    lists = VALIDATION_LISTS if lists is None else lists
    n_items = params["item_emb"].shape[0] - 1
    size = max(1, VALIDATION_CELLS // max(n_items, 1))
    gains = []
    for lo in range(0, len(val), size):
        s = last_scores(np, params, val.x[lo : lo + size])
        gains.append(block_ndcg(s, val, lo, lists))
    return float(np.mean(np.concatenate(gains)))


@dataclass
class EarlyStopping:
    """Which epoch's weights to keep and when to stop: an epoch whose score beats every
    earlier one (or that has no finite score: without validation users every epoch is the
    newest best) becomes the best; training stops once ``patience`` epochs have passed
    without a new best."""

    patience: int
    best_epoch: int = 0
    best_score: float = -math.inf

    def improved(self, epoch: int, score: float) -> bool:
        """Record ``epoch``'s ``score``; True when it is the new best."""
        if not math.isfinite(score) or score > self.best_score:
            self.best_epoch, self.best_score = epoch, score
            return True
        return False

    def stop(self, epoch: int) -> bool:
        """True when ``epoch`` is ``patience`` epochs past the best."""
        return epoch - self.best_epoch >= self.patience
