"""GetRecommendations and GetPersonalizedRanking, plus the batch inference answer.

Models only produce score vectors; this module adds what Personalize does around them: the
user's latest events (so PutEvents change results without retraining), filters, exploration,
promotions, popularity fallback for unknown users and items, and top-k selection.
"""

from __future__ import annotations

import threading
import time
import uuid
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from services.local import ranking
from services.local import tables as t
from services.local.errors import InvalidInput, ResourceInUse, ResourceNotFound
from services.local.filters import (
    FilterExpressionError,
    evaluate,
    parse_filter,
    parse_filter_values,
)
from services.local.recipes import get_recipe
from services.local.recipes.base import Model

if TYPE_CHECKING:
    from services.local.engine import LocalEngine

MAX_RESULTS = 500
MAX_RESULTS_WITH_METADATA = 50
HISTORY_LIMIT = 500  # latest interactions per user handed to the model
MODEL_CACHE_SIZE = 16
EXPLORING_RECIPES = ("aws-user-personalization", "aws-user-personalization-v2")
DEFAULT_EXPLORATION = {"explorationWeight": "0.3", "explorationItemAgeCutOff": "30"}
ITEMS_CHECK_SECONDS = 1.0
LATEST_TS_TTL = 60.0  # seconds a group's latest interaction time is cached for exploration
USER_TYPES = ("USER_PERSONALIZATION", "POPULAR_ITEMS", "PERSONALIZED_RANKING")


@dataclass(frozen=True)
class LoadedModel:
    """A trained model with what the runtime needs next to it."""

    arn: str
    group: str
    recipe_name: str
    recipe_type: str
    model: Model
    index: dict[str, int]

    @property
    def personalised_scores(self) -> bool:
        """User-Personalization returns softmax scores; popularity and SIMS return none."""
        return self.recipe_type in ("USER_PERSONALIZATION", "PERSONALIZED_RANKING") and (
            self.recipe_name != "aws-popularity-count"
        )


