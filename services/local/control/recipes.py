"""ListRecipes, DescribeRecipe, DescribeAlgorithm, DescribeFeatureTransformation.

The recipes come from the registry of local recipes; their algorithms' hyperparameters and
their feature transformations' parameters from ``services.local.models.recipes.parameters``, the
table
CreateSolution validates against (so what is described is what is accepted).
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.data.storage.resources import page
from services.local.errors import InvalidInput, ResourceNotFound
from services.local.models.recipes import RECIPES, recipe_arn
from services.local.models.recipes.parameters import (
    Parameter,
    algorithm_parameters,
    feature_parameters,
)
from services.local.rules.use_cases import RECIPE_PREFIX, USE_CASES, use_cases

# The recipes are part of the service, so they are as old as the engine's catalogue.
_CATALOGUE_DATE = 1_700_000_000.0


def _doc(name: str) -> dict[str, Any]:
    if name in USE_CASES:
        case = USE_CASES[name]
        return {
            "name": name,
            "recipeArn": case.recipe_arn,
            "status": "ACTIVE",
            "description": f"{case.title}: {case.description}",
            "recipeType": case.recipe_type,
            "creationDateTime": _CATALOGUE_DATE,
            "lastUpdatedDateTime": _CATALOGUE_DATE,
        }
    recipe = RECIPES[name]
    return {
        "name": name,
        "recipeArn": recipe_arn(name),
        "algorithmArn": f"{ALGORITHM_PREFIX}{name}",
        "featureTransformationArn": f"{FEATURE_PREFIX}{name}",
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
    """Recipes and use cases, one page; ``domain`` keeps one domain's use cases,
    ``recipeProvider`` (SERVICE, the only value the model allows) keeps the recipes
    Personalize provides, which is every recipe the engine has."""
    domain = params.get("domain")
    provider = params.get("recipeProvider", "SERVICE")
    names = [u.name for u in use_cases(domain)] if domain else sorted(RECIPES)
    names = [n for n in names if provider == "SERVICE"]
    docs = [
        {
            k: _doc(n)[k]
            for k in ("name", "recipeArn", "status", "creationDateTime", "lastUpdatedDateTime")
        }
        for n in names
    ]
    for doc in docs:
        if domain:
            doc["domain"] = domain
    chunk, token = page(docs, params, f"recipes:{domain}")
    return {"recipes": chunk, "nextToken": token}


def describe_recipe(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["recipeArn"]
    if arn.startswith(RECIPE_PREFIX) and arn[len(RECIPE_PREFIX) :] in USE_CASES:
        return {"recipe": _doc(arn[len(RECIPE_PREFIX) :])}
    try:
        return {"recipe": _doc(recipe_name_of(params["recipeArn"]))}
    except InvalidInput as err:
        raise ResourceNotFound(err.message) from err


ALGORITHM_PREFIX = "arn:aws:personalize:::algorithm/"
FEATURE_PREFIX = "arn:aws:personalize:::feature-transformation/"


def _recipe_of(arn: str, prefix: str, param: str) -> str:
    name = arn[len(prefix) :] if arn.startswith(prefix) else ""
    if name not in RECIPES:
        raise ResourceNotFound(f"{param} {arn} names no algorithm of the local engine.")
    return name


def describe_algorithm(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    """The recipe's algorithm: default hyperparameters and their ranges (tunable or not)."""
    name = _recipe_of(params["algorithmArn"], ALGORITHM_PREFIX, "algorithmArn")
    specs = algorithm_parameters(name)
    ranges: dict[str, list[dict[str, Any]]] = {
        "integerHyperParameterRanges": [],
        "continuousHyperParameterRanges": [],
        "categoricalHyperParameterRanges": [],
    }
    for spec in specs:
        ranges[f"{spec.kind}HyperParameterRanges"].append(_range(spec))
    return {
        "algorithm": {
            "name": name,
            "algorithmArn": f"{ALGORITHM_PREFIX}{name}",
            "algorithmImage": {"name": name},
            "defaultHyperParameters": {s.name: s.default for s in specs},
            "defaultHyperParameterRanges": ranges,
            "defaultResourceConfig": {},
            "trainingInputMode": "File",
            "creationDateTime": _CATALOGUE_DATE,
            "lastUpdatedDateTime": _CATALOGUE_DATE,
        }
    }


def _range(spec: Parameter) -> dict[str, Any]:
    if spec.kind == "categorical":
        return {"name": spec.name, "values": list(spec.values), "isTunable": spec.tunable}
    cast = int if spec.kind == "integer" else float
    # minValue and maxValue are optional members of Integer/ContinuousHyperParameterRange
    # (botocore personalize service model): an unbounded side is left out, not sent as null.
    out: dict[str, Any] = {"name": spec.name}
    if spec.low is not None:
        out["minValue"] = cast(spec.low)
    if spec.high is not None:
        out["maxValue"] = cast(spec.high)
    out["isTunable"] = spec.tunable
    return out


def describe_feature_transformation(
    engine: EngineContext, params: dict[str, Any]
) -> dict[str, Any]:
    """The recipe's feature transformation and its default parameters."""
    arn = params["featureTransformationArn"]
    name = _recipe_of(arn, FEATURE_PREFIX, "featureTransformationArn")
    return {
        "featureTransformation": {
            "name": name,
            "featureTransformationArn": f"{FEATURE_PREFIX}{name}",
            "defaultParameters": {s.name: s.default for s in feature_parameters(name)},
            "status": "ACTIVE",
            "creationDateTime": _CATALOGUE_DATE,
            "lastUpdatedDateTime": _CATALOGUE_DATE,
        }
    }


OPERATIONS = {
    "ListRecipes": list_recipes,
    "DescribeRecipe": describe_recipe,
    "DescribeAlgorithm": describe_algorithm,
    "DescribeFeatureTransformation": describe_feature_transformation,
}
