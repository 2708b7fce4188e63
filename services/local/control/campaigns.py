"""CreateCampaign, DescribeCampaign, ListCampaigns, DeleteCampaign, UpdateCampaign.

An update is recorded in ``latestCampaignUpdate`` and takes effect only when it becomes
ACTIVE: until then the campaign keeps serving the previous version (resources.advance).
"""

from __future__ import annotations

import copy
from typing import Any

from services.local.context import EngineContext
from services.local.control.describe_list_delete import ResourceSpec, operations
from services.local.control.quotas import MAX_CAMPAIGNS_PER_GROUP, check_group_quota
from services.local.data.storage.resources import (
    ACTIVE,
    FAILED,
    PENDING,
    READY_AT,
    WAITING,
    Resources,
    advance,
    expect_kind,
    kind_of,
    waiting,
)
from services.local.errors import InvalidInput, ResourceInUse
from services.local.models.auto_training import SYNC, sync_campaign
from services.local.models.recipes.capabilities import (
    EXPLORING_RECIPES,
    RANKING_INFLUENCE_RECIPES,
    SEGMENT_RECIPES,
)

_SUMMARY = (
    "name",
    "campaignArn",
    "status",
    "creationDateTime",
    "lastUpdatedDateTime",
    "failureReason",
)
LATEST = "$LATEST"
SYNC_SECONDS = "_syncSeconds"  # how long an automatic sync update takes (the lifecycle delay)


def check_campaign_config(config: dict[str, Any]) -> None:
    """Reject exploration settings outside Personalize's ranges."""
    explore = config.get("itemExplorationConfig") or {}
    for key in explore:
        if key not in ("explorationWeight", "explorationItemAgeCutOff"):
            raise InvalidInput(f"itemExplorationConfig has no setting '{key}'.")
    if "explorationWeight" in explore:
        weight = _float(explore["explorationWeight"], "explorationWeight")
        if not 0.0 <= weight <= 1.0:
            raise InvalidInput("explorationWeight must be between 0 and 1.")
    if "explorationItemAgeCutOff" in explore:
        age = _float(explore["explorationItemAgeCutOff"], "explorationItemAgeCutOff")
        if age <= 0:
            raise InvalidInput("explorationItemAgeCutOff must be a positive number of days.")


def check_ranking_influence(config: dict[str, Any], version: dict[str, Any]) -> None:
    """The recipe-specific settings of a campaignConfig or batchInferenceJobConfig go only with
    a version of a recipe that applies them; for any other they would be accepted and
    ignored, so each is InvalidInputException:

    - ``rankingInfluence``: RANKING_INFLUENCE_RECIPES (Semantic-Similarity; API reference
      CampaignConfig and BatchInferenceJobConfig, "rankingInfluence": "supported only for
      solutions that use the semantic-similarity recipe");
    - ``itemExplorationConfig``: EXPLORING_RECIPES (API reference CampaignConfig,
      "itemExplorationConfig": "Provide itemExplorationConfig data only if your solution uses
      the User-Personalization recipe"; BatchInferenceJobConfig: "See User-Personalization";
      User-Personalization-v2 explores too, developer guide "Recommendation reasons").
    """
    recipe = version.get("_recipeName") or version.get("recipeArn", "").rsplit("/", 1)[-1]
    for member, recipes in (
        ("rankingInfluence", RANKING_INFLUENCE_RECIPES),
        ("itemExplorationConfig", EXPLORING_RECIPES),
    ):
        if config.get(member) and recipe not in recipes:
            raise InvalidInput(
                f"{member} is supported only for solutions that use "
                f"{' or '.join(sorted(recipes))}, not {recipe}."
            )


def _float(raw: str, name: str) -> float:
    try:
        return float(raw)
    except ValueError as err:
        raise InvalidInput(f"{name} '{raw}' is not a number.") from err


def active_version(res: Resources, arn: str) -> dict[str, Any]:
    """The ACTIVE version an ARN (or ``<solutionArn>/$LATEST``) names."""
    if arn.endswith("/" + LATEST):
        solution = arn[: -len(LATEST) - 1]
        expect_kind(solution, "solution", "solutionVersionArn")
        res.get(solution, "solution")
        active = [v for v in res.all("solution-version", parent=solution) if v["status"] == ACTIVE]
        if not active:
            raise InvalidInput(f"Solution {solution} has no ACTIVE version to deploy.")
        return active[-1]
    expect_kind(arn, "solution-version", "solutionVersionArn")
    version = res.get(arn, "solution-version")
    if version["status"] != ACTIVE:
        raise ResourceInUse(f"Solution version {arn} is {version['status']}, not ACTIVE.")
    recipe = str(version.get("_recipeName") or "")
    if recipe in SEGMENT_RECIPES:
        # USER_SEGMENTATION versions serve batch segment jobs only (Item-Affinity recipe page)
        raise InvalidInput(
            f"Solution version {arn} was trained with {recipe} (USER_SEGMENTATION), which "
            "gives user segments with batch segment jobs, not recommendations from a campaign."
        )
    return version