class ModelCache:
    """Loaded models by solution version ARN (least recently used are dropped)."""

    def __init__(self, engine: LocalEngine) -> None:
        self._engine = engine
        self._models: OrderedDict[str, LoadedModel] = OrderedDict()
        self._items: dict[str, tuple[int, pd.DataFrame]] = {}
        self._items_checked: dict[str, float] = {}
        self._created: dict[str, tuple[tuple[str, int], np.ndarray, float, float]] = {}
        self._lock = threading.Lock()

    def cached(self, arn: str) -> LoadedModel | None:
        """The loaded model of a version, if it is in memory."""
        with self._lock:
            return self._models.get(arn)

    def get(self, version: dict[str, Any]) -> LoadedModel:
        """The model of an ACTIVE solution version."""
        arn = version["solutionVersionArn"]
        with self._lock:
            hit = self._models.get(arn)
            if hit is not None:
                self._models.move_to_end(arn)
                return hit
        path = version.get("_modelPath")
        if version.get("status") != "ACTIVE" or not path or not Path(path).exists():
            raise ResourceInUse(f"Solution version {arn} has no trained model to serve.")
        name = version["_recipeName"]
        recipe = get_recipe(name)
        model = recipe.load(Path(path))
        loaded = LoadedModel(
            arn=arn,
            group=version["datasetGroupArn"],
            recipe_name=name,
            recipe_type=recipe.recipe_type,
            model=model,
            index={str(item): i for i, item in enumerate(model.item_ids)},
        )
        with self._lock:
            self._models[arn] = loaded
            while len(self._models) > MODEL_CACHE_SIZE:
                self._models.popitem(last=False)
        return loaded

    def creation_times(self, loaded: LoadedModel) -> tuple[np.ndarray, float]:
        """Items' CREATION_TIMESTAMP aligned with the model (NaN = unknown), and the group's
        latest interaction time, which exploration's age cut-off counts back from."""
        items = self.items(loaded.group)
        key = (loaded.arn, id(items))
        now = time.monotonic()
        cached = self._created.get(loaded.arn)
        if cached is None or cached[0] != key or now - cached[3] > LATEST_TS_TTL:
            created = np.full(len(loaded.model.item_ids), np.nan)
            if len(items) and "CREATION_TIMESTAMP" in items.columns:
                known = items.dropna(subset=["CREATION_TIMESTAMP"])
                for item, ts in zip(known["ITEM_ID"], known["CREATION_TIMESTAMP"], strict=True):
                    i = loaded.index.get(str(item))
                    if i is not None:
                        created[i] = float(ts)
            with self._engine.read_db.connect() as conn:
                latest = conn.execute(
                    select(func.max(t.interactions.c.ts)).where(
                        t.interactions.c.group_arn == loaded.group
                    )
                ).scalar_one()
            cached = (key, created, float(latest or time.time()), now)
            self._created[loaded.arn] = cached
        return cached[1], cached[2]

    def forget(self, arn: str) -> None:
        """Drop a model (its version was deleted)."""
        with self._lock:
            self._models.pop(arn, None)

    def items(self, group: str) -> pd.DataFrame:
        """The group's items (ITEM_ID, CREATION_TIMESTAMP, metadata), reloaded when changed.

        Whether they changed is asked at most once per ``ITEMS_CHECK_SECONDS``: PutItems shows
        up within that time, and the hot path saves a query per request.
        """
        cached = self._items.get(group)
        now = time.monotonic()
        if cached is not None and now - self._items_checked.get(group, 0.0) < ITEMS_CHECK_SECONDS:
            return cached[1]
        with self._engine.read_db.connect() as conn:
            row = conn.execute(
                select(t.data_versions.c.version).where(t.data_versions.c.group_arn == group)
            ).first()
            version = row.version if row else 0
            self._items_checked[group] = now
            if cached is not None and cached[0] == version:
                return cached[1]
            rows = conn.execute(
                select(t.items.c.item_id, t.items.c.creation_ts, t.items.c.props).where(
                    t.items.c.group_arn == group
                )
            ).all()
        frame = pd.DataFrame(
            [
                {**(r.props or {}), "ITEM_ID": r.item_id, "CREATION_TIMESTAMP": r.creation_ts}
                for r in rows
            ],
            columns=None if rows else ["ITEM_ID", "CREATION_TIMESTAMP"],
        )
        self._items[group] = (version, frame)
        return frame


@dataclass(frozen=True)
class History:
    """A user's latest interactions, oldest first; a DataFrame only when a filter needs it."""

    rows: tuple[tuple[str, str, int], ...] = ()

    @property
    def item_ids(self) -> list[str]:
        """Item IDs, oldest first."""
        return [r[0] for r in self.rows]

    def frame(self) -> pd.DataFrame:
        """ITEM_ID, EVENT_TYPE, TIMESTAMP columns, as filters read them."""
        return pd.DataFrame(list(self.rows), columns=["ITEM_ID", "EVENT_TYPE", "TIMESTAMP"])


def user_history(engine: LocalEngine, group: str, user_id: str) -> History:
    """The user's latest interactions (item, event type, time), oldest first."""
    with engine.read_db.connect() as conn:
        rows = conn.execute(
            select(t.interactions.c.item_id, t.interactions.c.event_type, t.interactions.c.ts)
            .where(t.interactions.c.group_arn == group, t.interactions.c.user_id == user_id)
            .order_by(t.interactions.c.ts.desc(), t.interactions.c.id.desc())
            .limit(HISTORY_LIMIT)
        ).all()
    return History(tuple((r[0], r[1], r[2]) for r in reversed(rows)))


def user_metadata(engine: LocalEngine, group: str, user_id: str) -> dict[str, str]:
    """The user's row of the Users dataset, as strings (for `IF CurrentUser.X` filters)."""
    with engine.read_db.connect() as conn:
        row = conn.execute(
            select(t.users.c.props).where(
                t.users.c.group_arn == group, t.users.c.user_id == user_id
            )
        ).first()
    return {k: str(v) for k, v in ((row.props or {}) if row else {}).items() if v is not None}


