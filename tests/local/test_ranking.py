"""Runtime post-processing on toy score vectors."""

from __future__ import annotations

import numpy as np
import pytest

from services.local.models import ranking


def test_top_k_best_first_and_excluded_never_appear() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.7, 0.3])
    idx, vals = ranking.top_k(scores, 3)
    assert idx.tolist() == [1, 3, 2]
    assert vals.tolist() == [0.9, 0.7, 0.5]
    exclude = np.array([False, True, False, False, False])
    assert ranking.top_k(scores, 3, exclude)[0].tolist() == [3, 2, 4]


def test_top_k_ties_go_to_lower_index_and_k_is_capped() -> None:
    scores = np.array([1.0, 2.0, 2.0, 2.0, 0.0])
    assert ranking.top_k(scores, 2)[0].tolist() == [1, 2]
    assert ranking.top_k(scores, 10, scores == 0)[0].tolist() == [1, 2, 3, 0]
    assert ranking.top_k(scores, 0)[0].tolist() == []


def test_top_k_on_20k_items_matches_a_full_sort() -> None:
    # Speed is measured in bench/latency.py (a timing assert here fails on a busy machine).
    rng = np.random.default_rng(0)
    scores = rng.random(20_000)
    exclude = rng.random(20_000) < 0.01
    idx, vals = ranking.top_k(scores, 25, exclude)
    allowed = np.flatnonzero(~exclude)
    expected = allowed[np.argsort(-scores[allowed], kind="stable")[:25]]
    assert idx.tolist() == expected.tolist()
    np.testing.assert_array_equal(vals, scores[expected])


@pytest.mark.parametrize("allowed_share", [0.001, 0.03, 0.5, 0.97])
def test_top_k_among_few_allowed_items_with_ties_matches_a_full_sort(allowed_share: float) -> None:
    # scores rounded to 2 decimals: many ties, which go to the lower index
    rng = np.random.default_rng(7)
    scores = np.round(rng.random(20_000), 2)
    exclude = rng.random(20_000) >= allowed_share
    allowed = np.flatnonzero(~exclude)
    expected = allowed[np.argsort(-scores[allowed], kind="stable")[:25]]
    idx, vals = ranking.top_k(scores, 25, exclude)
    assert idx.tolist() == expected.tolist() and len(idx) == min(25, len(allowed))
    np.testing.assert_array_equal(vals, scores[expected])
    assert ranking.top_k(scores, 25, np.ones(20_000, dtype=bool))[0].tolist() == []


def test_softmax_sums_to_one_and_keeps_order() -> None:
    s = ranking.softmax_scores(np.array([1.0, 0.0, 0.5]), temperature=1.0)
    assert s.sum() == pytest.approx(1.0)
    e = np.exp([1.0, 0.0, 0.5])
    np.testing.assert_allclose(s, e / e.sum())


def test_softmax_at_gives_the_selected_items_softmax() -> None:
    scores = np.array([0.2, -1.0, 0.9, 0.0, 0.5])
    e = np.exp(scores / 0.1)  # by hand: temperature 0.1, normalised over all five
    got = ranking.softmax_at(scores, np.array([2, 4]))
    np.testing.assert_allclose(got, e[[2, 4]] / e.sum())
    assert scores.tolist() == [0.2, -1.0, 0.9, 0.0, 0.5]  # the caller's scores are untouched


def test_exploration_candidates_new_and_rare() -> None:
    day = 86_400.0
    now = 100 * day
    created = np.array([now - 5 * day, now - 5 * day, now - 50 * day, np.nan, now - 1 * day])
    pop = np.array([0.0, 100.0, 0.0, 0.0, 1.0])
    # new: items 0, 1, 4 (median popularity 1) → rare: 0 and 4; item 2 too old, 3 unknown
    got = ranking.exploration_candidates(created, pop, now, cutoff_days=30)
    assert got.tolist() == [True, False, False, False, True]