def check_sync(config: dict[str, Any], version_arn: str | None) -> None:
    """syncWithLatestSolutionVersion needs ``<solutionArn>/$LATEST`` as the version (API
    reference, CampaignConfig)."""
    if config.get(SYNC) and not (version_arn or "").endswith("/" + LATEST):
        raise InvalidInput(
            "syncWithLatestSolutionVersion needs solutionVersionArn set to the solution ARN "
            "with the /$LATEST suffix."
        )


def create_campaign(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    config = params.get("campaignConfig") or {}
    check_campaign_config(config)
    check_sync(config, params["solutionVersionArn"])
    arn = engine.arns.make("campaign", params["name"])
    with engine.tx() as res:
        version = active_version(res, params["solutionVersionArn"])
        check_ranking_influence(config, version)
        group = version["datasetGroupArn"]
        check_group_quota(res, "campaign", group, MAX_CAMPAIGNS_PER_GROUP)
        doc = {
            "name": params["name"],
            "campaignArn": arn,
            "solutionVersionArn": version["solutionVersionArn"],
            "minProvisionedTPS": params.get("minProvisionedTPS", 1),
            "campaignConfig": config,
            "_groupArn": group,
            SYNC_SECONDS: engine.lifecycle_seconds,
        }
        doc.update(waiting(res.now, engine.lifecycle_seconds))
        res.create(
            arn,
            "campaign",
            params["name"],
            doc,
            parent=version["solutionArn"],
            group=group,
            tags=params.get("tags"),
        )
    return {"campaignArn": arn}


def campaign_doc(res: Resources, arn: str) -> dict[str, Any]:
    """A campaign's document, with a pending update advanced if its time has come."""
    expect_kind(arn, "campaign", "campaignArn")
    doc = res.get(arn, "campaign")
    if sync_campaign(res, doc, float(doc.get(SYNC_SECONDS, 0.0))):
        advance(doc, res.now)  # an update that is already due completes at once
        # derived from stored timestamps, so a read-only view gives the same answer
        if res.writable:
            res.save(arn, doc)
    return doc


def update_campaign(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["campaignArn"]
    if "campaignConfig" in params:
        check_campaign_config(params["campaignConfig"])
        check_sync(params["campaignConfig"], params.get("solutionVersionArn"))
    with engine.tx() as res:
        doc = campaign_doc(res, arn)
        if doc["status"] not in (ACTIVE, FAILED):
            raise ResourceInUse(f"Campaign {doc['name']} is {doc['status']}; wait for ACTIVE.")
        pending = doc.get("latestCampaignUpdate") or {}
        if pending.get("status") in WAITING:
            raise ResourceInUse(
                f"Campaign {doc['name']} is already being updated to "
                f"{pending.get('solutionVersionArn')}."
            )
        target = doc["solutionVersionArn"]
        if params.get("solutionVersionArn"):
            version = active_version(res, params["solutionVersionArn"])
            if version["datasetGroupArn"] != doc.get("_groupArn", version["datasetGroupArn"]):
                raise InvalidInput("The new version belongs to another dataset group.")
            target = version["solutionVersionArn"]
        config = params.get("campaignConfig", doc.get("campaignConfig", {}))
        check_ranking_influence(config, res.get(target, "solution-version"))
        update = {
            "solutionVersionArn": target,
            "minProvisionedTPS": params.get("minProvisionedTPS", doc.get("minProvisionedTPS", 1)),
            "campaignConfig": copy.deepcopy(
                params.get("campaignConfig", doc.get("campaignConfig", {}))
            ),
            "status": PENDING,
            "creationDateTime": res.now,
            "lastUpdatedDateTime": res.now,
            READY_AT: res.now + engine.lifecycle_seconds,
        }
        doc["latestCampaignUpdate"] = update
        doc["lastUpdatedDateTime"] = res.now
        res.save(arn, doc)
        doc = campaign_doc(res, arn)  # a zero-second update is ACTIVE at once
    engine.models.forget_served(arn)
    return {"campaignArn": arn}


def settled(doc: dict[str, Any]) -> bool:
    """An ACTIVE campaign with no update under way and no syncing to newer versions: what it
    serves changes only by an UpdateCampaign or DeleteCampaign."""
    pending = (doc.get("latestCampaignUpdate") or {}).get("status") in WAITING
    syncing = (doc.get("campaignConfig") or {}).get(SYNC)
    return doc["status"] == ACTIVE and not pending and not syncing


def served_version(res: Resources, campaign_arn: str) -> tuple[dict[str, Any], str]:
    """The campaign and the solution version it serves right now."""
    if kind_of(campaign_arn) != "campaign":
        raise InvalidInput(f"campaignArn '{campaign_arn}' is not the ARN of a campaign.")
    doc = campaign_doc(res, campaign_arn)
    if doc["status"] != ACTIVE and not doc.get("latestCampaignUpdate"):
        raise ResourceInUse(f"Campaign {doc['name']} is {doc['status']}, not ACTIVE yet.")
    return doc, doc["solutionVersionArn"]


SPEC = ResourceSpec(
    kind="campaign",
    summary=_SUMMARY,
    scope_param="solutionArn",
    scope_kind="solution",
    scope_by="parent",
    load=campaign_doc,
    after_delete=lambda engine, arn, _removed: engine.models.forget_served(arn),
)

OPERATIONS = {
    **operations(SPEC, "Campaign", create=create_campaign),
    "UpdateCampaign": update_campaign,
}
