"""CreateSolution, DescribeSolution, ListSolutions, DeleteSolution, UpdateSolution."""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control.datasets import group_schemas
from services.local.control.describe_list_delete import forget_models, operations
from services.local.control.groups import active_group_of, create_in_group, group_scoped
from services.local.control.quotas import MAX_SOLUTIONS_PER_GROUP, check_group_quota
from services.local.control.recipes import recipe_name_of
from services.local.data.schemas import NUMERIC_TYPES
from services.local.data.storage.resources import (
    ACTIVE,
    WAITING,
    Resources,
    expect_kind,
    require_active,
    summary,
    waiting,
)
from services.local.errors import InvalidInput, ResourceInUse
from services.local.models.auto_training import training_due_first
from services.local.models.hpo import resource_problems
from services.local.models.recipes import recipe_arn
from services.local.models.recipes.capabilities import (
    EVENTS_CONFIG_RECIPES,
    INCREMENTAL_RECIPES,
    OBJECTIVE_RECIPES,
)
from services.local.models.recipes.parameters import hyperparameter_problems
from services.local.models.solution_versions import VERSION_SUMMARY
from services.local.rules.training_schedule import ScheduleError, parse_schedule

AUTOML_DEFAULT = ("aws-user-personalization", "aws-popularity-count")
_SUMMARY = (
    "name",
    "solutionArn",
    "status",
    "creationDateTime",
    "lastUpdatedDateTime",
    "recipeArn",
)


def check_solution_config(config: dict[str, Any]) -> None:
    """Reject solutionConfig values the model types cannot express (numbers as strings) and
    schedules Personalize refuses (autoTrainingConfig: rate(N days), N 1–30)."""
    schedule = (config.get("autoTrainingConfig") or {}).get("schedulingExpression")
    if schedule is not None:
        try:
            parse_schedule(schedule)
        except ScheduleError as err:
            raise InvalidInput(str(err)) from err
    threshold = config.get("eventValueThreshold")
    if threshold is not None:
        _number(threshold, "solutionConfig.eventValueThreshold")
    for i, ev in enumerate((config.get("eventsConfig") or {}).get("eventParametersList") or []):
        if ev.get("weight") is not None and not 0.0 <= float(ev["weight"]) <= 1.0:
            raise InvalidInput(f"eventParametersList.{i + 1}.weight must be between 0 and 1.")
    problems = resource_problems(config.get("hpoConfig") or {})
    if problems:
        raise InvalidInput(" ".join(problems))
    for key, value in (config.get("algorithmHyperParameters") or {}).items():
        if not value.strip():
            raise InvalidInput(f"algorithmHyperParameters.{key} is empty.")


def check_objective(res: Resources, group: str, recipe: str | None, config: dict[str, Any]) -> None:
    """``solutionConfig.optimizationObjective`` is for User-Personalization and
    Personalized-Ranking, on a numerical column of the group's Items dataset (developer
    guide, "Optimizing a solution for an additional objective"; the engine honours it at
    serving time, services.local.models.objective). InvalidInputException otherwise: another
    recipe or AutoML, no itemAttribute, no Items dataset, or a column that is missing or not
    numeric."""
    spec = config.get("optimizationObjective")
    if spec is None:
        return
    if recipe not in OBJECTIVE_RECIPES:
        raise InvalidInput(
            "solutionConfig.optimizationObjective works with "
            f"{' and '.join(sorted(OBJECTIVE_RECIPES))}, not {recipe or 'performAutoML'}."
        )
    attribute = spec.get("itemAttribute")
    if not attribute:
        raise InvalidInput("solutionConfig.optimizationObjective needs an itemAttribute.")
    items = group_schemas(res, group).get("Items")
    field = items.get(attribute) if items is not None else None
    if field is None or field.type not in NUMERIC_TYPES:
        raise InvalidInput(
            f"optimizationObjective.itemAttribute {attribute} must be a numerical column of the "
            "dataset group's Items dataset."
        )


