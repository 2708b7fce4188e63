"""Personalize's offline split and solution-version metrics (GetSolutionMetrics keys).

Source: developer guide, "Evaluating a solution version with metrics"
(https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html):
90 % of users train with all their interactions; each of the other 10 % feeds its oldest 90 %
of interactions (by TIMESTAMP) to the model as history, and the metrics compare the model's
recommendations with the user's newest 10 %. "Relevant" is an item of that newest 10 %, so:

- an item the user had in the newest 10 % more than once is one relevant item (relevance is
  binary; the ideal DCG counts distinct relevant items);
- an item of the newest 10 % that the user also had in the history stays relevant, and the
  scored list is the list the model would serve, history items included (Personalize scores a
  version without filters; excluding what the user already bought is a filter's job);
- ``coverage`` is the share of the catalogue (Items ∪ Interactions) recommended across the
  test users; an item outside the catalogue is never counted.

Metrics are lkpy-style functions with an explicit ``k`` that return NaN when the user has no
truth; ``score`` averages them over the test users with truth and records how many users it
scored and how many had truth (``Evaluation``), so no user drops out silently. A metric with
no user to average over is NaN, never 0; GetSolutionMetrics leaves such a key out (JSON has no
NaN) and the dashboard shows "–".

Where the engine has to choose what the guide does not say: a test user needs at least two
interactions (one for the history, one for the truth) and the newest 10 % holds at least one
interaction; at most ``MAX_TEST_USERS`` users are scored (the rest train).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from services.local.models.ranking import top_k
from services.local.models.recipes.base import Checkpoint, Model, TrainingData, no_checkpoint
from services.local.rules.metric_keys import METRIC_KEYS as METRIC_KEYS  # what score() reports

MAX_TEST_USERS = 5_000


@dataclass(frozen=True)
class Split:
    """Train data plus the test users' histories (oldest first) and truths.

    ``truths[i]`` is the set of items in test user ``i``'s newest 10 % (repeats once each,
    items also in the history included); ``catalogue`` the item IDs of Items ∪ Interactions.
    """

    train: TrainingData
    test_users: tuple[str, ...]
    histories: tuple[tuple[str, ...], ...]
    truths: tuple[frozenset[str], ...]
    catalogue: np.ndarray


def split_users(
    data: TrainingData,
    seed: int,
    test_fraction: float = 0.1,
    holdout_fraction: float = 0.1,
) -> Split:
    """Personalize's user split of (already filtered) interactions; reproducible from ``seed``.

    Only users with at least two interactions can be test users (one for the history, one for
    the truth); the number of test users is ``test_fraction`` of all users, at least one and
    at most ``MAX_TEST_USERS``: beyond that the metrics' sampling error is already below
    0.005 while scoring time keeps growing with users × catalogue.
    """
    df = data.interactions
    # one hashing pass over the events gives every user and their counts; the eligible users
    # are sorted by pandas' string sort (code-point order, as Python's; not np.sort of str
    # objects, which compares them one pair at a time: minutes for 1,500,000 users)
    counts = df["USER_ID"].astype(str).value_counts()
    eligible = np.asarray(counts.index[counts.to_numpy() >= 2].sort_values(), dtype=object)
    n_test = min(len(eligible), max(1, int(round(test_fraction * len(counts)))), MAX_TEST_USERS)
    rng = np.random.default_rng(seed)
    test = set(rng.permutation(eligible)[:n_test].tolist())
    is_test = df["USER_ID"].astype(str).isin(test).to_numpy()
    # a stable sort keeps the input order of ties; groupby keeps row order within a group
    test_df = df.loc[is_test].sort_values("TIMESTAMP", kind="stable")
    test_users, histories, truths = [], [], []
    for user, group in test_df.groupby("USER_ID", sort=True):
        ids = group["ITEM_ID"].astype(str).tolist()
        n_truth = max(1, int(math.floor(len(ids) * holdout_fraction)))
        hist = tuple(ids[: len(ids) - n_truth])
        test_users.append(str(user))
        histories.append(hist)
        truths.append(frozenset(ids[len(ids) - n_truth :]))
    # distinct IDs only (coverage counts membership): hashed, never sorted
    cat = np.asarray(df["ITEM_ID"].astype(str).unique()).astype(object)
    if len(data.items) and "ITEM_ID" in data.items.columns:
        listed = np.asarray(data.items["ITEM_ID"].astype(str).unique()).astype(object)
        cat = pd.unique(np.concatenate([cat, listed]))
    train = replace(data, interactions=df.loc[~is_test].reset_index(drop=True))
    return Split(train, tuple(test_users), tuple(histories), tuple(truths), np.asarray(cat))


def precision_at_k(recs: Sequence[str], truth: frozenset[str], k: int) -> float:
    """Relevant items in the top ``k`` ÷ ``k``; NaN without truth."""
    if not truth:
        return math.nan
    return sum(1 for r in recs[:k] if r in truth) / k


def ndcg_at_k(recs: Sequence[str], truth: frozenset[str], k: int) -> float:
    """DCG with gain 1/log2(1 + position) over the ideal DCG of min(k, |truth|) hits."""
    if not truth:
        return math.nan
    dcg = sum(1.0 / math.log2(pos + 1) for pos, r in enumerate(recs[:k], 1) if r in truth)
    ideal = sum(1.0 / math.log2(pos + 1) for pos in range(1, min(k, len(truth)) + 1))
    return dcg / ideal


def reciprocal_rank_at_k(recs: Sequence[str], truth: frozenset[str], k: int = 25) -> float:
    """1 / rank of the first relevant item in the top ``k``, 0 if none; NaN without truth."""
    if not truth:
        return math.nan
    for pos, r in enumerate(recs[:k], 1):
        if r in truth:
            return 1.0 / pos
    return 0.0


def catalogue_coverage(lists: Sequence[Sequence[str]], catalogue: Collection[str]) -> float:
    """Unique recommended items of ``catalogue`` across all lists ÷ catalogue size (0 to 1).

    Items outside the catalogue do not count; NaN without a catalogue or without any list.
    """
    if not len(catalogue) or not len(lists):
        return math.nan
    known = set(catalogue)
    return len({r for recs in lists for r in recs if r in known}) / len(known)


def personalization(lists: Sequence[Sequence[str]]) -> float:
    """1 − mean pairwise Jaccard similarity of the users' lists (1 = nobody shares an item)."""
    n = len(lists)
    if n < 2:
        return math.nan
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for u, recs in enumerate(lists):
        for r in set(recs):
            rows.append(u)
            cols.append(vocab.setdefault(r, len(vocab)))
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(1, len(vocab))))
    inter = (m @ m.T).toarray()
    size = np.asarray(m.sum(axis=1)).ravel()
    union = size[:, None] + size[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(union > 0, inter / union, 0.0)
    upper = np.triu_indices(n, k=1)
    return float(1.0 - jac[upper].mean())


def popularity_bias(lists: Sequence[Sequence[str]], popularity: pd.Series) -> float:
    """Mean popularity rank (1 = most popular) of the recommended items; lower = more biased.

    ``popularity`` maps item ID → interaction count; unknown items get the last rank.
    """
    ranks = popularity.rank(ascending=False, method="min")
    last = float(len(popularity) + 1)
    vals = [float(ranks.get(r, last)) for recs in lists for r in recs]
    return float(np.mean(vals)) if vals else math.nan


def recommend_for_split(
    model: Model, split: Split, k: int = 25, checkpoint: Checkpoint = no_checkpoint
) -> list[list[str]]:
    """Top-``k`` item IDs per test user: the list the model would serve for that history.

    Nothing is excluded, history items included, as GetRecommendations without a filter
    answers; a user the model cannot personalise for gets the popular items, as served.
    Users are scored a block at a time: at most ``USERS_PER_CHECK`` users, and for models with
    a batch scorer (``score_users``, one matrix product per block instead of one per user) at
    most ``BATCH_SCORE_CELLS`` scores, so memory stays bounded whatever the catalogue size.
    ``checkpoint`` is called before each block as (``METRICS_PHASE``, users scored, users),
    so a stop gets through after at most one block (6 users at 5,000,000 items).
    """
    out: list[list[str]] = []
    total = len(split.test_users)
    for users, hists, block in _scored_blocks(model, split):
        checkpoint(METRICS_PHASE, len(out), total)
        for row, (user, hist) in enumerate(zip(users, hists, strict=True)):
            scores = block[row] if block is not None else model.score_user(user, hist)
            if scores is None:
                scores = model.popularity
            idx, _ = top_k(scores, k)
            out.append([str(model.item_ids[i]) for i in idx])
    return out


BATCH_SCORE_CELLS = 2**25  # users × items scores per block (128 MiB of float32)
USERS_PER_CHECK = 256  # test users per block at most: a stop waits for one block at most
METRICS_PHASE = "metrics: scoring test users"


def _scored_blocks(
    model: Model, split: Split
) -> Iterator[tuple[Sequence[str], Sequence[Sequence[str]], list[np.ndarray | None] | None]]:
    users, hists = split.test_users, split.histories
    batch = getattr(model, "score_users", None)
    size = USERS_PER_CHECK
    if batch is not None:
        size = min(size, max(1, BATCH_SCORE_CELLS // max(1, len(model.item_ids))))
    for start in range(0, len(users), size):
        u, h = users[start : start + size], hists[start : start + size]
        if batch is None:
            yield u, h, None
            continue
        scores, personalised = batch(u, h)
        yield u, h, [scores[r] if personalised[r] else None for r in range(len(u))]


@dataclass(frozen=True)
class Evaluation:
    """One metric result: GetSolutionMetrics' values and the users they were computed on.

    ``metrics`` maps every key of ``METRIC_KEYS`` to a value in [0, 1], NaN where no scored
    user had truth. ``test_users`` is how many test users were scored (each got a list, and
    every list counts for coverage), ``users_with_truth`` how many of them had truth (the
    other metrics average over these), ``truth_items`` the distinct relevant items summed over
    users and ``truth_items_in_history`` how many of those the user also had in its history.
    """

    metrics: dict[str, float]
    test_users: int
    users_with_truth: int
    truth_items: int
    truth_items_in_history: int

    def wire_metrics(self) -> dict[str, float]:
        """The values GetSolutionMetrics returns: NaN keys left out (JSON has no NaN)."""
        return {k: v for k, v in self.metrics.items() if not math.isnan(v)}

    def record(self) -> dict[str, int]:
        """The counts as the engine stores them next to a version (camelCase, not on the wire)."""
        return {
            "testUsers": self.test_users,
            "usersWithTruth": self.users_with_truth,
            "truthItems": self.truth_items,
            "truthItemsInHistory": self.truth_items_in_history,
        }


def score(
    model: Model,
    split: Split,
    lists: Sequence[Sequence[str]] | None = None,
    checkpoint: Checkpoint = no_checkpoint,
) -> Evaluation:
    """Every GetSolutionMetrics key for ``model`` on ``split``, with the users behind them.

    Pass ``lists`` (one top-25 per test user, in ``split.test_users`` order) to reuse lists
    already computed; ``model`` is then not used. ``checkpoint``: as ``recommend_for_split``.

    Raises:
        ValueError: ``lists`` does not hold one list per test user.
    """
    if lists is None:
        lists = recommend_for_split(model, split, 25, checkpoint)
    if len(lists) != len(split.test_users):
        raise ValueError(f"{len(lists)} lists for {len(split.test_users)} test users")

    def mean(values: list[float]) -> float:
        arr = np.asarray(values, dtype=np.float64)
        return float(np.nanmean(arr)) if np.any(~np.isnan(arr)) else math.nan

    pairs = list(zip(lists, split.truths, strict=True))
    values = {
        "coverage": catalogue_coverage(lists, split.catalogue),
        "mean_reciprocal_rank_at_25": mean([reciprocal_rank_at_k(r, t, 25) for r, t in pairs]),
        **{
            f"normalized_discounted_cumulative_gain_at_{k}": mean(
                [ndcg_at_k(r, t, k) for r, t in pairs]
            )
            for k in (5, 10, 25)
        },
        **{
            f"precision_at_{k}": mean([precision_at_k(r, t, k) for r, t in pairs])
            for k in (5, 10, 25)
        },
    }
    return Evaluation(
        metrics=values,
        test_users=len(split.test_users),
        users_with_truth=sum(1 for t in split.truths if t),
        truth_items=sum(len(t) for t in split.truths),
        truth_items_in_history=sum(
            len(t & set(h)) for t, h in zip(split.truths, split.histories, strict=True)
        ),
    )


def evaluate(
    model: Model,
    split: Split,
    lists: Sequence[Sequence[str]] | None = None,
    checkpoint: Checkpoint = no_checkpoint,
) -> dict[str, float]:
    """``score(...).metrics``: the values only (NaN where no user had truth)."""
    return score(model, split, lists, checkpoint).metrics
