"""Recipe-specific behaviour on the two-cluster toy data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from services.local.jobs.tasks.training import training_config
from services.local.models.recipes import get_recipe, recipe_arn
from services.local.models.recipes.base import EventWeight, TrainingConfig, TrainingData
from services.local.models.recipes.training_data import filter_interactions
from tests.local.recipes.toy import CLUSTER_A, CLUSTER_B, toy_data

UP_VARIANTS = [{}, {"max_dense_items": "0"}]  # EASE and the ALS path for big catalogues


def top(model, scores, exclude, n) -> list[str]:  # noqa: ANN001
    s = scores.copy()
    s[[list(model.item_ids).index(e) for e in exclude]] = -np.inf
    return [str(model.item_ids[i]) for i in np.argsort(-s, kind="stable")[:n]]


def test_unknown_recipe_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown recipe 'aws-nope'.*aws-sims"):
        get_recipe("aws-nope")
    assert recipe_arn("aws-sims") == "arn:aws:personalize:::recipe/aws-sims"


@pytest.mark.parametrize("hp", UP_VARIANTS)
def test_cluster_a_history_gets_cluster_a_items(hp: dict[str, str]) -> None:
    model = get_recipe("aws-user-personalization").fit(
        toy_data(), TrainingConfig(hyperparameters=hp)
    )
    history = ["a3", "a7", "a1"]
    assert set(top(model, model.score_user("newcomer", history), history, 10)) <= set(CLUSTER_A)


@pytest.mark.parametrize("hp", UP_VARIANTS)
def test_recency_reversed_history_changes_top_items(hp: dict[str, str]) -> None:
    model = get_recipe("aws-user-personalization").fit(
        toy_data(), TrainingConfig(hyperparameters=hp)
    )
    history = ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"]
    newest_b = top(model, model.score_user(None, history), history, 5)
    newest_a = top(model, model.score_user(None, history[::-1]), history, 5)
    # the newest half of the history leads: top item and most of the top 5 come from it
    assert newest_b[0] in CLUSTER_B and len(set(newest_b) & set(CLUSTER_B)) >= 3
    assert newest_a[0] in CLUSTER_A and len(set(newest_a) & set(CLUSTER_A)) >= 3


def test_known_user_without_history_uses_training_history() -> None:
    model = get_recipe("aws-user-personalization").fit(toy_data(), TrainingConfig())
    scores = model.score_user("u1", [])  # odd users live in cluster B
    assert scores is not None
    assert set(top(model, scores, [], 5)) <= set(CLUSTER_B)


def test_update_adds_new_items_and_users() -> None:
    recipe = get_recipe("aws-user-personalization")
    data = toy_data()
    model = recipe.fit(data, TrainingConfig())
    extra = pd.DataFrame(
        {
            "USER_ID": ["new-user"] * 3 + ["u0"] * 3,
            "ITEM_ID": ["a0", "a1", "fresh"] * 2,
            "TIMESTAMP": np.arange(6, dtype=np.int64) + 2_000_000_000,
            "EVENT_TYPE": "click",
            "EVENT_VALUE": 1.0,
        }
    )
    updated = recipe.update(
        model, TrainingData(pd.concat([data.interactions, extra])), TrainingConfig()
    )
    assert list(updated.item_ids[: len(model.item_ids)]) == list(model.item_ids)
    assert "fresh" in set(updated.item_ids)
    # "fresh" follows a0, a1: the sequential term puts it above every unrelated item
    scores = dict(zip(updated.item_ids, updated.score_user("new-user", ["a0", "a1"]), strict=True))
    assert scores["fresh"] > max(scores[b] for b in [*CLUSTER_B, "cold"])
    assert updated.score_user("new-user", []) is not None  # a known user now


def test_sims_neighbours_stay_in_cluster_and_sparse_items_fall_back() -> None:
    model = get_recipe("aws-sims").fit(toy_data(), TrainingConfig())
    scores = model.score_item("a0")
    assert set(top(model, scores, ["a0"], 10)) <= set(CLUSTER_A)
    assert model.score_item("cold") is None  # in Items, never interacted with


def test_event_value_threshold_drops_events() -> None:
    df = toy_data().interactions.copy()
    df["EVENT_VALUE"] = np.where(np.arange(len(df)) % 4 == 0, 0.5, 2.0)
    kept = filter_interactions(df, TrainingConfig(event_value_threshold=1.0))
    assert len(kept) == len(df) - len(df[::4])
    assert (kept["EVENT_VALUE"] >= 1.0).all()


def test_events_config_keeps_listed_types_with_weights() -> None:
    df = toy_data().interactions.copy()
    df["EVENT_TYPE"] = np.where(np.arange(len(df)) % 2 == 0, "click", "purchase")
    df.loc[df.index[:3], "EVENT_TYPE"] = "other"
    config = TrainingConfig(events=(EventWeight("click", 0.2), EventWeight("purchase", 1.0)))
    kept = filter_interactions(df, config)
    assert len(kept) == len(df) - 3
    weights = dict(zip(kept["EVENT_TYPE"], kept["WEIGHT"], strict=False))
    assert weights == {"click": 0.2, "purchase": 1.0}
    only = filter_interactions(df, TrainingConfig(event_type="purchase"))
    assert set(only["EVENT_TYPE"]) == {"purchase"}


def test_trending_favours_item_whose_rate_grew() -> None:
    hour = 3600
    end = 10 * 24 * hour
    rows = []
    # "steady": 40 events in each of the two latest days; "rising": 10 then 40; "falling": 40 → 5
    for item, before, recent in [("steady", 40, 40), ("rising", 10, 40), ("falling", 40, 5)]:
        rows += [(f"p{k}", item, end - 24 * hour - 1 - k) for k in range(before)]
        rows += [(f"r{k}", item, end - k) for k in range(recent)]
    df = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP"])
    df["EVENT_TYPE"], df["EVENT_VALUE"] = "", np.nan
    daily = TrainingConfig(features={"trend_discovery_frequency": "1 day"})
    model = get_recipe("aws-trending-now").fit(TrainingData(df), daily)
    trend = dict(zip(model.item_ids, model.popularity, strict=True))
    assert trend["rising"] > trend["steady"] > trend["falling"]
    # by hand: (40 - 10) / sqrt(40 + 10 + 1)
    assert trend["rising"] == pytest.approx(30 / np.sqrt(51))
    # The default window, 2 hours, holds every "recent" event and none of the day before:
    # each item's trend is its recent count against zero, 40 / sqrt(41) for steady and rising.
    default = get_recipe("aws-trending-now").fit(TrainingData(df), TrainingConfig())
    trend = dict(zip(default.item_ids, default.popularity, strict=True))
    assert trend["rising"] == trend["steady"] == pytest.approx(40 / np.sqrt(41))
    assert trend["falling"] == pytest.approx(5 / np.sqrt(6))


# ALS on the most popular items only: the others keep zero factors and are skipped in scoring.
ALS_ON_POPULAR = {"max_dense_items": "0", "min_item_interactions": "30"}


def test_als_learns_only_items_with_enough_interactions() -> None:
    data = toy_data()
    model = get_recipe("aws-user-personalization").fit(
        data, TrainingConfig(hyperparameters=ALS_ON_POPULAR)
    )
    counts = data.interactions["ITEM_ID"].value_counts()
    learned = {str(model.item_ids[i]) for i in np.flatnonzero(np.any(model.factors != 0, axis=1))}
    assert learned == set(counts.index[counts >= 30])
    assert 0 < len(learned) < len(model.item_ids)
    scores = model.score_user(None, ["a3", "a7", "a1"])
    assert np.isfinite(scores).all()


@pytest.mark.parametrize("hp", [*UP_VARIANTS, ALS_ON_POPULAR])
def test_batch_scores_equal_one_user_scores(hp: dict[str, str]) -> None:
    model = get_recipe("aws-user-personalization").fit(
        toy_data(), TrainingConfig(hyperparameters=hp)
    )
    users = ["u1", "newcomer", None, "nobody", "u2"]
    histories = [[], ["a3", "a7", "a1"], ["b2"], [], ["b1", "a0", "b4", "b3"]]
    batch, personalised = model.score_users(users, histories)
    assert batch.shape == (5, len(model.item_ids)) and batch.dtype == np.float32
    for row, (user, hist) in enumerate(zip(users, histories, strict=True)):
        one = model.score_user(user, hist)
        assert personalised[row] == (one is not None)
        if one is None:
            assert not batch[row].any()
        else:
            np.testing.assert_allclose(batch[row], one, rtol=1e-5, atol=1e-6)


def test_solution_config_reaches_training_as_hyperparameters_and_features() -> None:
    solution = {
        "solutionConfig": {
            "algorithmHyperParameters": {"bptt": "16"},
            "featureTransformationParameters": {"trend_discovery_frequency": "1 day"},
        }
    }
    config = training_config(solution)
    assert dict(config.hyperparameters) == {"bptt": "16"}
    assert dict(config.features) == {"trend_discovery_frequency": "1 day"}


def test_popularity_counts_distinct_users_not_events() -> None:
    # by hand: "binge" has 6 events from 1 user, "shared" 3 events from 3 users, "pair" 2
    # events from 2 users; with event type Purchase only, "viewed" (4 users, View) is out.
    rows = [("u1", "binge", t, "Purchase") for t in range(6)]
    rows += [(f"u{n}", "shared", 10 + n, "Purchase") for n in (1, 2, 3)]
    rows += [(f"u{n}", "pair", 20 + n, "Purchase") for n in (4, 5)]
    rows += [(f"u{n}", "viewed", 30 + n, "View") for n in (1, 2, 3, 4)]
    df = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"])
    df["EVENT_VALUE"] = np.nan
    model = get_recipe("aws-popularity-count").fit(
        TrainingData(df), TrainingConfig(event_type="Purchase")
    )
    users = dict(zip(model.item_ids, model.popularity, strict=True))
    assert users == {"binge": 1.0, "shared": 3.0, "pair": 2.0}
