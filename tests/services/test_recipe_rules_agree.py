"""The dashboard's recipe facts (services/workspace/recipe_capabilities.py) agree with the local
engine's (services/local/models/recipes/capabilities.py) and with ListRecipes on AWS
(services/local/wire/coverage.py, the developer guide's table): each side keeps its own copy,
since neither layer may import the other, so this test is what keeps them equal."""

from __future__ import annotations

from services.local.models.recipes import RECIPES
from services.local.models.recipes import capabilities as engine
from services.local.wire.coverage import AWS_RECIPES
from services.workspace import recipe_capabilities as workspace


def test_the_engine_has_exactly_the_recipes_aws_lists() -> None:
    assert {n: r.recipe_type for n, r in RECIPES.items()} == {
        n: kind for n, (kind, _) in AWS_RECIPES.items()
    }


def test_datasets_each_recipe_needs_agree() -> None:
    def upper(needs: tuple[str, ...]) -> frozenset[str]:
        return frozenset(n.upper() for n in needs)

    aws = {n: upper(needs) for n, (_, needs) in AWS_RECIPES.items()}
    local = {n: upper(engine.required_datasets(n, with_empty=True)) for n in RECIPES}
    dashboard = {n: workspace.datasets_for(n)[0] for n in RECIPES}
    assert dashboard == aws == local


def test_rule_sets_agree() -> None:
    assert workspace.UPDATE_RECIPES == engine.UPDATE_RECIPES
    assert workspace.EXPLORING_RECIPES == engine.EXPLORING_RECIPES
    assert workspace.NO_BATCH_RECIPES == engine.NO_BATCH_RECIPES
    assert workspace.SEGMENT_RECIPES == engine.SEGMENT_RECIPES
    assert engine.ACTION_RECIPES == {
        n for n, r in RECIPES.items() if r.recipe_type == "PERSONALIZED_ACTIONS"
    }
    assert engine.SEGMENT_RECIPES == {
        n for n, r in RECIPES.items() if r.recipe_type == "USER_SEGMENTATION"
    }
    # every recipe type has its own way to be asked
    kinds = {r.recipe_type: workspace.request_kind(r.recipe_type) for r in RECIPES.values()}
    assert kinds == {
        "USER_PERSONALIZATION": "user",
        "POPULAR_ITEMS": "user",
        "RELATED_ITEMS": "item",
        "PERSONALIZED_RANKING": "ranking",
        "PERSONALIZED_ACTIONS": "action",
        "USER_SEGMENTATION": "segment",
    }
