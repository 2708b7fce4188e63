"""Personalize's offline split and solution-version metrics (GetSolutionMetrics keys).

Split: 90 % of users train with all their interactions; each of the other 10 % feeds its oldest
90 % of interactions (by TIMESTAMP) to the model as history and is scored against its newest
10 % (at least one). Metrics are lkpy-style functions with an explicit ``k`` that return NaN
when there is no truth; ``evaluate`` averages them over test users, ignoring NaN.

Rule for every model and baseline alike: items already in a test user's input history are
never recommended, and so they are not counted as truth either. Re-recommending what the user
just did would reward copying the history rather than predicting what comes next, and it is
what a shop does with an "exclude purchased" filter in production.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from services.local.models.ranking import top_k
from services.local.models.recipes.base import Model, TrainingData

METRIC_KEYS = (
    "coverage",
    "mean_reciprocal_rank_at_25",
    "normalized_discounted_cumulative_gain_at_5",
    "normalized_discounted_cumulative_gain_at_10",
    "normalized_discounted_cumulative_gain_at_25",
    "precision_at_5",
    "precision_at_10",
    "precision_at_25",
)


MAX_TEST_USERS = 5_000


@dataclass(frozen=True)
class Split:
    """Train data plus the test users' histories (oldest first) and truths."""

    train: TrainingData
    test_users: tuple[str, ...]
    histories: tuple[tuple[str, ...], ...]
    truths: tuple[frozenset[str], ...]
    catalogue: np.ndarray  # item IDs of Items ∪ Interactions


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
    users = np.sort(df["USER_ID"].astype(str).unique())
    counts = df["USER_ID"].astype(str).value_counts()
    eligible = np.sort(counts.index[counts.to_numpy() >= 2].to_numpy(dtype=object))
    n_test = min(len(eligible), max(1, int(round(test_fraction * len(users)))), MAX_TEST_USERS)
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
        truths.append(frozenset(ids[len(ids) - n_truth :]) - set(hist))
    cat = df["ITEM_ID"].astype(str).unique()
    if len(data.items) and "ITEM_ID" in data.items.columns:
        cat = np.union1d(cat, data.items["ITEM_ID"].astype(str).unique())
    train = TrainingData(df.loc[~is_test].reset_index(drop=True), data.items, data.users)
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


def catalogue_coverage(lists: Sequence[Sequence[str]], catalogue_size: int) -> float:
    """Unique recommended items across all lists ÷ catalogue size."""
    if catalogue_size <= 0:
        return math.nan
    return len({r for recs in lists for r in recs}) / catalogue_size


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


def recommend_for_split(model: Model, split: Split, k: int = 25) -> list[list[str]]:
    """Top-``k`` item IDs per test user, never an item of the user's history.

    Models with a batch scorer (``score_users``) are scored a block of users at a time, one
    matrix product per block instead of one per user; blocks hold at most
    ``BATCH_SCORE_CELLS`` scores so memory stays bounded whatever the catalogue size.
    """
    pos = {item: i for i, item in enumerate(model.item_ids)}
    exclude = np.zeros(len(model.item_ids), dtype=bool)
    out = []
    for users, hists, block in _scored_blocks(model, split):
        for row, (user, hist) in enumerate(zip(users, hists, strict=True)):
            scores = block[row] if block is not None else model.score_user(user, hist)
            if scores is None:
                scores = model.popularity
            seen = [pos[h] for h in hist if h in pos]
            exclude[seen] = True
            idx, _ = top_k(scores, k, exclude)
            exclude[seen] = False
            out.append([str(model.item_ids[i]) for i in idx])
    return out


BATCH_SCORE_CELLS = 2**25  # users × items scores per block (128 MiB of float32)


def _scored_blocks(
    model: Model, split: Split
) -> Iterator[tuple[Sequence[str], Sequence[Sequence[str]], list[np.ndarray | None] | None]]:
    users, hists = split.test_users, split.histories
    batch = getattr(model, "score_users", None)
    if batch is None:
        yield users, hists, None
        return
    size = max(1, BATCH_SCORE_CELLS // max(1, len(model.item_ids)))
    for start in range(0, len(users), size):
        u, h = users[start : start + size], hists[start : start + size]
        scores, personalised = batch(u, h)
        yield u, h, [scores[r] if personalised[r] else None for r in range(len(u))]


def evaluate(model: Model, split: Split, lists: list[list[str]] | None = None) -> dict[str, float]:
    """GetSolutionMetrics' dict for ``model`` on ``split`` (pass ``lists`` to reuse top-25s)."""
    if lists is None:
        lists = recommend_for_split(model, split, 25)

    def mean(values: list[float]) -> float:
        arr = np.asarray(values, dtype=np.float64)
        return float(np.nanmean(arr)) if np.any(~np.isnan(arr)) else 0.0

    pairs = list(zip(lists, split.truths, strict=True))
    return {
        "coverage": catalogue_coverage(lists, len(split.catalogue)),
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