def _filter_mask(
    engine: LocalEngine,
    loaded: LoadedModel,
    filter_doc: dict[str, Any] | None,
    raw_values: dict[str, str] | None,
    user_id: str | None,
    history: History,
) -> np.ndarray | None:
    if filter_doc is None:
        if raw_values:
            raise InvalidInput("filterValues were given without a filterArn.")
        return None
    try:
        expr = parse_filter(filter_doc["filterExpression"])
        values = parse_filter_values(raw_values or {})
        return evaluate(
            expr,
            item_ids=loaded.model.item_ids,
            items=engine.models.items(loaded.group),
            user_interactions=history.frame(),
            current_user=user_metadata(engine, loaded.group, user_id) if user_id else {},
            values=values,
        )
    except FilterExpressionError as err:
        raise InvalidInput(f"Filter {filter_doc['name']}: {err}") from err
    except NotImplementedError as err:
        raise InvalidInput(str(err)) from err


def recommend(
    engine: LocalEngine,
    loaded: LoadedModel,
    *,
    user_id: str | None,
    item_id: str | None,
    num_results: int,
    filter_doc: dict[str, Any] | None = None,
    filter_values: dict[str, str] | None = None,
    campaign_config: dict[str, Any] | None = None,
    promotions: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The item list of one GetRecommendations call (or one batch line)."""
    model = loaded.model
    history = user_history(engine, loaded.group, user_id) if user_id else History()
    exclude: np.ndarray | None = None
    reason = None
    if loaded.recipe_type == "RELATED_ITEMS":
        if not item_id:
            raise InvalidInput(f"{loaded.recipe_name} recommends for an itemId, not a userId.")
        scores = model.score_item(item_id)
        if item_id in loaded.index:
            exclude = np.zeros(len(model.item_ids), dtype=bool)
            exclude[loaded.index[item_id]] = True
    else:
        if not user_id:
            raise InvalidInput(f"{loaded.recipe_name} recommends for a userId, not an itemId.")
        scores = model.score_user(user_id, history.item_ids)
    if scores is None:  # unknown user or item: popular items, like Personalize
        scores = np.asarray(model.popularity, dtype=np.float64)
        reason = "Popular item"
    mask = _filter_mask(engine, loaded, filter_doc, filter_values, user_id, history)
    if mask is not None:
        exclude = ~mask if exclude is None else (exclude | ~mask)
    scores = np.asarray(scores, dtype=np.float64)
    idx, _ = ranking.top_k(scores, num_results, exclude)
    # Seeded per user, so a merchandiser sees the same list on every reload.
    rng = np.random.default_rng(zlib.crc32((user_id or item_id or "").encode()))
    flags: dict[int, str] = {}
    if loaded.recipe_name in EXPLORING_RECIPES and reason is None:
        idx, explored = _explore(engine, loaded, idx, scores, exclude, campaign_config, rng)
        flags.update({int(i): "Exploration" for i, e in zip(idx, explored, strict=True) if e})
    for promotion in promotions or []:
        idx, promoted = _promote(
            engine, loaded, promotion, idx, scores, exclude, user_id, history, rng
        )
        flags.update({int(i): "Promoted item" for i, p in zip(idx, promoted, strict=True) if p})
    probs = ranking.softmax_scores(scores) if loaded.personalised_scores else None
    out = []
    for i in idx:
        entry: dict[str, Any] = {"itemId": str(model.item_ids[i])}
        if probs is not None and reason is None:
            entry["score"] = float(probs[i])
        why = flags.get(int(i)) or reason
        if why:
            entry["reason"] = [why]
        if why == "Promoted item" and promotions:
            entry["promotionName"] = promotions[0].get("name")
        out.append(entry)
    return out


def _explore(
    engine: LocalEngine,
    loaded: LoadedModel,
    idx: np.ndarray,
    scores: np.ndarray,
    exclude: np.ndarray | None,
    config: dict[str, Any] | None,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Blend new, rarely seen items into the list, as itemExplorationConfig asks."""
    settings = {**DEFAULT_EXPLORATION, **((config or {}).get("itemExplorationConfig") or {})}
    weight = float(settings["explorationWeight"])
    if weight <= 0 or len(idx) < 2:
        return idx, np.zeros(len(idx), dtype=bool)
    created, latest = engine.models.creation_times(loaded)
    candidates = ranking.exploration_candidates(
        created,
        np.asarray(loaded.model.popularity, dtype=np.float64),
        latest,
        float(settings["explorationItemAgeCutOff"]),
    )
    if exclude is not None:
        candidates = candidates & ~exclude
    return ranking.explore(idx, scores, candidates, weight, rng)


def _promote(
    engine: LocalEngine,
    loaded: LoadedModel,
    promotion: dict[str, Any],
    idx: np.ndarray,
    scores: np.ndarray,
    exclude: np.ndarray | None,
    user_id: str | None,
    history: History,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Give percentPromotedItems of the slots to items the promotion's filter allows."""
    from services.local.resources import expect_kind

    arn = promotion.get("filterArn")
    if not arn:
        raise InvalidInput("A promotion needs a filterArn that selects the promoted items.")
    expect_kind(arn, "filter", "promotions.1.filterArn")
    with engine.tx() as res:
        doc = res.get(arn, "filter")
    mask = _filter_mask(engine, loaded, doc, promotion.get("filterValues"), user_id, history)
    percent = int(promotion.get("percentPromotedItems") or 0)
    if mask is None or not 1 <= percent <= 100:
        raise InvalidInput("percentPromotedItems must be between 1 and 100.")
    return ranking.promote(idx, scores, mask, percent, exclude, rng)


def _served(
    engine: LocalEngine, params: dict[str, Any]
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
    engine: LocalEngine,
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


def get_recommendations(engine: LocalEngine, params: dict[str, Any]) -> dict[str, Any]:
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


def rank(
    engine: LocalEngine,
    loaded: LoadedModel,
    user_id: str,
    input_list: list[str],
    filter_doc: dict[str, Any] | None = None,
    filter_values: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """GetPersonalizedRanking: known items by score, unknown items last with score 0."""
    model = loaded.model
    history = user_history(engine, loaded.group, user_id)
    scores = model.score_user(user_id, history.item_ids)
    if scores is None:
        scores = np.asarray(model.popularity, dtype=np.float64)
    mask = _filter_mask(engine, loaded, filter_doc, filter_values, user_id, history)
    unique = list(dict.fromkeys(input_list))
    if mask is not None:  # filtered-out items leave the ranking
        unique = [i for i in unique if i not in loaded.index or mask[loaded.index[i]]]
    probs = ranking.softmax_scores(np.asarray(scores, dtype=np.float64))
    ranked = ranking.rank(probs, loaded.index, unique)
    total = sum(p for _, p in ranked) or 1.0  # renormalised over the list
    return [{"itemId": item, "score": p / total} for item, p in ranked]


def get_personalized_ranking(engine: LocalEngine, params: dict[str, Any]) -> dict[str, Any]:
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


def batch_answer(engine: LocalEngine, job: dict[str, Any], query: dict[str, Any]) -> dict[str, Any]:
    """One output line of a batch inference job, in Personalize's JSON Lines format."""
    with engine.tx() as res:
        version = res.get(job["solutionVersionArn"], "solution-version")
        filter_doc = res.find(job["filterArn"]) if job.get("filterArn") else None
    loaded = engine.models.get(version)
    try:
        if "itemList" in query:
            ranked = rank(
                engine, loaded, str(query.get("userId", "")), list(query["itemList"]), filter_doc
            )
            output = {
                "recommendedItems": [r["itemId"] for r in ranked],
                "scores": [r["score"] for r in ranked],
            }
        else:
            items = recommend(
                engine,
                loaded,
                user_id=query.get("userId"),
                item_id=query.get("itemId"),
                num_results=int(job.get("numResults", 25)),
                filter_doc=filter_doc,
                filter_values=query.get("filterValues"),
                campaign_config=job.get("batchInferenceJobConfig"),
            )
            output = {
                "recommendedItems": [i["itemId"] for i in items],
                "scores": [i.get("score") for i in items],
            }
        return {"input": query, "output": output, "error": None}
    except (InvalidInput, ResourceNotFound) as err:
        return {"input": query, "output": None, "error": err.message}


OPERATIONS = {
    "GetRecommendations": get_recommendations,
    "GetPersonalizedRanking": get_personalized_ranking,
}
