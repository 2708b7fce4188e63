"""Registry of the local engine's recipes, keyed by Personalize recipe name.

Each recipe lives in its own module and exposes ``RECIPE``; heavy libraries (implicit) are
imported inside the recipe modules' functions, so importing the registry stays cheap.
"""

from __future__ import annotations

from importlib import import_module

from services.local.models.recipes.base import Recipe

_MODULES = (
    "popularity",
    "trending_now",
    "user_personalization",
    "user_personalization_v2",
    "personalized_ranking",
    "personalized_ranking_v2",
    "similar_items",
    "sims",
    "semantic_similarity",
    "item_affinity",
    "item_attribute_affinity",
    "next_best_action",
)

RECIPES: dict[str, Recipe] = {
    r.name: r for r in (import_module(f"{__name__}.{m}").RECIPE for m in _MODULES)
}
# Models that back domain use cases only; no solution may name them (see use_cases.py).
_INTERNAL: dict[str, Recipe] = {
    r.name: r for r in (import_module(f"{__name__}.{m}").RECIPE for m in ("co_purchase",))
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
