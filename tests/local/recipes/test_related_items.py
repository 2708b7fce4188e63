"""aws-similar-items: co-interactions blended with item metadata, on the two-cluster toy data.

Cluster A items are "kitchen" goods named 냄비 (pot) …, cluster B "garden" goods named 삽
(shovel) …; the cold item has no interaction at all, so only its metadata can place it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from services.local.models.recipes import get_recipe
from services.local.models.recipes.base import TrainingConfig, TrainingData
from tests.local.recipes.toy import CLUSTER_A, CLUSTER_B, COLD_ITEM, toy_data

FIELDS = {"CATEGORY": "categorical", "NAME": "textual"}


def shop(cold_category: str = "kitchen", cold_name: str = "스테인리스 냄비 대형") -> TrainingData:
    base = toy_data()
    items = pd.DataFrame(
        {
            "ITEM_ID": [*CLUSTER_A, *CLUSTER_B, COLD_ITEM],
            "CATEGORY": ["kitchen"] * 20 + ["garden"] * 20 + [cold_category],
            "NAME": [f"냄비 {i}호" for i in range(20)]
            + [f"정원 삽 {i}호" for i in range(20)]
            + [cold_name],
        }
    )
    return TrainingData(base.interactions, items, item_fields=FIELDS)


def ranked(model, scores: np.ndarray, n: int) -> list[str]:  # noqa: ANN001
    return [str(model.item_ids[i]) for i in np.argsort(-scores, kind="stable")[:n]]


def test_cold_item_gets_neighbours_from_its_metadata() -> None:
    model = get_recipe("aws-similar-items").fit(shop(), TrainingConfig())
    scores = model.score_item(COLD_ITEM)
    assert scores is not None  # aws-sims has nothing for an item nobody interacted with
    assert get_recipe("aws-sims").fit(shop(), TrainingConfig()).score_item(COLD_ITEM) is None
    assert set(ranked(model, scores, 10)) <= set(CLUSTER_A)
    assert scores[list(model.item_ids).index(COLD_ITEM)] == -1.0  # never its own neighbour


def test_metadata_moves_a_cold_item_to_the_other_cluster() -> None:
    model = get_recipe("aws-similar-items").fit(shop("garden", "정원 삽 특대"), TrainingConfig())
    scores = model.score_item(COLD_ITEM)
    assert scores is not None and set(ranked(model, scores, 10)) <= set(CLUSTER_B)


def test_text_alone_places_a_cold_item() -> None:
    """Without categorical fields, the Hangul name's character n-grams do it."""
    data = shop("", "정원 삽 소형")
    data = TrainingData(data.interactions, data.items, item_fields={"NAME": "textual"})
    model = get_recipe("aws-similar-items").fit(data, TrainingConfig())
    scores = model.score_item(COLD_ITEM)
    assert scores is not None and set(ranked(model, scores, 5)) <= set(CLUSTER_B)


def test_warm_items_follow_co_interactions() -> None:
    """A popular item's neighbours are its co-interaction neighbours, even when the metadata
    says otherwise (every name and category here points to the wrong cluster)."""
    data = shop()
    swapped = data.items.assign(CATEGORY=["garden"] * 20 + ["kitchen"] * 21)
    model = get_recipe("aws-similar-items").fit(
        TrainingData(data.interactions, swapped, item_fields={"CATEGORY": "categorical"}),
        TrainingConfig(),
    )
    scores = model.score_item("a0")
    assert scores is not None and set(ranked(model, scores, 5)) <= set(CLUSTER_A)


def test_popularity_discount_factor_lowers_popular_neighbours() -> None:
    data = shop()
    plain = get_recipe("aws-similar-items").fit(data, TrainingConfig())
    discounted = get_recipe("aws-similar-items").fit(
        data, TrainingConfig(hyperparameters={"popularity_discount_factor": "1.0"})
    )
    pop = dict(zip(plain.item_ids, plain.popularity, strict=True))

    def mean_popularity(model) -> float:  # noqa: ANN001
        return float(np.mean([pop[i] for i in ranked(model, model.score_item("a5"), 5)]))

    assert mean_popularity(discounted) < mean_popularity(plain)


def test_item_metadata_hidden_dim_is_the_embedding_width() -> None:
    narrow = get_recipe("aws-similar-items").fit(
        shop(), TrainingConfig(hyperparameters={"item_metadata_hidden_dim": "30"})
    )
    assert narrow.metadata.shape == (41, 30)
    # the cold item is still placed by its 30-wide embedding
    scores = narrow.score_item(COLD_ITEM)
    assert scores is not None and set(ranked(narrow, scores, 10)) <= set(CLUSTER_A)
