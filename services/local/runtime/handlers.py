"""GetRecommendations and GetPersonalizedRanking: request checks, the served model, metadata."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np

from services.local.context import EngineContext
from services.local.errors import InvalidInput
from services.local.runtime.model_cache import LoadedModel
from services.local.runtime.scoring import rank, recommend

MAX_RESULTS = 500
MAX_RESULTS_WITH_METADATA = 50


def _served(
    engine: EngineContext, params: dict[str, Any]
) -> tuple[dict[str, Any], LoadedModel, dict[str, Any] | None]:
    from services.local.control.campaigns import served_version

    if params.get("recommenderArn") and not params.get("campaignArn"):
        raise InvalidInput("Recommenders (domain dataset groups) are not part of the local engine.")
    arn = params.get("campaignArn")
    if not arn:
        raise InvalidInput("campaignArn is required.")
    with engine.reading() as res:
        campaign, version_arn = served_version(res, arn)
        # An ACTIVE version never changes, so a loaded model saves reading its document.
        loaded = engine.models.cached(version_arn)
        if loaded is None:
            loaded = engine.models.get(res.get(version_arn, "solution-version"))
        filter_doc = None
        if params.get("filterArn"):
            from services.local.resources import expect_kind

            expect_kind(params["filterArn"], "filter", "filterArn")
            filter_doc = res.get(params["filterArn"], "filter")
            if filter_doc["datasetGroupArn"] != loaded.group:
                raise InvalidInput("The filter belongs to another dataset group.")
    return campaign, loaded, filter_doc


def _metadata(
    engine: EngineContext,
    loaded: LoadedModel,
    items: list[dict[str, Any]],
    columns: dict[str, list[str]] | None,
) -> None:
    if not columns:
        return
    wanted = columns.get("ITEMS") or []
    if set(columns) - {"ITEMS"}:
        raise InvalidInput("metadataColumns supports only the ITEMS dataset.")
    catalogue = engine.models.items(loaded.group)
    missing = [c for c in wanted if c not in catalogue.columns]
    if missing:
        raise InvalidInput(f"The Items dataset has no column {missing[0]}.")
    rows = catalogue.set_index("ITEM_ID") if len(catalogue) else None
    for entry in items:
        meta = {}
        if rows is not None and entry["itemId"] in rows.index:
            for col in wanted:
                value = rows.at[entry["itemId"], col]
                if value is not None and not (isinstance(value, float) and np.isnan(value)):
                    meta[col] = str(value)
        entry["metadata"] = meta


def get_recommendations(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    num = params.get("numResults", 25)
    limit = MAX_RESULTS_WITH_METADATA if params.get("metadataColumns") else MAX_RESULTS
    if not 1 <= num <= limit:
        raise InvalidInput(f"numResults must be between 1 and {limit}, not {num}.")
    if bool(params.get("userId")) == bool(params.get("itemId")) and params.get("itemId"):
        raise InvalidInput("Give a userId or an itemId, not both.")
    campaign, loaded, filter_doc = _served(engine, params)
    items = recommend(
        engine,
        loaded,
        user_id=params.get("userId"),
        item_id=params.get("itemId"),
        num_results=num,
        filter_doc=filter_doc,
        filter_values=params.get("filterValues"),
        campaign_config=campaign.get("campaignConfig"),
        promotions=params.get("promotions"),
    )
    _metadata(engine, loaded, items, params.get("metadataColumns"))
    return {"itemList": items, "recommendationId": f"RID-{uuid.uuid4()}"}


def get_personalized_ranking(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    input_list = params["inputList"]
    limit = MAX_RESULTS_WITH_METADATA if params.get("metadataColumns") else MAX_RESULTS
    if not 1 <= len(input_list) <= limit:
        raise InvalidInput(f"inputList must hold between 1 and {limit} item IDs.")
    _, loaded, filter_doc = _served(engine, params)
    if (
        loaded.recipe_type != "PERSONALIZED_RANKING"
        and loaded.recipe_type != "USER_PERSONALIZATION"
    ):
        raise InvalidInput(f"Campaign's recipe {loaded.recipe_name} does not rank items.")
    items = rank(
        engine, loaded, params["userId"], input_list, filter_doc, params.get("filterValues")
    )
    _metadata(engine, loaded, items, params.get("metadataColumns"))
    return {"personalizedRanking": items, "recommendationId": f"RID-{uuid.uuid4()}"}


OPERATIONS = {
    "GetRecommendations": get_recommendations,
    "GetPersonalizedRanking": get_personalized_ranking,
}
