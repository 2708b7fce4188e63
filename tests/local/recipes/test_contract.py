"""Every registered recipe passes the shared contract."""

from __future__ import annotations

from services.local.models.recipes import RECIPES
from services.local.models.recipes.base import Model, TrainingConfig
from tests.local.recipes.contract import RecipeContract
from tests.local.recipes.toy import toy_data_with_actions, toy_data_with_text

# the v2 network at test size (see test_sequence_model.py, which trains the same shape)
TINY_V2 = {"hidden_dimension": "16", "bptt": "12", "negative_samples": "16", "epochs": "40"}


def test_every_recipe_has_a_contract_test() -> None:
    tested = {
        cls.recipe_name for cls in RecipeContract.__subclasses__() if hasattr(cls, "recipe_name")
    }
    assert tested == set(RECIPES)


class TestPopularity(RecipeContract):
    recipe_name = "aws-popularity-count"
    personalised = False
    counts = "users"


class TestTrendingNow(RecipeContract):
    recipe_name = "aws-trending-now"
    personalised = False
    counts = None


class TestUserPersonalization(RecipeContract):
    recipe_name = "aws-user-personalization"
    counts = "users"
    related = True


class TestUserPersonalizationV2(RecipeContract):
    hyperparameters = TINY_V2
    recipe_name = "aws-user-personalization-v2"
    counts = "users"
    related = True


class TestPersonalizedRanking(RecipeContract):
    recipe_name = "aws-personalized-ranking"
    counts = "users"
    related = True


class TestPersonalizedRankingV2(RecipeContract):
    hyperparameters = TINY_V2
    recipe_name = "aws-personalized-ranking-v2"
    counts = "users"
    related = True


class TestSims(RecipeContract):
    recipe_name = "aws-sims"
    personalised = False
    related = True


class TestSimilarItems(RecipeContract):
    recipe_name = "aws-similar-items"
    personalised = False
    related = True


class TestSemanticSimilarity(RecipeContract):
    recipe_name = "aws-semantic-similarity"
    personalised = False
    related = True
    counts = "users"

    def fit(self, seed: int = 42) -> Model:
        return self.recipe.fit(toy_data_with_text(), TrainingConfig(seed=seed))


class TestItemAffinity(RecipeContract):
    recipe_name = "aws-item-affinity"
    personalised = False
    counts = "users"


class TestItemAttributeAffinity(RecipeContract):
    recipe_name = "aws-item-attribute-affinity"
    personalised = False
    counts = "users"

    def fit(self, seed: int = 42) -> Model:
        return self.recipe.fit(toy_data_with_text(), TrainingConfig(seed=seed))


class TestNextBestAction(RecipeContract):
    recipe_name = "aws-next-best-action"
    personalised = False

    def fit(self, seed: int = 42) -> Model:
        return self.recipe.fit(toy_data_with_actions(), TrainingConfig(seed=seed))
