"""GetRecommendations and GetPersonalizedRanking: request checks, the served model, metadata."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np

from services.local.context import EngineContext
from services.local.errors import InvalidInput
from services.local.models.recipes.capabilities import METADATA_BY_DEFAULT
from services.local.rules.runtime_limits import (
    DEFAULT_ACTIONS,
    MAX_ACTIONS,
    MAX_METADATA_COLUMNS,
    MAX_RESULTS,
    MAX_RESULTS_WITH_METADATA,
)
from services.local.rules.use_cases import RECIPE_PREFIX, USE_CASES, UseCase, missing_input
from services.local.runtime.answers import log_answer
from services.local.runtime.model_cache import LoadedModel
from services.local.runtime.scoring import rank, recommend, recommend_actions

RANKING = "PERSONALIZED_RANKING"
ACTIONS = "PERSONALIZED_ACTIONS"


def _served(
    engine: EngineContext, params: dict[str, Any]
) -> tuple[dict[str, Any], LoadedModel, dict[str, Any] | None]:
    from services.local.control.campaigns import served_version, settled
    from services.local.control.recommenders import serving_model

    arn: str = params.get("campaignArn") or ""
    recommender: str = params.get("recommenderArn") or ""
    if bool(arn) == bool(recommender):
        raise InvalidInput("Give either a campaignArn or a recommenderArn.")
    kept = engine.models.served(arn) if arn and not params.get("filterArn") else None
    if kept is not None:
        # the hot path of a settled campaign: no read transaction at all
        loaded = engine.models.cached(kept[1])
        if loaded is not None:
            return kept[0], loaded, None
    with engine.reading() as res:
        if recommender:
            campaign, version = serving_model(res, recommender)
            version_arn = version["solutionVersionArn"]
            loaded = engine.models.cached(version_arn) or engine.models.get(version)
        else:
            campaign, version_arn = served_version(res, arn)
            if settled(campaign):
                engine.models.remember_served(arn, campaign, version_arn)
            # An ACTIVE version never changes, so a loaded model saves reading its document.
            loaded = engine.models.cached(version_arn)
            if loaded is None:
                loaded = engine.models.get(res.get(version_arn, "solution-version"))
        filter_doc = None
        if params.get("filterArn"):
            from services.local.data.storage.resources import expect_kind

            expect_kind(params["filterArn"], "filter", "filterArn")
            filter_doc = res.get(params["filterArn"], "filter")
            if filter_doc["datasetGroupArn"] != loaded.group:
                raise InvalidInput("The filter belongs to another dataset group.")
    return campaign, loaded, filter_doc


def _served_as(
    engine: EngineContext, params: dict[str, Any], recipe_type: str, needs: str
) -> tuple[dict[str, Any], LoadedModel, dict[str, Any] | None]:
    """``_served``, refused (InvalidInputException, ending with ``needs``) unless the model
    is of ``recipe_type``: each runtime operation answers only its own kind of recipe."""
    campaign, loaded, filter_doc = _served(engine, params)
    if loaded.recipe_type != recipe_type:
        raise InvalidInput(
            f"Campaign {campaign['name']} serves {loaded.recipe_name}, a {loaded.recipe_type} "
            f"recipe; {needs}"
        )
    return campaign, loaded, filter_doc


def metadata_enabled(source: dict[str, Any], loaded: LoadedModel) -> bool:
    """Whether a campaign or recommender may return item metadata: it was created or updated
    with ``enableMetadataWithRecommendations``, or its recipe is a v2 recipe, which returns
    metadata by default (developer guide, "Item metadata in recommendations")."""
    config = source.get("campaignConfig") or source.get("recommenderConfig") or {}
    return bool(config.get("enableMetadataWithRecommendations")) or (
        loaded.recipe_name in METADATA_BY_DEFAULT
    )


def _metadata(
    engine: EngineContext,
    loaded: LoadedModel,
    items: list[dict[str, Any]],
    columns: dict[str, list[str]] | None,
    source: dict[str, Any],
) -> None:
    if not columns:
        return
    if not metadata_enabled(source, loaded):
        kind = "recommender" if "recommenderArn" in source else "campaign"
        raise InvalidInput(
            f"metadataColumns needs metadata enabled for the {kind}: create or update it with "
            "enableMetadataWithRecommendations set to true."
        )
    wanted = columns.get("ITEMS") or []
    if set(columns) - {"ITEMS"}:
        raise InvalidInput("metadataColumns supports only the ITEMS dataset.")
    if len(wanted) > MAX_METADATA_COLUMNS:
        raise InvalidInput(
            f"metadataColumns names {len(wanted)} Items columns; at most "
            f"{MAX_METADATA_COLUMNS} can be returned."
        )
    catalogue = engine.models.items(loaded.group)
    missing = [c for c in wanted if c not in catalogue.columns]
    if missing:
        raise InvalidInput(f"The Items dataset has no column {missing[0]}.")
    rows = engine.models.items_by_id(loaded.group) if len(catalogue) else None
    for entry in items:
        meta = {}
        if rows is not None and entry["itemId"] in rows.index:
            for col in wanted:
                value = rows.at[entry["itemId"], col]
                if value is not None and not (isinstance(value, float) and np.isnan(value)):
                    meta[col] = str(value)
        entry["metadata"] = meta


def use_case_for(source: dict[str, Any]) -> UseCase | None:
    """The domain use case a recommender serves (None for a campaign)."""
    recipe = source.get("recipeArn", "") if "recommenderArn" in source else ""
    return USE_CASES.get(recipe[len(RECIPE_PREFIX) :]) if recipe else None


def get_recommendations(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    num = params.get("numResults", 25)
    limit = MAX_RESULTS_WITH_METADATA if params.get("metadataColumns") else MAX_RESULTS
    if not 1 <= num <= limit:
        raise InvalidInput(f"numResults must be between 1 and {limit}, not {num}.")
    campaign, loaded, filter_doc = _served(engine, params)
    if loaded.recipe_type == ACTIONS:
        raise InvalidInput(
            f"Campaign {campaign['name']} serves {loaded.recipe_name}, a PERSONALIZED_ACTIONS "
            "recipe: ask it with GetActionRecommendations, not GetRecommendations."
        )
    if loaded.recipe_type == RANKING:
        # API reference, GetRecommendations: "Campaigns that are backed by a solution created
        # using a recipe of type PERSONALIZED_RANKING use the GetPersonalizedRanking API."
        raise InvalidInput(
            f"Campaign {campaign['name']} serves {loaded.recipe_name}, a PERSONALIZED_RANKING "
            "recipe: ask it with GetPersonalizedRanking, not GetRecommendations."
        )
    case = use_case_for(campaign)
    if case is not None:
        problem = missing_input(
            case,
            params.get("userId"),
            params.get("itemId"),
            filter_doc["filterExpression"] if filter_doc else None,
        )
        if problem:
            raise InvalidInput(problem)
    elif params.get("userId") and params.get("itemId"):
        raise InvalidInput("Give a userId or an itemId, not both.")
    items = recommend(
        engine,
        loaded,
        user_id=params.get("userId"),
        item_id=params.get("itemId"),
        num_results=num,
        filter_doc=filter_doc,
        filter_values=params.get("filterValues"),
        campaign_config=campaign.get("campaignConfig") or campaign.get("recommenderConfig"),
        promotions=params.get("promotions"),
        exclude_event_type=case.auto_filter if case else None,
        context=params.get("context"),
    )
    _metadata(engine, loaded, items, params.get("metadataColumns"), campaign)
    rid = f"RID-{uuid.uuid4()}"
    source = campaign.get("campaignArn") or campaign["recommenderArn"]
    log_answer(engine, loaded.group, source, loaded.arn, rid, [i["itemId"] for i in items])
    return {"itemList": items, "recommendationId": rid}


def get_personalized_ranking(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    """Rank ``inputList`` for ``userId`` with a campaign of a PERSONALIZED_RANKING recipe.

    Raises:
        InvalidInput: (HTTP 400) an inputList of the wrong size, or a campaign whose solution's
            recipe is not of type PERSONALIZED_RANKING (aws-personalized-ranking, -v2). API
            reference, GetPersonalizedRanking: "The solution backing the campaign must have
            been created using a recipe of type PERSONALIZED_RANKING"; botocore's
            personalize-runtime model lists InvalidInputException (400) and
            ResourceNotFoundException (404) as its only errors, and a campaign that exists
            but cannot rank is an input error, not a missing resource.
    """
    input_list = params["inputList"]
    limit = MAX_RESULTS_WITH_METADATA if params.get("metadataColumns") else MAX_RESULTS
    if not 1 <= len(input_list) <= limit:
        raise InvalidInput(f"inputList must hold between 1 and {limit} item IDs.")
    campaign, loaded, filter_doc = _served_as(
        engine,
        params,
        RANKING,
        "GetPersonalizedRanking needs a campaign of a PERSONALIZED_RANKING recipe "
        "(aws-personalized-ranking or aws-personalized-ranking-v2).",
    )
    items = rank(
        engine,
        loaded,
        params["userId"],
        input_list,
        filter_doc,
        params.get("filterValues"),
        context=params.get("context"),
    )
    _metadata(engine, loaded, items, params.get("metadataColumns"), campaign)
    rid = f"RID-{uuid.uuid4()}"
    # the ranked list is what the shop shows: an event naming it has it as its impression
    ranked = [i["itemId"] for i in items]
    source = campaign["campaignArn"]
    log_answer(engine, loaded.group, source, loaded.arn, rid, ranked, credited=False)
    return {"personalizedRanking": items, "recommendationId": rid}


def get_action_recommendations(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    """The actions ``userId`` will most likely take, from a Next-Best-Action campaign.

    Output (API reference, GetActionRecommendations): ``actionList`` of ``{actionId, score}``
    best first (propensity; 0.0 for an action without enough action interactions yet) and a
    ``recommendationId``. Expired actions and actions the user took less than their
    REPEAT_FREQUENCY days ago are left out. A request without a userId gets every user's
    propensities (no item history).

    Raises:
        InvalidInput: (HTTP 400) no campaignArn; numResults outside 1-100; a campaign whose
            recipe is not PERSONALIZED_ACTIONS; a filter that is not an action filter
            (``INCLUDE|EXCLUDE ActionID WHERE Actions.… | Action_Interactions.EVENT_TYPE …``,
            developer guide "Action recommendation filter expression examples"), or
            filterValues it cannot use; filterValues without a filter.
        ResourceNotFound: (HTTP 404) an unknown campaign or filter.
    """
    if not params.get("campaignArn"):
        raise InvalidInput("GetActionRecommendations needs the campaignArn of a campaign.")
    num = params.get("numResults", DEFAULT_ACTIONS)
    if not 1 <= num <= MAX_ACTIONS:
        raise InvalidInput(f"numResults must be between 1 and {MAX_ACTIONS}, not {num}.")
    campaign, loaded, filter_doc = _served_as(
        engine,
        params,
        ACTIONS,
        "GetActionRecommendations needs a campaign of aws-next-best-action.",
    )
    actions = recommend_actions(
        engine, loaded, params.get("userId"), num, filter_doc, params.get("filterValues")
    )
    rid = f"RID-{uuid.uuid4()}"
    ids = [a["actionId"] for a in actions]
    log_answer(engine, loaded.group, campaign["campaignArn"], loaded.arn, rid, ids, items=False)
    return {"actionList": actions, "recommendationId": rid}


OPERATIONS = {
    "GetRecommendations": get_recommendations,
    "GetPersonalizedRanking": get_personalized_ranking,
    "GetActionRecommendations": get_action_recommendations,
}
