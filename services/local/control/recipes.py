"""ListRecipes and DescribeRecipe, from the registry of local recipes."""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.errors import InvalidInput, ResourceNotFound
from services.local.recipes import RECIPES, recipe_arn
from services.local.resources import page

# The recipes are part of the service, so they are as old as the engine's catalogue.
_CATALOGUE_DATE = 1_700_000_000.0


def _doc(name: str) -> dict[str, Any]:
    recipe = RECIPES[name]
    return {
        "name": name,
        "recipeArn": recipe_arn(name),
        "algorithmArn": f"arn:aws:personalize:::algorithm/{name}",
        "featureTransformationArn": f"arn:aws:personalize:::feature-transformation/{name}",
        "status": "ACTIVE",
        "description": recipe.description,
        "recipeType": recipe.recipe_type,
        "creationDateTime": _CATALOGUE_DATE,
        "lastUpdatedDateTime": _CATALOGUE_DATE,
    }


def recipe_name_of(arn: str) -> str:
    """The registry name of a recipe ARN; InvalidInput for an ARN that names no recipe."""
    prefix = "arn:aws:personalize:::recipe/"
    name = arn[len(prefix) :] if arn.startswith(prefix) else ""
    if name not in RECIPES:
        known = ", ".join(sorted(RECIPES))
        raise InvalidInput(f"recipeArn '{arn}' is not a recipe of the local engine ({known}).")
    return name


def list_recipes(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("domain"):
        return {"recipes": []}  # domain use cases are not part of the local engine
    docs = [
        {
            k: _doc(n)[k]
            for k in ("name", "recipeArn", "status", "creationDateTime", "lastUpdatedDateTime")
        }
        for n in sorted(RECIPES)
    ]
    chunk, token = page(docs, params, "recipes")
    return {"recipes": chunk, "nextToken": token}


def describe_recipe(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"recipe": _doc(recipe_name_of(params["recipeArn"]))}
    except InvalidInput as err:
        raise ResourceNotFound(err.message) from err


OPERATIONS = {"ListRecipes": list_recipes, "DescribeRecipe": describe_recipe}
