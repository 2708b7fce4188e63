"""Runtime post-processing of score vectors, independent of the model that produced them."""

from __future__ import annotations

import numpy as np


def top_k(
    scores: np.ndarray, k: int, exclude_mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and scores of the ``k`` best items, best first; excluded items never appear.

    Ties are broken by the lower index, so results are deterministic.
    """
    if k <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    if exclude_mask is not None:
        # only the allowed items compete, in index order (so ties still go to the lower
        # index): partitioning the catalogue with the excluded items set to -inf is slow when
        # they are many, numpy's selection being slow on many equal values (260 ms instead of
        # 8 at 500,000 items with a filter allowing 14,000; bench/items_filter_paths.py)
        ok = np.flatnonzero(~np.asarray(exclude_mask, dtype=bool))
        best, _ = top_k(s[ok], k)
        idx = ok[best]
        return idx, s[idx]
    k = min(k, len(s))
    if k == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    if k < len(s):
        # the k largest without negating a copy of the catalogue's scores
        part = np.argpartition(s, len(s) - k)[len(s) - k :]
        # argpartition may cut a tie arbitrarily: take every item tied with the k-th score
        kth = s[part].min()
        cand = np.flatnonzero(s >= kth)
    else:
        cand = np.arange(len(s))
    order = np.lexsort((cand, -s[cand]))[:k]
    idx = cand[order]
    return idx.astype(np.int64), s[idx]


SOFTMAX_TEMPERATURE = 0.1  # of User-Personalization's scores (see softmax_scores)


def softmax_scores(scores: np.ndarray, temperature: float = SOFTMAX_TEMPERATURE) -> np.ndarray:
    """Scores as a softmax over the catalogue (sums to 1), like User-Personalization's.

    Model scores are roughly in [-1, 1]; a temperature of 0.1 keeps the top items visibly
    ahead of a large catalogue instead of flattening everything to 1/n.
    """
    z = np.asarray(scores, dtype=np.float64) / temperature
    z = np.exp(z - z.max())
    return z / z.sum()


def softmax_at(
    scores: np.ndarray, idx: np.ndarray, temperature: float = SOFTMAX_TEMPERATURE
) -> np.ndarray:
    """``softmax_scores(scores)[idx]`` (the same values), without keeping a second
    catalogue-sized vector: one temporary, worked on in place."""
    z = np.divide(np.asarray(scores, dtype=np.float64), temperature)
    z -= z.max()
    np.exp(z, out=z)
    return z[idx] / z.sum()


def item_creation_times(
    creation_timestamps: np.ndarray, first_interactions: np.ndarray, latest: float
) -> np.ndarray:
    """Each item's creation time, from which exploration counts its age (epoch seconds).

    ``creation_timestamps``: the Items dataset's CREATION_TIMESTAMP (NaN = none: no value, no
    row, or no such column); ``first_interactions``: the item's oldest interaction (NaN =
    none); ``latest``: the dataset group's latest interaction time. As Personalize does, a
    missing CREATION_TIMESTAMP is inferred from the interactions: the item's oldest
    interaction is its creation date, and an item without interactions gets the latest
    interaction time, so it counts as new (Developer Guide, "Preparing item metadata for
    training", creation timestamp data:
    https://docs.aws.amazon.com/personalize/latest/dg/items-datasets.html; for
    explorationItemAgeCutOff, "Configuring exploration": item age comes from the creation
    timestamp or, where that is missing, from the item interactions data,
    https://docs.aws.amazon.com/personalize/latest/dg/create-recommender-configure-exploration.html).
    """
    created = np.asarray(creation_timestamps, dtype=np.float64)
    first = np.asarray(first_interactions, dtype=np.float64)
    return np.where(np.isnan(created), np.where(np.isnan(first), latest, first), created)


def new_items(creation_timestamps: np.ndarray, now: float, cutoff_days: float) -> np.ndarray:
    """Items created within ``cutoff_days`` before ``now`` (explorationItemAgeCutOff: "the
    maximum item age in days since the latest interaction"), as a bool mask; NaN is none."""
    created = np.asarray(creation_timestamps, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return (created >= now - cutoff_days * 86_400) & (created <= now)


def exploration_candidates(
    creation_timestamps: np.ndarray,
    popularity: np.ndarray,
    now: float,
    cutoff_days: float = 30.0,
) -> np.ndarray:
    """Items created within ``cutoff_days`` before ``now`` and rarely interacted with.

    ``creation_timestamps`` are epoch seconds, as ``item_creation_times`` gives them (a NaN
    is never a candidate); "rarely" means at most the median popularity of those new items,
    so a new hit is not "explored".
    """
    new = new_items(creation_timestamps, now, cutoff_days)
    if not new.any():
        return new
    return new & (popularity <= np.median(popularity[new]))


def exploration_slots(list_length: int, weight: float) -> int:
    """Places of a list of ``list_length`` items that exploration at ``weight`` (0-1) fills:
    ``round(list_length × weight / 3)`` (default 0.3 → 10 %), before the candidates run out."""
    return int(round(list_length * weight / 3))


def explore(
    ranked: np.ndarray,
    pool: np.ndarray,
    pool_scores: np.ndarray,
    weight: float = 0.3,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Blend exploration items into a ranked list; returns (indices, is_exploration).

    The candidates are the item indices ``pool`` (ascending, as ``np.flatnonzero`` of a mask
    gives them), scored ``pool_scores``: a caller that keeps the few candidates passes them
    without a mask over the catalogue. ``round(len(ranked) * weight / 3)`` slots (default
    0.3 → 10 %) go to candidate items not already listed, drawn with probability growing with
    their score and placed at seeded random positions below the top item; the rest of the
    list keeps its order.
    """
    k = len(ranked)
    n = exploration_slots(k, weight)
    fresh = ~np.isin(pool, ranked)
    pool, pool_scores = pool[fresh], pool_scores[fresh]
    n = min(n, len(pool), max(k - 1, 0))
    if n <= 0 or not 0 < weight <= 1:
        return ranked, np.zeros(k, dtype=bool)
    rng = rng or np.random.default_rng(0)
    p = softmax_scores(pool_scores)
    picked = rng.choice(pool, size=n, replace=False, p=p)
    slots = np.sort(rng.choice(np.arange(1, k), size=n, replace=False))
    out = list(ranked[: k - n])
    flags = [False] * len(out)
    for slot, item in zip(slots, picked, strict=True):
        out.insert(int(slot), int(item))
        flags.insert(int(slot), True)
    return np.asarray(out, dtype=np.int64), np.asarray(flags, dtype=bool)


def promote(
    ranked: np.ndarray,
    scores: np.ndarray,
    promoted_mask: np.ndarray,
    percent: int,
    exclude_mask: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply one promotion; returns (indices, is_promoted).

    ``percentPromotedItems`` (1-100) of the slots, at least one, go to the best-scored items of
    ``promoted_mask`` (not excluded), at seeded random positions; the other slots keep the
    ranked order without those items. Fewer promoted items than slots leaves slots to the list.
    As Personalize documents it: "promoted items are positioned randomly relative to other
    recommended items, but in sorted order relative to other promoted items … If there aren't
    enough items that meet the promotion criteria, the result will contain as many promoted
    items as possible" (developer guide, "Promoting items in real-time recommendations"). So a
    promoted item that ranked first can be drawn a lower slot.
    """
    if not 1 <= percent <= 100:
        raise ValueError("percentPromotedItems must be between 1 and 100")
    k = len(ranked)
    want = max(1, int(k * percent // 100))
    allowed = promoted_mask if exclude_mask is None else promoted_mask & ~exclude_mask
    promo, _ = top_k(scores, want, ~allowed)
    taken = set(promo.tolist())
    rest = [int(i) for i in ranked if int(i) not in taken][: k - len(promo)]
    rng = rng or np.random.default_rng(0)
    slots = set(rng.choice(k, size=len(promo), replace=False).tolist()) if len(promo) else set()
    out, flags, it_p, it_r = [], [], iter(promo.tolist()), iter(rest)
    for pos in range(len(promo) + len(rest)):
        if pos in slots:
            out.append(next(it_p))
            flags.append(True)
        else:
            out.append(next(it_r))
            flags.append(False)
    return np.asarray(out, dtype=np.int64), np.asarray(flags, dtype=bool)


def rank(
    scores: np.ndarray, positions: dict[str, int], input_list: list[str]
) -> list[tuple[str, float]]:
    """GetPersonalizedRanking: known items by score (input order breaks ties), then unknown
    items in input order with score 0."""
    known = [(i, item) for i, item in enumerate(input_list) if item in positions]
    unknown = [item for item in input_list if item not in positions]
    known.sort(key=lambda pair: (-float(scores[positions[pair[1]]]), pair[0]))
    return [(item, float(scores[positions[item]])) for _, item in known] + [
        (item, 0.0) for item in unknown
    ]
