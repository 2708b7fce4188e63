"""v2's validation splits (the last event; held-out users' newest 10 %, shaped like the offline
metrics), NDCG@10 as ``metrics.ndcg_at_k`` computes it, and early stopping's best epoch."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from services.local.models import metrics
from services.local.models.recipes import get_recipe
from services.local.models.recipes.base import TrainingConfig
from services.local.models.recipes.sequence._sasrec_validation import (
    EarlyStopping,
    Plan,
    Validation,
    block_ndcg,
    holdout_users,
    plan,
    split,
    truth_sizes,
)
from tests.local.recipes.toy import toy_data

TINY = {"hidden_dimension": "16", "bptt": "12", "negative_samples": "16", "epochs": "40"}


@pytest.fixture(scope="module", autouse=True)
def _shared_compile_cache(compile_cache: Path) -> None:
    from services.local.models.recipes.sequence._sasrec_train import use_compile_cache

    use_compile_cache(compile_cache)


def test_holdout_users_are_a_tenth_of_the_users_with_two_events() -> None:
    # 20 users; users 0-4 have one event each (never validation users), the others 2-16
    counts = np.r_[[1] * 5, np.arange(2, 17)]
    ends = np.cumsum(counts)
    starts = ends - counts
    chosen = holdout_users(starts, ends, seed=3, max_users=2000)
    assert len(chosen) == 2  # round(0.1 × 20 users)
    assert chosen.tolist() == sorted(chosen.tolist()) and chosen.min() >= 5
    assert len(holdout_users(starts, ends, seed=3, max_users=1)) == 1  # the cap
    assert len(holdout_users(starts, ends, seed=3, max_users=2000, share=0.04)) == 1
    assert len(holdout_users(starts, ends, seed=3, max_users=2000, share=0.0)) == 0
    # every eligible user at most, however large the share
    assert len(holdout_users(starts, ends, seed=3, max_users=2000, share=1.0)) == 15


def test_split_truth_is_the_newest_tenth_and_history_the_rest() -> None:
    """A hand-made log of item codes, written out user by user:
    user 0 (3 events)  5 6 7            → 10 % rounds down to 0, so the newest 1 is truth: {7}
    user 1 (1 event)   9                → not a validation user here
    user 2 (25 events) 1 2 … 22 4 4 8   → floor(2.5) = 2: truth {4, 8} (the repeat once),
                                          history 1..22 and 4 (4 is also in the history)"""
    u0, u1 = [5, 6, 7], [9]
    u2 = [*range(1, 23), 4, 4, 8]
    codes = np.asarray(u0 + u1 + u2, dtype=np.int32)
    counts = np.asarray([3, 1, 25])
    ends = np.cumsum(counts)
    starts = ends - counts
    users = np.asarray([0, 2])
    assert truth_sizes(starts, ends, users).tolist() == [1, 2]
    val = split(codes, starts, ends, Plan(users, truth_sizes(starts, ends, users), False), 4)
    assert len(val) == 2
    assert val.x.tolist() == [[0, 0, 5, 6], [20, 21, 22, 4]]  # newest 4 of each history
    assert val.truth_ptr.tolist() == [0, 1, 3] and val.truth.tolist() == [7, 4, 8]
    assert val.seen_ptr.tolist() == [0, 2, 24]
    assert val.seen[:2].tolist() == [5, 6] and val.seen[2:].tolist() == list(range(1, 23))


def test_the_default_split_is_every_longer_users_last_event() -> None:
    """Users with 5, 2, 3 and 4 events: the three with 3+ validate on their last event and
    train on the rest (warm); the user with 2 does not validate. The hand-made log:
    user 0: 1 2 3 4 5, user 1: 6 7, user 2: 8 9 8, user 3: 1 1 2 3."""
    codes = np.asarray([1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 1, 1, 2, 3], dtype=np.int32)
    counts = np.asarray([5, 2, 3, 4])
    ends = np.cumsum(counts)
    starts = ends - counts
    chosen = plan(starts, ends, seed=0, max_users=2000)
    assert chosen.users.tolist() == [0, 2, 3] and chosen.held.tolist() == [1, 1, 1]
    assert chosen.warm
    val = split(codes, starts, ends, chosen, length=3)
    assert val.x.tolist() == [[2, 3, 4], [0, 8, 9], [1, 1, 2]]
    assert val.truth.tolist() == [5, 8, 3]  # user 2's truth 8 is also in its history
    assert val.seen_ptr.tolist() == [0, 4, 6, 8] and val.seen.tolist() == [1, 2, 3, 4, 8, 9, 1, 2]
    assert len(plan(starts, ends, seed=0, max_users=2).users) == 2


def _validation(truths: list[list[int]], seen: list[list[int]]) -> Validation:
    def ragged(parts: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        ptr = np.r_[0, np.cumsum([len(p) for p in parts])].astype(np.int64)
        return ptr, np.asarray([c for p in parts for c in p], dtype=np.int32)

    x = np.zeros((len(truths), 2), dtype=np.int32)
    return Validation(x, *ragged(truths), *ragged(seen))


def test_validation_ndcg_is_the_metrics_ndcg_with_history_served_or_left_out() -> None:
    """Five items (codes 1-5). User 0 scores them 0.9, 0.1, 0.5, 0.3, 0.7: the list is codes
    1, 5, 3, 4, 2; truth {3, 2} is hit at positions 3 and 5, so NDCG@10 = (1/log2 4 +
    1/log2 6) / (1 + 1/log2 3) = 0.5437. With its history {1, 5} left out the list is 3, 4, 2:
    hits at 1 and 3, (1 + 1/2) / (1 + 1/log2 3) = 0.9197. User 1's truth {1} is its history's
    too: served, its top item, 1.0; left out, never listed, 0.0. Checked against
    ``metrics.ndcg_at_k`` on the same lists."""
    scores = np.asarray([[0.9, 0.1, 0.5, 0.3, 0.7], [0.8, 0.6, 0.4, 0.2, 0.0]])
    val = _validation([[3, 2], [1]], [[1, 5], [1]])
    ideal = 1 + 1 / math.log2(3)
    served = block_ndcg(scores, val, 0, "served")
    np.testing.assert_allclose(served, [(0.5 + 1 / math.log2(6)) / ideal, 1.0])
    left = block_ndcg(scores, val, 0, "left_out")
    np.testing.assert_allclose(left, [1.5 / ideal, 0.0])
    by_metrics = [
        metrics.ndcg_at_k(["1", "5", "3", "4", "2"], frozenset({"3", "2"}), 10),
        metrics.ndcg_at_k(["3", "4", "2"], frozenset({"3", "2"}), 10),
    ]
    np.testing.assert_allclose([served[0], left[0]], by_metrics)
    # a block further down the users (lo = 1) reads user 1's truth and history
    np.testing.assert_allclose(block_ndcg(scores[1:], val, 1, "left_out"), [0.0])


def test_early_stopping_keeps_the_best_epoch_of_a_score_sequence() -> None:
    """Patience 3 over 0.10, 0.30, 0.20, 0.25, 0.30, 0.29: epoch 2 is the best (a tie at
    epoch 5 is no improvement) and epoch 5 is 3 past it, so training stops there."""
    stopping = EarlyStopping(patience=3)
    seen = []
    for epoch, score in enumerate([0.10, 0.30, 0.20, 0.25, 0.30, 0.29], 1):
        seen.append((stopping.improved(epoch, score), stopping.stop(epoch)))
        if seen[-1][1]:
            break
    assert seen == [(True, False), (True, False), (False, False), (False, False), (False, True)]
    assert (stopping.best_epoch, stopping.best_score) == (2, 0.30)
    # without validation users (NaN) every epoch is the newest best, and none stops
    nan = EarlyStopping(patience=1)
    assert all(nan.improved(e, math.nan) and not nan.stop(e) for e in (1, 2, 3))


def test_a_fit_returns_the_weights_of_its_best_validation_epoch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The validation score is scripted (0.2, 0.5, 0.4, 0.45, 0.1, ...) with patience 3 and no
    weight averaging: the fit stops at epoch 5 and returns epoch 2's weights."""
    from services.local.models.recipes.sequence import _sasrec_train as train

    script = [0.2, 0.5, 0.4, 0.45, 0.1, 0.9, 0.9]
    seen: list[dict[str, np.ndarray]] = []

    def scripted(params: dict[str, np.ndarray], validation: Validation) -> float:
        assert len(validation) == 60  # toy_data's 60 users, each its last event
        seen.append({k: v.copy() for k, v in params.items()})
        return script[len(seen) - 1]

    monkeypatch.setattr(train, "validation_ndcg", scripted)
    monkeypatch.setattr(train, "PATIENCE", 3)
    hp = {**TINY, "epochs": "7", "weight_averaging": "0"}
    model = get_recipe("aws-user-personalization-v2").fit(
        toy_data(), TrainingConfig(hyperparameters=hp)
    )
    report = model.training
    assert (report["best_epoch"], report["epochs_run"], report["stopped"]) == (
        2,
        5,
        "early_stopping",
    )
    assert report["validation_ndcg_at_10"] == 0.5 and len(seen) == 5
    for name, value in model.params.items():
        np.testing.assert_array_equal(value, seen[1][name], err_msg=name)
    assert not np.array_equal(seen[1]["item_emb"], seen[4]["item_emb"])
