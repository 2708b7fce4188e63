"""Solution versions: create (train in the background), describe, list, stop, metrics."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from services.local.context import EngineContext
from services.local.control.describe_list_delete import job_spec, operations
from services.local.control.quotas import MAX_PENDING_VERSIONS
from services.local.control.solutions import solution_doc
from services.local.data.storage import tables as t
from services.local.data.storage.marks import DATA_MARK, data_mark
from services.local.data.storage.resources import (
    ACTIVE,
    IN_PROGRESS,
    PENDING,
    WAITING,
    Resources,
    require_active,
)
from services.local.errors import InvalidInput, LimitExceeded, ResourceInUse
from services.local.models.auto_training import training_due_first
from services.local.models.recipes.capabilities import (
    EMPTY_ALLOWED,
    UPDATE_RECIPES,
    required_datasets,
)
from services.local.models.solution_versions import VERSION_SUMMARY, add_version

STOPPING, STOPPED = "CREATE STOPPING", "CREATE STOPPED"
METRICS = "_metrics"


_STREAMED = {"Interactions": t.interactions, "Items": t.items, "Actions": t.actions}


def _no_training_data(res: Resources, group_arn: str, kinds: tuple[str, ...]) -> str | None:
    """Why a group has nothing to train on, or None when each dataset type in ``kinds`` (the
    recipe's required datasets: Interactions, or Items for Semantic-Similarity) holds data.

    A dataset holds data once a dataset import job into it completed (ACTIVE) or records were
    streamed into it (PutEvents, PutItems). Sources: CloudFormation's AWS::Personalize::Dataset
    ("Only the Item interactions dataset is required in order to train a model"), the
    Semantic-Similarity recipe's page ("you must create an Items dataset") and
    CreateDatasetImportJob ("You must wait until the status shows as ACTIVE before training a
    model using the dataset"); PERSONALIZE.md section 5 (streamed events are training data at
    the next FULL retrain).
    """
    for kind in kinds:
        datasets = [
            d
            for d in res.all("dataset", group=group_arn)
            if str(d.get("datasetType", "")).upper() == kind.upper()
        ]
        if not datasets:
            return f"has no {kind} dataset"
        jobs = res.all("dataset-import-job", parent=datasets[0]["datasetArn"])
        if any(job["status"] == ACTIVE for job in jobs):
            continue
        table = _STREAMED[kind]
        streamed = res.conn.execute(
            select(table.c.group_arn).where(table.c.group_arn == group_arn).limit(1)
        ).first()
        if streamed is not None:
            continue
        how = {
            "Interactions": "events recorded with PutEvents",
            "Items": "PutItems records",
            "Actions": "PutActions records",
        }[kind]
        return (
            f"has no {kind.lower()} data: {kind} dataset {datasets[0]['name']} has no "
            f"completed (ACTIVE) dataset import job and no {how}"
        )
    return None


def _no_dataset(res: Resources, group_arn: str, kinds: tuple[str, ...]) -> str | None:
    """Why a group lacks a dataset a recipe needs to exist (it may be empty), or None."""
    have = {str(d.get("datasetType", "")) for d in res.all("dataset", group=group_arn)}
    missing = [k for k in kinds if k not in have]
    return f"has no {missing[0]} dataset (it may be empty)" if missing else None


def create_solution_version(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    """Start training a version of an ACTIVE solution; returns its ARN at once.

    Raises:
        InvalidInput: (HTTP 400) trainingMode AUTOTRAIN; UPDATE on a recipe other than
            User-Personalization (v1/v2) or without an ACTIVE FULL version; or the solution's
            dataset group has no Interactions dataset, or one with no completed import job
            and no streamed events. Personalize refuses this synchronously (issue #8's cases,
            from public problem reports; its exact text is not published), and
            InvalidInputException is the error its model lists for CreateSolutionVersion's
            semantic checks. Nothing is created.
        ResourceInUse: the solution is not ACTIVE.
        LimitExceeded: 20 versions are already pending or training in the region.
    """
    mode = params.get("trainingMode") or "FULL"
    if mode == "AUTOTRAIN":
        raise InvalidInput("trainingMode AUTOTRAIN is set by the service, not by a caller.")
    with engine.tx() as res:
        solution = solution_doc(res, params["solutionArn"])
        require_active(solution, "Solution")
        recipe = solution.get("recipeArn", "").rsplit("/", 1)[-1]
        group = solution["datasetGroupArn"]
        missing = _no_training_data(res, group, required_datasets(recipe)) or _no_dataset(
            res, group, EMPTY_ALLOWED.get(recipe, ())
        )
        if missing:
            raise InvalidInput(
                f"Cannot train solution {solution['name']}: its dataset group {missing}."
            )
        previous = res.all("solution-version", parent=solution["solutionArn"])
        if mode == "UPDATE":
            if recipe not in UPDATE_RECIPES:
                raise InvalidInput(
                    f"trainingMode UPDATE works with User-Personalization recipes, not {recipe}."
                )
            if not any(v["status"] == ACTIVE and v["trainingMode"] == "FULL" for v in previous):
                raise InvalidInput("trainingMode UPDATE needs an ACTIVE FULL version first.")
            _check_new_data(engine, solution, previous)
        pending = sum(1 for v in res.all("solution-version") if v["status"] in WAITING)
        if pending >= MAX_PENDING_VERSIONS:
            raise LimitExceeded(f"{MAX_PENDING_VERSIONS} solution versions are already training.")
        arn = add_version(
            engine, res, solution, mode, "MANUAL", params.get("name"), params.get("tags")
        )
    engine.jobs.kick()
    return {"solutionVersionArn": arn}


def _check_new_data(
    engine: EngineContext, solution: dict[str, Any], previous: list[dict[str, Any]]
) -> None:
    """An UPDATE builds on the newest ACTIVE version; with no data changed since it trained
    (no import, event, item or user since) there is nothing to update, and Personalize
    refuses the request (API reference CreateSolutionVersion: UPDATE "processes only the data
    that has changed since the latest training"; InvalidInputException, HTTP 400, as for the
    other UPDATE preconditions; the exact text is not published)."""
    trained = [v for v in previous if v["status"] == ACTIVE]
    mark = trained[-1].get(DATA_MARK) if trained else None
    if mark is not None and mark == data_mark(engine.read_db, solution["datasetGroupArn"]):
        raise InvalidInput(
            f"trainingMode UPDATE: no data of dataset group {solution['datasetGroupArn']} "
            f"changed since solution version {trained[-1]['solutionVersionArn']} trained; "
            "import or stream new data first."
        )


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


SPEC = job_spec(
    "solution-version",
    VERSION_SUMMARY,
    "solutionArn",
    scope_kind="solution",
    scope_load=solution_doc,
)

_READS = operations(SPEC, "SolutionVersion", create=create_solution_version)
OPERATIONS = {
    **_READS,
    "ListSolutionVersions": training_due_first(_READS["ListSolutionVersions"], "solutionArn"),
    "StopSolutionVersionCreation": stop_solution_version_creation,
    "GetSolutionMetrics": get_solution_metrics,
}
