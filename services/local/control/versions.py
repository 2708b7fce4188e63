"""Solution versions: create (train in the background), describe, list, stop, metrics."""

from __future__ import annotations

from typing import Any

from services.local.auto_training import training_due_first
from services.local.context import EngineContext
from services.local.control.describe_list_delete import ResourceSpec, operations
from services.local.control.quotas import MAX_PENDING_VERSIONS
from services.local.control.solutions import solution_doc
from services.local.errors import InvalidInput, LimitExceeded, ResourceInUse
from services.local.resources import (
    ACTIVE,
    IN_PROGRESS,
    PENDING,
    WAITING,
)
from services.local.solution_versions import add_version

STOPPING, STOPPED = "CREATE STOPPING", "CREATE STOPPED"
UPDATE_RECIPES = ("aws-user-personalization", "aws-user-personalization-v2")
METRICS = "_metrics"
_SUMMARY = (
    "solutionVersionArn",
    "status",
    "trainingMode",
    "trainingType",
    "creationDateTime",
    "lastUpdatedDateTime",
    "failureReason",
)


def create_solution_version(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    mode = params.get("trainingMode") or "FULL"
    if mode == "AUTOTRAIN":
        raise InvalidInput("trainingMode AUTOTRAIN is set by the service, not by a caller.")
    with engine.tx() as res:
        solution = solution_doc(res, params["solutionArn"])
        if solution["status"] != ACTIVE:
            raise ResourceInUse(f"Solution {solution['name']} is {solution['status']}.")
        previous = res.all("solution-version", parent=solution["solutionArn"])
        if mode == "UPDATE":
            recipe = solution.get("recipeArn", "").rsplit("/", 1)[-1]
            if recipe not in UPDATE_RECIPES:
                raise InvalidInput(
                    f"trainingMode UPDATE works with User-Personalization recipes, not {recipe}."
                )
            if not any(v["status"] == ACTIVE and v["trainingMode"] == "FULL" for v in previous):
                raise InvalidInput("trainingMode UPDATE needs an ACTIVE FULL version first.")
        pending = sum(1 for v in res.all("solution-version") if v["status"] in WAITING)
        if pending >= MAX_PENDING_VERSIONS:
            raise LimitExceeded(f"{MAX_PENDING_VERSIONS} solution versions are already training.")
        arn = add_version(
            engine, res, solution, mode, "MANUAL", params.get("name"), params.get("tags")
        )
    engine.jobs.kick()
    return {"solutionVersionArn": arn}


def stop_solution_version_creation(engine: EngineContext, params: dict[str, Any]) -> None:
    arn = params["solutionVersionArn"]
    with engine.tx() as res:
        doc = SPEC.get(res, arn)
        if doc["status"] == PENDING:
            doc["status"] = STOPPED
            engine.jobs.cancel(res.conn, arn, finished=True)
        elif doc["status"] == IN_PROGRESS:
            doc["status"] = STOPPING
            engine.jobs.cancel(res.conn, arn, finished=False)
        else:
            raise ResourceInUse(
                f"Solution version {arn} is {doc['status']}; only CREATE PENDING or CREATE "
                "IN_PROGRESS versions can be stopped."
            )
        doc["lastUpdatedDateTime"] = res.now
        res.save(arn, doc)


def get_solution_metrics(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["solutionVersionArn"]
    with engine.reading() as res:
        doc = SPEC.get(res, arn)
    if doc["status"] != ACTIVE:
        raise ResourceInUse(f"Solution version {arn} is {doc['status']}; metrics come once ACTIVE.")
    return {"solutionVersionArn": arn, "metrics": doc.get(METRICS, {})}


SPEC = ResourceSpec(
    kind="solution-version",
    arn_param="solutionVersionArn",
    describe_key="solutionVersion",
    list_key="solutionVersions",
    summary=_SUMMARY,
    scope_param="solutionArn",
    scope_kind="solution",
    scope_by="parent",
    scope_load=solution_doc,
    newest_first=True,
)

_READS = operations(SPEC, "SolutionVersion", deletable=False)
OPERATIONS = {
    "CreateSolutionVersion": create_solution_version,
    **_READS,
    "ListSolutionVersions": training_due_first(_READS["ListSolutionVersions"], "solutionArn"),
    "StopSolutionVersionCreation": stop_solution_version_creation,
    "GetSolutionMetrics": get_solution_metrics,
}
