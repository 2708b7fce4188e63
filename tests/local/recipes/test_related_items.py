"""aws-similar-items, aws-semantic-similarity and the affinity recipes on the toy data.

Cluster A items are "kitchen" goods named 냄비 (pot) …, cluster B "garden" goods named 삽
(shovel) …; the cold item has no interaction at all, so only its metadata can place it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from services.local.models.recipes import get_recipe
from services.local.models.recipes.base import TrainingConfig, TrainingData, TrainingError
from services.local.models.recipes.segments import SegmentQueryError
from tests.local.recipes.toy import CLUSTER_A, CLUSTER_B, COLD_ITEM, toy_data, toy_data_with_text

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


# aws-semantic-similarity ------------------------------------------------------------------


def semantic(data: TrainingData | None = None, **config: object):  # noqa: ANN201
    return get_recipe("aws-semantic-similarity").fit(
        data or toy_data_with_text(),
        TrainingConfig(**config),  # type: ignore[arg-type]
    )


def test_semantic_neighbours_come_from_the_text() -> None:
    model = semantic()
    scores = model.score_item(COLD_ITEM)  # a cold item: its text places it
    assert scores is not None and set(ranked(model, scores, 10)) <= set(CLUSTER_A)
    b = model.score_item("b3")
    assert b is not None and set(ranked(model, b, 10)) <= set(CLUSTER_B)
    assert b[list(model.item_ids).index("b3")] == -1.0


def test_semantic_trains_without_interactions() -> None:
    data = toy_data_with_text()
    empty = data.interactions.iloc[:0]
    model = semantic(TrainingData(empty, data.items, item_fields=data.item_fields))
    assert len(model.item_ids) == 41 and not model.popularity.any()
    scores = model.score_item("a1")
    assert scores is not None and set(ranked(model, scores, 10)) <= set(CLUSTER_A)


def test_semantic_needs_an_item_name_and_a_textual_field() -> None:
    data = toy_data_with_text()
    for fields in ({"DESCRIPTION": "textual"}, {"TITLE": "itemName"}, {}):
        with pytest.raises(TrainingError, match='"itemName": true.*"textual": true'):
            semantic(TrainingData(data.interactions, data.items, item_fields=fields))


def test_ranking_influence_popularity_and_freshness() -> None:
    """Ten pots with the same text (equally similar) and two shovels: item p{i} has i + 1
    users and was created at 10 - i (p0 is the newest and the least popular)."""
    pots = [f"p{i}" for i in range(10)]
    items = pd.DataFrame(
        {
            "ITEM_ID": [*pots, "s0", "s1"],
            "TITLE": ["냄비"] * 10 + ["정원 삽"] * 2,
            "DESCRIPTION": ["스테인리스 냄비"] * 10 + ["정원 삽"] * 2,
            "CREATION_TIMESTAMP": [10 - i for i in range(10)] + [100, 100],
        }
    )
    rows = [(f"u{u}", p, 1, "click", 1.0) for i, p in enumerate(pots) for u in range(i + 1)]
    rows += [(f"u{u}", "s0", 2, "click", 1.0) for u in range(50)]
    inter = pd.DataFrame(rows, columns=list(toy_data().interactions.columns))
    fields = {"TITLE": "itemName", "DESCRIPTION": "textual"}
    model = semantic(TrainingData(inter, items, item_fields=fields))
    base = model.score_item("p5")
    assert base is not None

    def top(influence: dict[str, float]) -> list[str]:
        return ranked(model, model.influenced(base, influence), 4)

    assert top({"POPULARITY": 1.0}) == ["p9", "p8", "p7", "p6"]
    assert top({"FRESHNESS": 1.0}) == ["p0", "p1", "p2", "p3"]
    # no influence, no change; the shovels (popular, newest) stay below every similar pot
    np.testing.assert_array_equal(model.influenced(base, {"POPULARITY": 0.0}), base)
    both = model.influenced(base, {"POPULARITY": 1.0, "FRESHNESS": 1.0})
    shovels = [list(model.item_ids).index(s) for s in ("s0", "s1")]
    assert both[shovels].max() < both[base > 0].min()


def test_with_items_adds_and_changes_items_without_refitting() -> None:
    model = semantic()
    extra = pd.DataFrame(
        {
            "ITEM_ID": ["new-shovel", "a0"],
            "TITLE": ["튼튼한 정원 삽", "정원 삽 특가"],  # a0 is now described as a shovel
            "DESCRIPTION": ["정원 가꾸기 삽", "정원 가꾸기 삽"],
        }
    )
    folded = model.with_items(pd.concat([toy_data_with_text().items, extra]))
    assert list(folded.item_ids[:41]) == list(model.item_ids)
    assert folded.item_ids[41] == "new-shovel" and folded.popularity[41] == 0
    np.testing.assert_array_equal(folded.vocabulary.terms, model.vocabulary.terms)
    new = folded.score_item("new-shovel")
    assert new is not None and set(ranked(folded, new, 10)) <= {*CLUSTER_B, "a0"}
    moved = folded.score_item("a0")
    assert moved is not None and set(ranked(folded, moved, 10)) <= {*CLUSTER_B, "new-shovel"}
    assert model.score_item("new-shovel") is None  # the trained model itself is unchanged
    # items streamed without the textual field (PutItems) still fold in, by their title
    titled = model.with_items(pd.DataFrame({"ITEM_ID": ["pot-x"], "TITLE": ["냄비 특대"]}))
    pot = titled.score_item("pot-x")
    assert pot is not None and set(ranked(titled, pot, 5)) <= set(CLUSTER_A)


# aws-item-affinity, aws-item-attribute-affinity ---------------------------------------------


def test_affinity_ranks_the_users_of_an_items_cluster() -> None:
    model = get_recipe("aws-item-affinity").fit(toy_data(), TrainingConfig())
    scores = model.users_for_items(model.items_for_item("b4"))
    top = [str(model.user_ids[i]) for i in np.argsort(-scores, kind="stable")[:20]]
    assert all(int(u[1:]) % 2 == 1 for u in top)  # odd users live in cluster B
    with pytest.raises(SegmentQueryError, match="nope"):
        model.items_for_item("nope")


def test_attribute_queries() -> None:
    model = get_recipe("aws-item-attribute-affinity").fit(toy_data_with_text(), TrainingConfig())
    garden = model.items_with('ITEMS.category = "GARDEN"')  # field and value: any case
    assert {str(model.item_ids[i]) for i in garden} == set(CLUSTER_B)
    scores = model.users_for_items(garden)
    top = [str(model.user_ids[i]) for i in np.argsort(-scores, kind="stable")[:20]]
    assert all(int(u[1:]) % 2 == 1 for u in top)
    escaped = 'ITEMS.CATEGORY = "kit\\\\chen"'  # a backslash escapes the next character
    assert len(model.items_with(escaped.replace("\\\\", "\\"))) == 21
    for bad, needle in (
        ('ITEMS.DESCRIPTION = "x"', "not a categorical or numeric"),  # textual: not queryable
        ('ITEMS.CATEGORY = "kitchen" OR ITEMS.CATEGORY = "garden"', "joined by AND"),
        ('ITEMS.CATEGORY = "kitchen" AND ITEMS.CATEGORY = "garden"', "No item"),
    ):
        with pytest.raises(SegmentQueryError, match=needle):
            model.items_with(bad)


def test_segment_metrics_on_a_per_user_split() -> None:
    from services.local.models.segment_metrics import segment_metrics, split_per_user

    data = toy_data()
    train, test = split_per_user(data)
    per_user = data.interactions.groupby("USER_ID").size()
    assert len(test) == int((per_user - np.floor(per_user * 0.8)).sum())  # newest 20 % each
    latest_train = train.interactions.groupby("USER_ID")["TIMESTAMP"].max()
    earliest_test = test.groupby("USER_ID")["TIMESTAMP"].min()
    assert (latest_train < earliest_test.reindex(latest_train.index)).all()
    got = segment_metrics(get_recipe("aws-item-affinity"), data, TrainingConfig())
    # top 1 % of 60 users is one user per item; a cluster's users are half of all users
    assert set(got) == {"hits_at_1_percent", "recall_at_1_percent"}
    assert 0 < got["hits_at_1_percent"] <= 1 and 0 < got["recall_at_1_percent"] <= 1
