"""The contract every recipe passes (after implicit's RecommenderBaseTestMixin)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from services.local.models.recipes import get_recipe
from services.local.models.recipes.base import Model, Recipe, TrainingConfig
from tests.local.recipes.toy import CLUSTER_A, COLD_ITEM, toy_data

PERSONAL_TYPES = ("USER_PERSONALIZATION", "PERSONALIZED_RANKING")


class RecipeContract:
    """Subclasses set ``recipe_name`` (and optionally ``hyperparameters``)."""

    recipe_name: ClassVar[str]
    hyperparameters: ClassVar[dict[str, str]] = {}
    personalised: ClassVar[bool] = True  # does score_user personalise?
    related: ClassVar[bool] = False  # does score_item return neighbours?
    # what ``popularity`` counts per item: "users" (distinct users: Popularity-Count and the
    # popular items an unknown user gets), "events" (item-kNN's interaction threshold), None
    counts: ClassVar[str | None] = "events"

    @property
    def recipe(self) -> Recipe:
        return get_recipe(self.recipe_name)

    def fit(self, seed: int = 42) -> Model:
        config = TrainingConfig(hyperparameters=self.hyperparameters, seed=seed)
        return self.recipe.fit(toy_data(), config)

    @pytest.fixture(scope="class")
    def model(self) -> Model:
        return self.fit()

    def scores(self, model: Model) -> list[np.ndarray | None]:
        return [
            model.score_user("u0", ["a0", "a1"]),
            model.score_user(None, ["b2", "b0"]),
            model.score_item("a0"),
        ]

    def test_registry_name(self, model: Model) -> None:
        assert self.recipe.name == self.recipe_name
        assert model.recipe_name == self.recipe_name

    def test_catalogue_is_items_and_interactions(self, model: Model) -> None:
        assert sorted(model.item_ids) == sorted(
            [*CLUSTER_A, *(f"b{i}" for i in range(20)), COLD_ITEM]
        )
        assert model.popularity.shape == (41,)
        if self.counts:
            assert model.popularity[list(model.item_ids).index(COLD_ITEM)] == 0
            rows = toy_data().interactions
            if self.counts == "users":
                rows = rows.drop_duplicates(["USER_ID", "ITEM_ID"])
            by_item = rows["ITEM_ID"].value_counts()
            got = dict(zip(model.item_ids, model.popularity, strict=True))
            assert {i: got[i] for i in by_item.index} == by_item.astype(float).to_dict()

    def test_score_shapes(self, model: Model) -> None:
        for s in self.scores(model)[: 2 if self.personalised else 0]:
            assert s is not None and s.shape == (41,) and np.all(np.isfinite(s))
        if self.related:
            s = model.score_item("a0")
            assert s is not None and s.shape == (41,) and np.all(np.isfinite(s))

    def test_not_personalised_returns_none(self, model: Model) -> None:
        if not self.personalised:
            assert model.score_user("u0", ["a0"]) is None

    def test_unknown_user_without_history_is_none(self, model: Model) -> None:
        assert model.score_user("nobody", []) is None
        assert model.score_user(None, ["not-an-item"]) is None

    def test_unknown_item_is_none(self, model: Model) -> None:
        assert model.score_item("not-an-item") is None

    def test_save_load_round_trip(self, model: Model, tmp_path: Path) -> None:
        path = tmp_path / "model.npz"
        model.save(path)
        loaded = self.recipe.load(path)
        assert loaded.recipe_name == model.recipe_name
        assert list(loaded.item_ids) == list(model.item_ids)
        np.testing.assert_array_equal(loaded.popularity, model.popularity)
        for a, b in zip(self.scores(model), self.scores(loaded), strict=True):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)

    def test_deterministic_with_seed(self, model: Model) -> None:
        again = self.fit()
        np.testing.assert_array_equal(again.popularity, model.popularity)
        for a, b in zip(self.scores(model), self.scores(again), strict=True):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