def check_events_config(
    res: Resources, group: str, recipe: str | None, config: dict[str, Any]
) -> None:
    """``eventsConfig`` (event type weights, per-type value thresholds) is for
    User-Personalization-v2 and Personalized-Ranking-v2, and weights need an EVENT_TYPE column
    in the Item interactions dataset (developer guide, "Optimizing a solution with events
    configuration", Guidelines and requirements). The v2 recipes scale each event's training
    loss by its type's weight (services.local.models.recipes.sequence.user_personalization_v2).
    InvalidInputException otherwise."""
    if not (config.get("eventsConfig") or {}).get("eventParametersList"):
        return
    if recipe not in EVENTS_CONFIG_RECIPES:
        raise InvalidInput(
            "eventsConfig works with "
            f"{' and '.join(sorted(EVENTS_CONFIG_RECIPES))}, not {recipe or 'performAutoML'}."
        )
    interactions = group_schemas(res, group).get("Interactions")
    if interactions is None or interactions.get("EVENT_TYPE") is None:
        raise InvalidInput(
            "eventsConfig weighs event types: the Item interactions dataset needs an EVENT_TYPE "
            "column."
        )


def check_hyperparameters(recipe: str, config: dict[str, Any]) -> None:
    """Refuse hyperparameters the recipe does not have, or values outside their ranges, in
    algorithmHyperParameters, featureTransformationParameters and the HPO ranges
    (InvalidInputException; the specs are DescribeAlgorithm's, see recipes.parameters)."""
    problems = hyperparameter_problems(recipe, config)
    if problems:
        raise InvalidInput(" ".join(problems))


def _number(value: str, where: str) -> float:
    try:
        return float(value)
    except ValueError as err:
        raise InvalidInput(f"{where} '{value}' is not a number.") from err


def check_incremental(recipe_arn: str | None) -> None:
    """performIncrementalUpdate "is supported only for solutions that use the
    semantic-similarity recipe" (CreateSolution / UpdateSolution API reference): InvalidInput
    for any other recipe (or performAutoML, which names none)."""
    recipe = (recipe_arn or "").rsplit("/", 1)[-1]
    if recipe not in INCREMENTAL_RECIPES:
        raise InvalidInput(
            "performIncrementalUpdate is supported only for solutions that use the "
            f"aws-semantic-similarity recipe, not {recipe or 'performAutoML'}."
        )


