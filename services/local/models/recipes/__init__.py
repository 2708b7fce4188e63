"""Registry of the local engine's recipes, keyed by Personalize recipe name.

Each recipe lives in its own module and exposes ``RECIPE``; heavy libraries (implicit) are
imported inside the recipe modules' functions, so importing the registry stays cheap.

Layout: here, what every recipe shares (``base``: the recipe and model protocols, training
data, model files on disk; ``capabilities``: what each recipe needs and serves;
``parameters`` and ``hyperparameter_values``: Personalize's hyperparameters and their reads).
Below, one package per job: ``training_data`` (the events a recipe keeps, as integer codes),
``saved`` (how a trained model is saved: file layout, header), ``retrieval`` (candidate
indexes over item factors), then the recipes by Personalize's recipe type: ``popular``,
``users`` (v1 user-personalization and ranking), ``sequence`` (the v2 transformer recipes),
``items`` (related items), ``segments`` (user segmentation) and ``actions`` (next best action).
The rest of the engine imports what it needs from a package's ``__init__``; inside the
recipes, modules import each other by module.
"""

from __future__ import annotations

from importlib import import_module

from services.local.models.recipes.base import Recipe

_MODULES = (
    "popular.popularity",
    "popular.trending_now",
    "users.user_personalization",
    "sequence.user_personalization_v2",
    "users.personalized_ranking",
    "sequence.personalized_ranking_v2",
    "items.similar_items",
    "items.sims",
    "items.semantic_similarity",
    "segments.item_affinity",
    "segments.item_attribute_affinity",
    "actions.next_best_action",
)

RECIPES: dict[str, Recipe] = {
    r.name: r for r in (import_module(f"{__name__}.{m}").RECIPE for m in _MODULES)
}
# Models that back domain use cases only; no solution may name them (see use_cases.py).
_INTERNAL: dict[str, Recipe] = {
    r.name: r for r in (import_module(f"{__name__}.{m}").RECIPE for m in ("items.co_purchase",))
}


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name`` (e.g. "aws-user-personalization").

    Raises:
        ValueError: for a name that is not a recipe of the local engine.
    """
    try:
        return RECIPES[name] if name in RECIPES else _INTERNAL[name]
    except KeyError:
        known = ", ".join(sorted(RECIPES))
        raise ValueError(f"unknown recipe {name!r}; the local engine has: {known}") from None


def recipe_arn(name: str) -> str:
    """Personalize's global ARN of a recipe."""
    return f"arn:aws:personalize:::recipe/{name}"


__all__ = ["RECIPES", "get_recipe", "recipe_arn"]
