"""CreateRecommender, DescribeRecommender, ListRecommenders, UpdateRecommender,
DeleteRecommender, StartRecommender, StopRecommender.

A recommender serves one use case of a Domain dataset group (services.local.rules.use_cases). It
trains in the background like a solution version (CREATE PENDING → CREATE IN_PROGRESS → ACTIVE
| CREATE FAILED) with the real model behind its use case, and reports that model's offline
metrics in ``modelMetrics``. Stopping pauses it (STOP PENDING → STOP IN_PROGRESS → INACTIVE),
starting resumes it (START PENDING → START IN_PROGRESS → ACTIVE); an update is recorded in
``latestRecommenderUpdate`` and takes effect when that becomes ACTIVE.

Sources: API reference CreateRecommender, UpdateRecommender, StartRecommender, StopRecommender,
DeleteRecommender; botocore shapes ``Recommender``, ``RecommenderConfig``.
"""

from __future__ import annotations

import copy
from typing import Any

from services.local.context import EngineContext
from services.local.control.describe_list_delete import forget_models, operations
from services.local.control.groups import active_group_of, group_scoped, queue_child
from services.local.control.quotas import (
    MAX_RECOMMENDERS_PER_GROUP,
    MAX_RECOMMENDERS_PER_REGION,
    check_group_quota,
    check_region_quota,
)
from services.local.data.storage.resources import (
    ACTIVE,
    IN_PROGRESS,
    PENDING,
    READY_AT,
    TARGET,
    TRANSITIONS,
    WAITING,
    Resources,
    expect_kind,
)
from services.local.errors import InvalidInput, ResourceInUse
from services.local.rules.use_cases import PERSONALISED, UseCaseError, use_case_of

INACTIVE = "INACTIVE"
_TRAINING_COLUMNS = frozenset({"Interactions", "Items", "Users"})
_SUMMARY = (
    "name",
    "recommenderArn",
    "datasetGroupArn",
    "recipeArn",
    "recommenderConfig",
    "status",
    "creationDateTime",
    "lastUpdatedDateTime",
)


def check_recommender_config(config: dict[str, Any], personalised: bool) -> dict[str, Any]:
    """The config with Personalize's defaults filled in; InvalidInput for values it refuses.

    itemExplorationConfig applies only to the personalised use cases (Recommended for you,
    Top picks), with explorationWeight 0–1 and explorationItemAgeCutOff > 0 days;
    trainingDataConfig names dataset types (Interactions, Items, Users).
    """
    from services.local.control.campaigns import check_campaign_config

    out = copy.deepcopy(config)
    explore = out.get("itemExplorationConfig")
    if explore:
        if not personalised:
            raise InvalidInput(
                "itemExplorationConfig applies only to the Recommended for you and Top picks "
                "use cases."
            )
        check_campaign_config({"itemExplorationConfig": explore})
    for key in ("excludedDatasetColumns", "includedDatasetColumns"):
        columns = (out.get("trainingDataConfig") or {}).get(key) or {}
        unknown = sorted(set(columns) - _TRAINING_COLUMNS)
        if unknown:
            raise InvalidInput(
                f"trainingDataConfig.{key} names dataset type {unknown[0]}; use Interactions, "
                "Items or Users."
            )
    out.setdefault("minRecommendationRequestsPerSecond", 1)
    return out