def create_solution(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    config = dict(params.get("solutionConfig") or {})
    automl = bool(params.get("performAutoML"))
    if automl:
        recipes = (config.get("autoMLConfig") or {}).get("recipeList") or [
            recipe_arn(n) for n in AUTOML_DEFAULT
        ]
        for arn in recipes:
            recipe_name_of(arn)
        config.setdefault("autoMLConfig", {})["recipeList"] = list(recipes)
        recipe = params.get("recipeArn")
        if recipe:
            raise InvalidInput("Give either recipeArn or performAutoML, not both.")
    else:
        if not params.get("recipeArn"):
            raise InvalidInput("recipeArn is required unless performAutoML is true.")
        check_hyperparameters(recipe_name_of(params["recipeArn"]), config)
    check_solution_config(config)
    if config.get("hpoConfig") and not params.get("performHPO"):
        # the search space and budget of an HPO run: without performHPO nothing would use it
        raise InvalidInput("solutionConfig.hpoConfig is used only with performHPO set to true.")
    incremental = bool(params.get("performIncrementalUpdate"))
    if incremental:
        check_incremental(params.get("recipeArn"))
    arn = engine.arns.make("solution", params["name"])
    with engine.tx() as res:
        group = active_group_of(res, params["datasetGroupArn"])
        recipe = recipe_name_of(params["recipeArn"]) if params.get("recipeArn") else None
        check_objective(res, group["datasetGroupArn"], recipe, config)
        check_events_config(res, group["datasetGroupArn"], recipe, config)
        check_group_quota(
            res, "solution", group["datasetGroupArn"], MAX_SOLUTIONS_PER_GROUP, group["name"]
        )
        doc: dict[str, Any] = {
            "name": params["name"],
            "solutionArn": arn,
            "performHPO": bool(params.get("performHPO")),
            "performAutoML": automl,
            # The local engine does not retrain on a schedule; it records what was asked.
            "performAutoTraining": params.get("performAutoTraining", True),
            # read when a version trains: its model folds in new items while it serves
            "performIncrementalUpdate": incremental,
            "datasetGroupArn": group["datasetGroupArn"],
            "solutionConfig": config,
        }
        if params.get("recipeArn"):
            doc["recipeArn"] = params["recipeArn"]
        if params.get("eventType"):
            doc["eventType"] = params["eventType"]
        doc.update(waiting(res.now, engine.lifecycle_seconds))
        create_in_group(res, group, "solution", arn, params["name"], doc, params.get("tags"))
    return {"solutionArn": arn}


def solution_doc(res: Resources, arn: str) -> dict[str, Any]:
    """A solution's document with its latest version summary filled in."""
    expect_kind(arn, "solution", "solutionArn")
    doc = res.get(arn, "solution")
    versions = res.all("solution-version", parent=arn)
    if versions:
        latest = versions[-1]
        doc["latestSolutionVersion"] = summary(latest, VERSION_SUMMARY)
    return doc


def update_solution(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["solutionArn"]
    with engine.tx() as res:
        doc = solution_doc(res, arn)
        require_active(doc, "Solution")
        if "performAutoTraining" in params:
            doc["performAutoTraining"] = params["performAutoTraining"]
        if "performIncrementalUpdate" in params:
            if params["performIncrementalUpdate"]:
                check_incremental(doc.get("recipeArn"))
            doc["performIncrementalUpdate"] = bool(params["performIncrementalUpdate"])
        update_cfg = params.get("solutionUpdateConfig") or {}
        auto = update_cfg.get("autoTrainingConfig")
        if auto is not None:
            check_solution_config({"autoTrainingConfig": auto})
            doc.setdefault("solutionConfig", {})["autoTrainingConfig"] = auto
        events = update_cfg.get("eventsConfig")
        if events is not None:
            check_solution_config({"eventsConfig": events})
            recipe = doc.get("recipeArn", "").rsplit("/", 1)[-1] or None
            check_events_config(res, doc["datasetGroupArn"], recipe, {"eventsConfig": events})
            doc.setdefault("solutionConfig", {})["eventsConfig"] = events
        doc["latestSolutionUpdate"] = {
            "solutionUpdateConfig": update_cfg,
            "performAutoTraining": doc.get("performAutoTraining", True),
            "performIncrementalUpdate": doc.get("performIncrementalUpdate", False),
            "status": ACTIVE,
            "creationDateTime": res.now,
            "lastUpdatedDateTime": res.now,
        }
        doc.pop("latestSolutionVersion", None)
        res.save(arn, doc)
    return {"solutionArn": arn}


def _before_delete(
    engine: EngineContext, res: Resources, arn: str, doc: dict[str, Any]
) -> list[str]:
    campaigns = res.all("campaign", parent=arn)
    if campaigns:
        raise ResourceInUse(
            f"Campaign {campaigns[0]['name']} serves a version of this solution; delete "
            "campaigns first."
        )
    versions = res.all("solution-version", parent=arn)
    busy = [v for v in versions if v["status"] in (*WAITING, "CREATE STOPPING")]
    if busy:
        raise ResourceInUse(f"Solution version {busy[0]['solutionVersionArn']} is training.")
    removed = [v["solutionVersionArn"] for v in versions]
    for version in removed:
        res.remove(version)
    return removed


SPEC = group_scoped(
    kind="solution",
    summary=_SUMMARY,
    load=solution_doc,
    on_delete=_before_delete,
    after_delete=forget_models,
)

_READS = operations(SPEC, "Solution", create=create_solution)
OPERATIONS = {
    **_READS,
    # reading solutions is when the engine notices that an automatic training is due
    "DescribeSolution": training_due_first(_READS["DescribeSolution"], "solutionArn"),
    "ListSolutions": training_due_first(_READS["ListSolutions"], "datasetGroupArn"),
    "UpdateSolution": update_solution,
}
