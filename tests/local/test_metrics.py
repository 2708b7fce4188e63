"""Metrics against values worked out by hand on tiny inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from services.local.models import metrics
from services.local.models.recipes.base import TrainingData
from services.local.models.recipes.popularity import PopularityModel


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


def test_catalogue_coverage() -> None:
    assert metrics.catalogue_coverage([["a", "b"], ["b", "c"]], 10) == pytest.approx(3 / 10)


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
    # test user t: history [p], truth {q}; popularity order p, q, r but p is in the history
    rows = [("t", "p", 1), ("t", "q", 2)]
    rows += [(f"o{u}", "p", 1) for u in range(9)]
    split = metrics.split_users(_frame(rows), seed=0)
    model = PopularityModel("pop", np.array(["p", "q", "r"], dtype=object), np.array([3.0, 2, 1]))
    got = metrics.evaluate(model, split)
    assert set(got) == set(metrics.METRIC_KEYS) and len(got) == 8
    assert got["mean_reciprocal_rank_at_25"] == pytest.approx(1.0)  # q comes first once p is out
    assert got["normalized_discounted_cumulative_gain_at_5"] == pytest.approx(1.0)
    assert got["precision_at_5"] == pytest.approx(1 / 5)
    assert got["precision_at_25"] == pytest.approx(1 / 25)
    assert got["coverage"] == pytest.approx(2 / 2)  # recommended {q, r} ÷ catalogue {p, q}


def test_coverage_counts_unique_recommended_items_over_catalogue() -> None:
    split = metrics.Split(
        train=TrainingData(pd.DataFrame()),
        test_users=("a", "b"),
        histories=((), ()),
        truths=(frozenset({"x"}), frozenset({"y"})),
        catalogue=np.array(["x", "y", "z", "w"], dtype=object),
    )
    got = metrics.evaluate(None, split, lists=[["x", "y"], ["z", "y"]])  # type: ignore[arg-type]
    assert got["coverage"] == pytest.approx(3 / 4)
    assert got["precision_at_5"] == pytest.approx((1 / 5 + 1 / 5) / 2)
    assert got["mean_reciprocal_rank_at_25"] == pytest.approx((1 + 1 / 2) / 2)
