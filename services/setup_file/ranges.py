"""Checks of a setup file that need the account: recipes and use cases it offers, and each
solution's hyperparameters and HPO ranges against DescribeAlgorithm's
``defaultHyperParameterRanges``.

The ranges are the service's (the local engine publishes its own recipes' through the same
DescribeAlgorithm), so a value is refused here, with its path, before any call changes
anything: ``solutions[2].hyperparameters.hidden_dimension: must be an integer 32–256``.
"""

from __future__ import annotations

import math
from typing import Any

from services.personalize import wire
from services.personalize.models import HyperParameter
from services.setup_file.hpo import RANGE_LISTS
from services.setup_file.model import CategoricalRangeSpec, HpoSpec, SetupFile
from services.setup_file.state import recipe_name, wire_value


def account_problems(p: Any, setup: SetupFile) -> list[str]:
    """Recipes and use cases the account lacks, hyperparameters outside their ranges (or
    unknown to the recipe's algorithm), HPO ranges that do not fit the algorithm's and
    ``perform_hpo`` for a recipe with nothing tunable, one message each. Raises botocore
    errors."""
    recipes = {
        recipe_name(r["recipeArn"]): r
        for page in p.get_paginator("list_recipes").paginate()
        for r in page["recipes"]
    }
    problems: list[str] = []
    params_of: dict[str, dict[str, HyperParameter]] = {}
    for i, solution in enumerate(setup.solutions):
        if solution.recipe not in recipes or recipes[solution.recipe].get("domain"):
            problems.append(f"solutions[{i}].recipe: the account has no recipe '{solution.recipe}'")
            continue
        if not solution.hyperparameters and solution.hpo is None and not solution.perform_hpo:
            continue
        if solution.recipe not in params_of:
            params_of[solution.recipe] = _parameters(p, recipes[solution.recipe]["recipeArn"])
        params = params_of[solution.recipe]
        if solution.perform_hpo and not any(param.tunable for param in params.values()):
            # nothing to search: an HPO run would train with the defaults, ignoring the flag
            problems.append(
                f"solutions[{i}].perform_hpo: {solution.recipe} has no tunable hyperparameter "
                "(DescribeAlgorithm)"
            )
        if solution.hpo is not None:
            problems += hpo_problems(f"solutions[{i}].hpo", solution.recipe, solution.hpo, params)
        for name, value in solution.hyperparameters.items():
            where = f"solutions[{i}].hyperparameters.{name}"
            param = params.get(name)
            if param is None:
                problems.append(f"{where}: not a hyperparameter of {solution.recipe}")
                continue
            problem = range_problem(param, wire_value(value))
            if problem:
                problems.append(f"{where}: {problem}")
    domains = {g.name: g.domain for g in setup.dataset_groups}
    use_cases: dict[str | None, set[str]] = {}
    for i, rec in enumerate(setup.recommenders):
        domain = domains.get(rec.dataset_group)
        if domain not in use_cases:
            # ListRecipes gives a domain's use cases only when asked for that domain
            use_cases[domain] = {
                recipe_name(r["recipeArn"])
                for page in p.get_paginator("list_recipes").paginate(
                    **({"domain": domain} if domain else {})
                )
                for r in page["recipes"]
                if r.get("domain")
            }
        if rec.use_case not in use_cases[domain]:
            problems.append(
                f"recommenders[{i}].use_case: the account has no use case '{rec.use_case}'"
            )
    return problems


def _parameters(p: Any, recipe_arn: str) -> dict[str, HyperParameter]:
    algorithm_arn = p.describe_recipe(recipeArn=recipe_arn)["recipe"].get("algorithmArn")
    if not algorithm_arn:
        return {}
    algorithm = wire.algorithm(p.describe_algorithm(algorithmArn=algorithm_arn)["algorithm"])
    return {param.name: param for param in algorithm.hyperparameters}


def range_problem(param: HyperParameter, raw: str) -> str | None:
    """Why ``raw`` is outside ``param``'s range ("must be an integer 32–256"), or None (also
    for a parameter DescribeAlgorithm gives no range for: the service decides those)."""
    if param.kind == "categorical":
        if param.values and raw.lower() not in {v.lower() for v in param.values}:
            return f"must be one of {', '.join(param.values)}, not '{raw}'"
        return None
    if param.kind not in ("integer", "continuous"):
        return None
    fmt = (lambda x: str(int(x))) if param.kind == "integer" else (lambda x: f"{x:g}")
    low = fmt(param.low) if param.low is not None else "…"
    high = fmt(param.high) if param.high is not None else "…"
    what = "an integer" if param.kind == "integer" else "a number"
    try:
        value = float(raw)
    except ValueError:
        return f"must be {what} {low}–{high}, not '{raw}'"
    if not math.isfinite(value) or (param.kind == "integer" and not value.is_integer()):
        return f"must be {what} {low}–{high}, not '{raw}'"
    if (param.low is not None and value < param.low) or (
        param.high is not None and value > param.high
    ):
        return f"must be {what} {low}–{high}, not {raw}"
    return None


def hpo_problems(
    where: str, recipe: str, hpo: HpoSpec, params: dict[str, HyperParameter]
) -> list[str]:
    """The ranges of ``hpo`` (at ``where``, e.g. ``solutions[1].hpo``) checked against the
    recipe's algorithm (``params``: DescribeAlgorithm's hyperparameters by name): tunable,
    of the list's kind, min and max (or each value) inside the algorithm's range."""
    tunable = sorted(name for name, p in params.items() if p.tunable)
    problems: list[str] = []
    for listed, (_, kind) in RANGE_LISTS.items():
        for j, entry in enumerate(getattr(hpo, listed)):
            path = f"{where}.{listed}[{j}]"
            param = params.get(entry.name)
            if param is None or not param.tunable:
                problems.append(
                    f"{path}.name: '{entry.name}' is not a tunable hyperparameter of {recipe} "
                    f"(tunable: {', '.join(tunable) or 'none'})"
                )
                continue
            if param.kind != kind:
                home = next(k for k, (_, v) in RANGE_LISTS.items() if v == param.kind)
                problems.append(
                    f"{path}.name: {entry.name}'s range is {param.kind}: put it in {home}"
                )
                continue
            if isinstance(entry, CategoricalRangeSpec):
                for n, value in enumerate(entry.values):
                    problem = range_problem(param, wire_value(value))
                    if problem:
                        problems.append(f"{path}.values[{n}]: {problem}")
                continue
            for end in ("min", "max"):
                problem = range_problem(param, wire_value(getattr(entry, end)))
                if problem:
                    problems.append(f"{path}.{end}: {problem}")
    return problems
