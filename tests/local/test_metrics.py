"""Metrics against values worked out by hand on tiny inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from services.local.models import metrics
from services.local.models.recipes.base import TrainingData
from services.local.models.recipes.popular.popularity import PopularityModel


def test_ndcg_reference_example() -> None:
    recs = ["x", "hit1", "y", "z", "hit2"]
    got = metrics.ndcg_at_k(recs, frozenset({"hit1", "hit2"}), 5)
    expected = (1 / math.log2(3) + 1 / math.log2(6)) / (1 / math.log2(2) + 1 / math.log2(3))
    assert got == pytest.approx(expected)
    assert got == pytest.approx(0.6241, abs=1e-4)


def test_ndcg_ideal_is_capped_at_k() -> None:
    # 3 relevant items but k=2: the ideal is 2 hits, so hits at 1 and 2 are perfect
    assert metrics.ndcg_at_k(["a", "b", "c"], frozenset("abc"), 2) == pytest.approx(1.0)


def test_ndcg_single_hit_at_three() -> None:
    got = metrics.ndcg_at_k(["x", "y", "a"], frozenset({"a"}), 10)
    assert got == pytest.approx((1 / math.log2(4)) / 1.0)


def test_ndcg_no_truth_is_nan() -> None:
    assert math.isnan(metrics.ndcg_at_k(["a"], frozenset(), 5))


def test_precision_counts_hits_over_k() -> None:
    recs = ["a", "x", "b", "y", "z", "c"]
    assert metrics.precision_at_k(recs, frozenset("abc"), 5) == pytest.approx(2 / 5)
    assert metrics.precision_at_k(recs, frozenset("abc"), 10) == pytest.approx(3 / 10)


def test_precision_no_truth_is_nan() -> None:
    assert math.isnan(metrics.precision_at_k(["a"], frozenset(), 5))


def test_reciprocal_rank_first_hit_only() -> None:
    assert metrics.reciprocal_rank_at_k(["x", "y", "a", "b"], frozenset("ab")) == pytest.approx(
        1 / 3
    )
    assert metrics.reciprocal_rank_at_k(["x"] * 25 + ["a"], frozenset("a"), 25) == 0.0
    assert math.isnan(metrics.reciprocal_rank_at_k(["a"], frozenset()))


def test_catalogue_coverage_counts_only_catalogue_items() -> None:
    # catalogue {a, b, c, d, e, f, g, h, i, j}; lists recommend a, b, c and "zz", which is in
    # no catalogue: 3 of 10 items covered, not 4 / 10
    catalogue = list("abcdefghij")
    lists = [["a", "b", "zz"], ["b", "c"]]
    assert metrics.catalogue_coverage(lists, catalogue) == pytest.approx(3 / 10)
    assert math.isnan(metrics.catalogue_coverage(lists, []))
    assert math.isnan(metrics.catalogue_coverage([], catalogue))


def test_personalization_is_one_minus_mean_jaccard() -> None:
    lists = [["a", "b"], ["b", "c"], ["a", "b"]]
    # pairs: (1,2) |{b}|/|{a,b,c}| = 1/3; (1,3) = 1; (2,3) = 1/3
    expected = 1 - (1 / 3 + 1 + 1 / 3) / 3
    assert metrics.personalization(lists) == pytest.approx(expected)
    assert metrics.personalization([["a"], ["b"]]) == pytest.approx(1.0)


def test_popularity_bias_mean_rank() -> None:
    pop = pd.Series({"a": 10, "b": 5, "c": 1})  # ranks a=1, b=2, c=3
    assert metrics.popularity_bias([["a", "c"], ["b"]], pop) == pytest.approx((1 + 3 + 2) / 3)


def _frame(rows: list[tuple[str, str, int]]) -> TrainingData:
    df = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP"])
    df["EVENT_TYPE"] = ""
    df["EVENT_VALUE"] = np.nan
    return TrainingData(df)


def _users(n: int, per_user: int) -> TrainingData:
    rows = [(f"u{u:02d}", f"i{(u + t) % 30}", 1000 - t) for u in range(n) for t in range(per_user)]
    return _frame(rows)


def test_split_holds_out_ten_percent_of_users() -> None:
    split = metrics.split_users(_users(50, 20), seed=1)
    assert len(split.test_users) == 5
    train_users = set(split.train.interactions["USER_ID"])
    assert len(train_users) == 45 and not train_users & set(split.test_users)


def test_split_history_is_oldest_ninety_percent() -> None:
    # one user with 20 events; newest 10 % = the 2 events with the largest timestamps
    rows = [("t", f"i{k}", 100 + k) for k in range(20)][::-1]
    rows += [(f"o{u}", "i0", 1) for u in range(9)]
    split = metrics.split_users(_frame(rows), seed=0)
    assert split.test_users == ("t",)
    assert split.histories[0] == tuple(f"i{k}" for k in range(18))
    assert split.truths[0] == frozenset({"i18", "i19"})


def test_split_truth_keeps_items_of_the_history_and_repeats_once() -> None:
    # t: 18 events i0..i17, then i5 again and z: the newest 10 % (2 of 20) is [i5, z].
    # Personalize: relevant = an item of the newest 10 %, so i5 stays relevant although it
    # is also in the history (the engine used to drop it).
    rows = [("t", f"i{k}", 100 + k) for k in range(18)] + [("t", "i5", 118), ("t", "z", 119)]
    # u: 18 events, then z twice: the newest 10 % is [z, z], one relevant item
    rows += [("u", f"i{k}", 100 + k) for k in range(18)] + [("u", "z", 118), ("u", "z", 119)]
    rows += [(f"o{u}", "i0", 1) for u in range(18)]  # 20 users: 2 test users
    split = metrics.split_users(_frame(rows), seed=0)
    assert split.test_users == ("t", "u")
    assert split.truths == (frozenset({"i5", "z"}), frozenset({"z"}))
    got = metrics.score(None, split, lists=[["i5", "x"], ["x", "z"]])  # type: ignore[arg-type]
    # t: i5 at rank 1 of 2 relevant → RR 1, NDCG@5 = 1 / (1 + 1/log2 3) = 0.6131
    # u: z at rank 2 of 1 relevant → RR 1/2, NDCG@5 = (1/log2 3) / 1 = 0.6309
    # (counting z twice would make u's ideal DCG 1 + 1/log2 3 and NDCG 0.3869)
    assert got.metrics["mean_reciprocal_rank_at_25"] == pytest.approx((1 + 1 / 2) / 2)
    ndcg_t = 1 / (1 + 1 / math.log2(3))
    ndcg_u = 1 / math.log2(3)
    assert ndcg_t == pytest.approx(0.6131, abs=1e-4) and ndcg_u == pytest.approx(0.6309, abs=1e-4)
    assert got.metrics["normalized_discounted_cumulative_gain_at_5"] == pytest.approx(
        (ndcg_t + ndcg_u) / 2
    )
    # one hit each in the top 5: precision@5 = 1/5 for both
    assert got.metrics["precision_at_5"] == pytest.approx(1 / 5)
    # truth items: t {i5, z} + u {z} = 3, of which i5 is in t's history
    assert (got.test_users, got.users_with_truth) == (2, 2)
    assert (got.truth_items, got.truth_items_in_history) == (3, 1)


def test_split_truth_at_least_one_and_ties_keep_input_order() -> None:
    rows = [("t", "first", 5), ("t", "second", 5), ("t", "third", 5)]
    rows += [(f"o{u}", "x", 1) for u in range(9)]
    split = metrics.split_users(_frame(rows), seed=0)
    assert split.histories[0] == ("first", "second")
    assert split.truths[0] == frozenset({"third"})


def test_split_is_reproducible_and_seeded() -> None:
    data = _users(100, 5)
    a, b = metrics.split_users(data, 3), metrics.split_users(data, 3)
    assert a.test_users == b.test_users
    assert metrics.split_users(data, 4).test_users != a.test_users


def test_evaluate_keys_and_values_for_popularity() -> None:
    # test user t: history [p], truth {q}; popularity order p, q, r. The scored list is the
    # list the model serves, history included: [p, q, r]
    rows = [("t", "p", 1), ("t", "q", 2)]
    rows += [(f"o{u}", "p", 1) for u in range(9)]
    split = metrics.split_users(_frame(rows), seed=0)
    model = PopularityModel("pop", np.array(["p", "q", "r"], dtype=object), np.array([3.0, 2, 1]))
    got = metrics.evaluate(model, split)
    assert set(got) == set(metrics.METRIC_KEYS) and len(got) == 8
    assert got["mean_reciprocal_rank_at_25"] == pytest.approx(1 / 2)  # q at rank 2
    # one relevant item, hit at rank 2: DCG 1/log2(3) over the ideal 1/log2(2) = 1
    assert got["normalized_discounted_cumulative_gain_at_5"] == pytest.approx(1 / math.log2(3))
    assert got["precision_at_5"] == pytest.approx(1 / 5)
    assert got["precision_at_25"] == pytest.approx(1 / 25)
    # recommended {p, q, r}; the catalogue (Items ∪ Interactions) is {p, q}: r is outside it,
    # so 2 / 2, not 3 / 2
    assert got["coverage"] == pytest.approx(2 / 2)


def _toy_split(truths: tuple[frozenset[str], ...]) -> metrics.Split:
    return metrics.Split(
        train=TrainingData(pd.DataFrame()),
        test_users=tuple(f"u{i}" for i in range(len(truths))),
        histories=tuple(() for _ in truths),
        truths=truths,
        catalogue=np.array(["x", "y", "z", "w"], dtype=object),
    )


def test_coverage_counts_unique_recommended_items_over_catalogue() -> None:
    split = _toy_split((frozenset({"x"}), frozenset({"y"})))
    # recommended x, y, z and "r", which is in no catalogue: {x, y, z} of {x, y, z, w} = 3/4
    lists = [["x", "y", "r"], ["z", "y"]]
    got = metrics.evaluate(None, split, lists=lists)  # type: ignore[arg-type]
    assert got["coverage"] == pytest.approx(3 / 4)
    # a: x at rank 1; b: y at rank 2; one hit each in the top 5
    assert got["precision_at_5"] == pytest.approx((1 / 5 + 1 / 5) / 2)
    assert got["mean_reciprocal_rank_at_25"] == pytest.approx((1 + 1 / 2) / 2)


def test_users_without_truth_are_counted_not_averaged() -> None:
    # u0 truth {x}, list [x, …] → RR 1; u1 has no truth; u2 truth {y}, list [z, y] → RR 1/2.
    # MRR over the 2 users with truth = 0.75 (with u1 as 0 it would be 0.5)
    split = _toy_split((frozenset({"x"}), frozenset(), frozenset({"y"})))
    got = metrics.score(None, split, lists=[["x", "w"], ["w"], ["z", "y"]])  # type: ignore[arg-type]
    assert got.metrics["mean_reciprocal_rank_at_25"] == pytest.approx(0.75)
    assert (got.test_users, got.users_with_truth) == (3, 2)
    # u1's list still counts for coverage: {x, w, z, y} of {x, y, z, w}
    assert got.metrics["coverage"] == pytest.approx(4 / 4)


def test_no_user_with_truth_is_nan_never_zero() -> None:
    split = _toy_split((frozenset(), frozenset()))
    got = metrics.score(None, split, lists=[["x"], ["y"]])  # type: ignore[arg-type]
    assert (got.test_users, got.users_with_truth) == (2, 0)
    assert got.metrics["coverage"] == pytest.approx(2 / 4)
    others = [k for k in metrics.METRIC_KEYS if k != "coverage"]
    assert all(math.isnan(got.metrics[k]) for k in others)
    # GetSolutionMetrics leaves NaN out (JSON has no NaN); the counts are not metric keys
    assert got.wire_metrics() == {"coverage": pytest.approx(0.5)}
    assert got.record() == {
        "testUsers": 2,
        "usersWithTruth": 0,
        "truthItems": 0,
        "truthItemsInHistory": 0,
    }


def test_score_refuses_lists_that_do_not_match_the_test_users() -> None:
    split = _toy_split((frozenset({"x"}), frozenset({"y"})))
    with pytest.raises(ValueError, match="1 lists for 2 test users"):
        metrics.score(None, split, lists=[["x"]])  # type: ignore[arg-type]


def test_each_k_scores_its_own_cut_of_the_list() -> None:
    # The demo's v2 version had NDCG@5 == NDCG@10 exactly (no hit at ranks 6-10 in any list);
    # these lists have hits past rank 5 and past rank 10, so a key computed with another k,
    # a list cut short or an ideal DCG not capped by the truth's size gives other numbers.
    # a: truth {a1, a2, a3}, hits at ranks 3, 7 and 18; b: 6 truth items, hits at ranks 1, 9
    filler = [f"x{i}" for i in range(25)]
    list_a, list_b = list(filler), list(filler)
    list_a[2], list_a[6], list_a[17] = "a1", "a2", "a3"
    list_b[0], list_b[8] = "b1", "b2"
    truths = (frozenset({"a1", "a2", "a3"}), frozenset(f"b{i}" for i in range(1, 7)))
    got = metrics.score(None, _toy_split(truths), lists=[list_a, list_b]).metrics  # type: ignore[arg-type]

    def gain(rank: int) -> float:
        return 1 / math.log2(rank + 1)

    ideal_a = gain(1) + gain(2) + gain(3)  # 3 relevant items: the ideal stops at 3 at any k
    ideal_b5 = sum(gain(r) for r in range(1, 6))  # 6 relevant: 5 at k=5, 6 at k=10 and 25
    ideal_b = ideal_b5 + gain(6)
    assert (ideal_a, ideal_b5, ideal_b) == pytest.approx((2.1309, 2.9485, 3.3047), abs=1e-4)
    ndcg5 = (gain(3) / ideal_a + gain(1) / ideal_b5) / 2  # (0.2346 + 0.3392) / 2
    ndcg10 = ((gain(3) + gain(7)) / ideal_a + (gain(1) + gain(9)) / ideal_b) / 2
    ndcg25 = ((gain(3) + gain(7) + gain(18)) / ideal_a + (gain(1) + gain(9)) / ideal_b) / 2
    assert (ndcg5, ndcg10, ndcg25) == pytest.approx((0.2869, 0.3924, 0.4476), abs=1e-4)
    key = "normalized_discounted_cumulative_gain_at_"
    assert [got[f"{key}{k}"] for k in (5, 10, 25)] == pytest.approx([ndcg5, ndcg10, ndcg25])
    # hits in the top 5: 1 and 1; top 10: 2 and 2; top 25: 3 and 2
    assert got["precision_at_5"] == pytest.approx((1 / 5 + 1 / 5) / 2)
    assert got["precision_at_10"] == pytest.approx((2 / 10 + 2 / 10) / 2)
    assert got["precision_at_25"] == pytest.approx((3 / 25 + 2 / 25) / 2)
    assert got["mean_reciprocal_rank_at_25"] == pytest.approx((1 / 3 + 1) / 2)


def test_a_version_is_scored_on_its_top_25() -> None:
    # 30 items by popularity i00 (most) … i29; t's truth is i19, rank 20 of the list served:
    # no hit in the top 5 or 10, one in the top 25. Lists cut at 5 or 10 would score 0 at 25.
    items = np.array([f"i{r:02d}" for r in range(30)], dtype=object)
    model = PopularityModel("pop", items, np.arange(30, 0, -1, dtype=float))
    split = _toy_split((frozenset({"i19"}),))
    (served,) = metrics.recommend_for_split(model, split)
    assert served == [f"i{r:02d}" for r in range(25)]
    got = metrics.evaluate(model, split)
    assert got["normalized_discounted_cumulative_gain_at_5"] == 0.0
    assert got["normalized_discounted_cumulative_gain_at_10"] == 0.0
    assert got["normalized_discounted_cumulative_gain_at_25"] == pytest.approx(1 / math.log2(21))
    assert got["precision_at_25"] == pytest.approx(1 / 25)
    assert got["mean_reciprocal_rank_at_25"] == pytest.approx(1 / 20)