def test_a_missing_creation_time_is_the_first_interaction_or_the_latest() -> None:
    """Personalize's rule for items without CREATION_TIMESTAMP: the oldest interaction is the
    creation date, and an item without interactions is created at the latest interaction."""
    day = 86_400.0
    latest = 100 * day
    created = np.array([latest - 50 * day, np.nan, np.nan, np.nan])
    first = np.array([latest - 2 * day, latest - 5 * day, latest - 40 * day, np.nan])
    got = ranking.item_creation_times(created, first, latest)
    # a known CREATION_TIMESTAMP wins over an interaction; the others by the rule above
    assert got.tolist() == [latest - 50 * day, latest - 5 * day, latest - 40 * day, latest]
    pop = np.array([0.0, 3.0, 0.0, 0.0])
    # new within 30 days: items 1 (5 days) and 3 (0 days), popularities 3 and 0, median 1.5
    candidates = ranking.exploration_candidates(got, pop, latest, cutoff_days=30)
    assert candidates.tolist() == [False, False, False, True]
    wider = ranking.exploration_candidates(got, pop, latest, cutoff_days=45)
    # items 1, 2, 3 new (popularities 3, 0, 0: median 0) → 2 and 3
    assert wider.tolist() == [False, False, True, True]


def test_explore_inserts_candidates_keeps_top_and_order() -> None:
    ranked = np.arange(30)
    scores = np.linspace(1, 0, 100)
    cand = np.zeros(100, dtype=bool)
    cand[[90, 95, 99]] = True
    pool = np.flatnonzero(cand)
    out, flags = ranking.explore(ranked, pool, scores[pool], 0.3, np.random.default_rng(1))
    assert len(out) == 30 and flags.sum() == round(30 * 0.3 / 3)  # 3 slots
    assert set(out[flags].tolist()) == {90, 95, 99}
    assert out[0] == 0 and not flags[0]
    assert out[~flags].tolist() == list(range(27))
    none, nf = ranking.explore(ranked, pool, scores[pool], weight=0.0)
    assert none.tolist() == ranked.tolist() and not nf.any()


def test_promote_fills_share_of_slots_with_best_promoted_items() -> None:
    ranked = np.arange(10)
    scores = np.linspace(1, 0, 20)
    mask = np.zeros(20, dtype=bool)
    mask[[3, 12, 15, 18]] = True  # 3 is already in the list
    out, flags = ranking.promote(ranked, scores, mask, percent=20, rng=np.random.default_rng(0))
    # 20 % of 10 slots = 2 promoted items: the best two of the mask are 3 and 12
    assert flags.sum() == 2 and sorted(out[flags].tolist()) == [3, 12]
    assert out[~flags].tolist() == [0, 1, 2, 4, 5, 6, 7, 8]
    with pytest.raises(ValueError, match="percentPromotedItems"):
        ranking.promote(ranked, scores, mask, percent=0)


def test_rank_unknown_items_last_with_zero() -> None:
    scores = np.array([0.2, 0.9, 0.5])
    positions = {"a": 0, "b": 1, "c": 2}
    got = ranking.rank(scores, positions, ["a", "zz", "c", "b", "yy"])
    assert got == [("b", 0.9), ("c", 0.5), ("a", 0.2), ("zz", 0.0), ("yy", 0.0)]


def test_promoted_items_keep_their_order_at_random_places() -> None:
    """Personalize places promoted items "randomly relative to other recommended items, but in
    sorted order relative to other promoted items" (developer guide, "Promoting items in
    real-time recommendations"). By hand: scores fall with the index, so the mask's best three
    (30 % of 10 slots) are 0, 3 and 12 in that order, and the rest is 1, 2, 4, 5, 6, 7, 8."""
    ranked = np.arange(10)
    scores = np.linspace(1, 0, 20)
    mask = np.zeros(20, dtype=bool)
    mask[[0, 3, 12, 15]] = True  # 0 is the list's first item without the promotion
    places = set()
    for seed in range(50):
        out, flags = ranking.promote(ranked, scores, mask, 30, rng=np.random.default_rng(seed))
        assert out[flags].tolist() == [0, 3, 12]  # sorted among themselves, every time
        assert out[~flags].tolist() == [1, 2, 4, 5, 6, 7, 8]  # the rest in its order
        places.add(tuple(np.flatnonzero(flags).tolist()))
    assert len(places) > 10  # the slots are drawn, not the promoted items' ranks
    assert any(p[0] > 0 for p in places)  # so item 0, first before, can sit lower