def create_recommender(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = engine.arns.make("recommender", params["name"])
    with engine.tx() as res:
        group = active_group_of(res, params["datasetGroupArn"])
        try:
            case = use_case_of(params["recipeArn"], group.get("domain"))
        except UseCaseError as err:
            raise InvalidInput(str(err)) from err
        config = check_recommender_config(
            params.get("recommenderConfig") or {}, case.kind == PERSONALISED
        )
        # Both quotas hold: 5 in the group and 15 in the region (quotas.py).
        check_group_quota(
            res, "recommender", group["datasetGroupArn"], MAX_RECOMMENDERS_PER_GROUP, group["name"]
        )
        check_region_quota(res, "recommender", MAX_RECOMMENDERS_PER_REGION)
        if not res.count("dataset", group=group["datasetGroupArn"]):
            raise InvalidInput(
                f"Dataset group {group['name']} has no Interactions dataset to train on."
            )
        doc = {
            "name": params["name"],
            "recommenderArn": arn,
            "datasetGroupArn": group["datasetGroupArn"],
            "recipeArn": case.recipe_arn,
            "recommenderConfig": config,
        }
        group_arn, tags = group["datasetGroupArn"], params.get("tags")
        queue_child(
            engine,
            res,
            "recommender",
            arn,
            params["name"],
            doc,
            "train-recommender",
            parent=group_arn,
            group=group_arn,
            tags=tags,
        )
    engine.jobs.kick()
    return {"recommenderArn": arn}


def recommender_doc(res: Resources, arn: str) -> dict[str, Any]:
    """A recommender's document (due transitions and updates applied by ``res``)."""
    expect_kind(arn, "recommender", "recommenderArn")
    return res.get(arn, "recommender")


def update_recommender(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["recommenderArn"]
    with engine.tx() as res:
        doc = recommender_doc(res, arn)
        if doc["status"] != ACTIVE:
            raise ResourceInUse(f"Recommender {doc['name']} is {doc['status']}; wait for ACTIVE.")
        pending = doc.get("latestRecommenderUpdate") or {}
        if pending.get("status") in WAITING:
            raise ResourceInUse(f"Recommender {doc['name']} is already being updated.")
        case = use_case_of(doc["recipeArn"], _domain(res, doc))
        config = check_recommender_config(params["recommenderConfig"], case.kind == PERSONALISED)
        doc["latestRecommenderUpdate"] = {
            "recommenderConfig": config,
            "status": PENDING if engine.lifecycle_seconds > 0 else ACTIVE,
            "creationDateTime": res.now,
            "lastUpdatedDateTime": res.now,
            READY_AT: res.now + engine.lifecycle_seconds,
        }
        if engine.lifecycle_seconds <= 0:
            doc["recommenderConfig"] = copy.deepcopy(config)
        doc["lastUpdatedDateTime"] = res.now
        res.save(arn, doc)
    return {"recommenderArn": arn}


def _domain(res: Resources, doc: dict[str, Any]) -> str | None:
    group = res.find(doc["datasetGroupArn"])
    return (group or {}).get("domain")


def _transition(engine: EngineContext, arn: str, source: str, target: str, verb: str) -> None:
    with engine.tx() as res:
        doc = recommender_doc(res, arn)
        if doc["status"] != source:
            raise ResourceInUse(
                f"Recommender {doc['name']} is {doc['status']}; only an {source} recommender "
                f"can be {verb}."
            )
        doc["lastUpdatedDateTime"] = res.now
        if engine.lifecycle_seconds <= 0:
            doc["status"] = target
        else:
            doc["status"] = TRANSITIONS[target][0]
            doc[TARGET] = target
            doc[READY_AT] = res.now + engine.lifecycle_seconds
        res.save(arn, doc)


def stop_recommender(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    _transition(engine, params["recommenderArn"], ACTIVE, INACTIVE, "stopped")
    return {"recommenderArn": params["recommenderArn"]}


def start_recommender(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    _transition(engine, params["recommenderArn"], INACTIVE, ACTIVE, "started")
    return {"recommenderArn": params["recommenderArn"]}


def _before_delete(
    engine: EngineContext, res: Resources, arn: str, doc: dict[str, Any]
) -> list[str] | None:
    if doc["status"] in (PENDING, IN_PROGRESS):
        raise ResourceInUse(f"Recommender {doc['name']} is {doc['status']}.")
    return [doc["_modelKey"]] if doc.get("_modelKey") else None


SPEC = group_scoped(
    kind="recommender",
    summary=_SUMMARY,
    load=recommender_doc,
    on_delete=_before_delete,
    after_delete=forget_models,
)


def serving_model(res: Resources, arn: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The recommender an ARN names and a version-like document of the model it serves.

    Raises:
        InvalidInput: the recommender is not ACTIVE (still training, failed, stopped).
    """
    doc = recommender_doc(res, arn)
    if doc["status"] != ACTIVE or not doc.get("_modelPath"):
        hint = " Start it with StartRecommender." if doc["status"] == INACTIVE else ""
        raise InvalidInput(f"Recommender {doc['name']} is {doc['status']}, not ACTIVE.{hint}")
    version = {
        "solutionVersionArn": doc["_modelKey"],
        "datasetGroupArn": doc["datasetGroupArn"],
        "status": ACTIVE,
        "_modelPath": doc["_modelPath"],
        "_recipeName": doc["_recipeName"],
    }
    return doc, version


OPERATIONS = {
    **operations(SPEC, "Recommender", create=create_recommender),
    "UpdateRecommender": update_recommender,
    "StartRecommender": start_recommender,
    "StopRecommender": stop_recommender,
}
