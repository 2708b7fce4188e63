"""Recommendation lists and rankings from a loaded model: what Personalize does around the scores.

Models only produce score vectors; this module adds the user's latest events (so PutEvents
change results without retraining), filters, exploration, promotions, popularity fallback for
unknown users and items, and top-k selection. ``batch_answer`` is one line of a batch job.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, func, select

from services.local.context import EngineContext
from services.local.data.storage import frames
from services.local.data.storage import tables as t
from services.local.errors import InvalidInput, ResourceNotFound
from services.local.filters.allowed import AllowedItems, allowed_items
from services.local.filters.evaluate import evaluate_actions
from services.local.filters.expression import FilterExpression, FilterExpressionError
from services.local.filters.parse import parse_filter
from services.local.filters.selection import Selection
from services.local.filters.values import parse_filter_values
from services.local.models import ranking
from services.local.models.objective import reweight
from services.local.models.recipes.actions import ActionModel
from services.local.models.recipes.capabilities import (
    ACTION_RECIPES,
    EXPLORING_RECIPES,
    POPULARITY_RECIPES,
    RANKING_INFLUENCE_RECIPES,
)
from services.local.models.recipes.items import SemanticModel
from services.local.models.recipes.retrieval.norm_ordered import NormOrderedIndex
from services.local.runtime.context import apply_context
from services.local.runtime.model_cache import LoadedModel

HISTORY_LIMIT = 500  # latest interactions per user handed to the model
# A model with a candidate index (recipes/retrieval/): items asked of it, and the allowed
# items up to which a filter's items are all scored exactly instead (unless a norm-ordered
# index holds them all: its exact search among them is cheaper, ``_searchable``)
CANDIDATES = 200
SELECTIVE_ITEMS = 20_000


DEFAULT_EXPLORATION = {"explorationWeight": "0.3", "explorationItemAgeCutOff": "30"}
# A promotion's unsaved filter document, for the dashboard's in-process preview
# (services.datasets.local_engine.preview). Never from a request: botocore's Promotion shape
# has no such member, and the wire layer refuses members the model does not name.
PREVIEW_FILTER = "previewFilterDocument"


# A user's newest streamed events (built once: building it costs more than running it)
_STREAMED = (
    select(t.interactions.c.item_id, t.interactions.c.event_type, t.interactions.c.ts)
    .where(t.interactions.c.group_arn == bindparam("group"))
    .where(t.interactions.c.user_id == bindparam("user"))
    .order_by(t.interactions.c.ts.desc(), t.interactions.c.id.desc())
    .limit(HISTORY_LIMIT)
)


@dataclass(frozen=True)
class History:
    """A user's latest interactions, oldest first, as (item, event type, time) rows (what
    filters read)."""

    rows: tuple[tuple[str, str, int], ...] = ()

    @property
    def item_ids(self) -> list[str]:
        """Item IDs, oldest first."""
        return [r[0] for r in self.rows]


def user_history(engine: EngineContext, group: str, user_id: str) -> History:
    """The user's latest interactions (item, event type, time), oldest first: bulk-imported
    rows, then streamed ones (PutEvents), the newest ``HISTORY_LIMIT`` of both."""
    with engine.read_db.connect() as conn:
        bulk = engine.histories.latest(group, user_id, HISTORY_LIMIT, conn)
        rows = conn.execute(_STREAMED, {"group": group, "user": user_id}).all()
    put = [(r[0], r[1], r[2]) for r in reversed(rows)]
    if bulk and put:
        merged = sorted(bulk + put, key=lambda e: e[2])  # stable: streamed rows after bulk
        return History(tuple(merged[-HISTORY_LIMIT:]))
    return History(tuple(bulk or put))


def user_metadata(engine: EngineContext, group: str, user_id: str) -> dict[str, str]:
    """The user's row of the Users dataset, as strings (for `IF CurrentUser.X` filters)."""
    users = engine.models.users(group)
    if not len(users) or user_id not in users.index:
        return {}
    row = users.loc[user_id]
    if isinstance(row, pd.DataFrame):
        row = row.iloc[-1]
    return {
        k: str(v)
        for k, v in row.items()
        if k != "USER_ID" and v is not None and not (isinstance(v, float) and np.isnan(v))
    }


def _filter_allowed(
    engine: EngineContext,
    loaded: LoadedModel,
    filter_doc: dict[str, Any] | None,
    raw_values: dict[str, str] | None,
    user_id: str | None,
    history: History,
) -> AllowedItems | None:
    """What ``filter_doc`` lets through for this request, over the model's item codes (or, for
    a Next-Best-Action model, its ``action_ids``' positions), as an ``AllowedItems``; None
    without a filter. An item filter's Items part comes from the model's cache of answers
    (``ModelCache.filter_selections``: per model, Items version and filterValues, never per
    user), its user's part (Interactions expressions) from ``history`` on every request: the
    set ``evaluate`` answers, without its passes over the catalogue (filters/allowed.py).
    Every request that filters items asks here (GetRecommendations scanning or searching an
    index, its promotions, GetPersonalizedRanking, batch lines); its ``mask()`` may be the
    cache's own, read-only. An action filter is evaluated on each request, as before.

    Raises:
        InvalidInput: filterValues without a filter, or what ``evaluate`` refuses
            (FilterExpressionError, NotImplementedError), naming the filter.
    """
    if filter_doc is None:
        if raw_values:
            raise InvalidInput("filterValues were given without a filterArn.")
        return None
    try:
        expr = parse_filter(filter_doc["filterExpression"])
        values = parse_filter_values(raw_values or {})
        current_user = user_metadata(engine, loaded.group, user_id) if user_id else {}
        if loaded.recipe_name in ACTION_RECIPES and isinstance(loaded.model, ActionModel):
            mask = _action_mask(engine, loaded, loaded.model, expr, values, current_user, user_id)
            return AllowedItems.of(len(mask), Selection(mask))
        columns = engine.models.item_columns(loaded, engine.models.items(loaded.group))
        return allowed_items(
            expr,
            columns=columns,
            selections=engine.models.filter_selections(loaded, columns),
            user_interactions=history.rows,
            current_user=current_user,
            values=values,
            positions=loaded.index,
        )
    except (FilterExpressionError, NotImplementedError) as err:
        raise InvalidInput(f"Filter {filter_doc['name']}: {err}") from err


def _action_mask(
    engine: EngineContext,
    loaded: LoadedModel,
    model: ActionModel,
    expr: FilterExpression,
    values: dict[str, list[str]],
    current_user: dict[str, str],
    user_id: str | None,
) -> np.ndarray:
    """An action filter over the Next-Best-Action ``model``'s ``action_ids``, judged on the
    Actions dataset and the user's action interactions as they are now (bulk and streamed)."""
    events = frames.action_interactions(engine.read_db, engine.bulk, loaded.group)
    return evaluate_actions(
        expr,
        action_ids=model.action_ids,
        actions=frames.records(engine.read_db, engine.bulk, loaded.group, "Actions"),
        user_events=events.loc[events["USER_ID"] == str(user_id or "")],
        current_user=current_user,
        values=values,
    )


def _objective(
    engine: EngineContext, loaded: LoadedModel, scores: np.ndarray | None
) -> np.ndarray | None:
    """A known user's relevance re-weighted by the solution's optimization objective (the
    Items column's current values; services.local.models.objective); unchanged without one."""
    if scores is None or loaded.objective is None:
        return scores
    catalogue = engine.models.items(loaded.group)
    column = loaded.objective.item_attribute
    if column not in catalogue.columns:  # the Items data lost the column: relevance alone
        return scores
    values = pd.to_numeric(
        catalogue.set_index("ITEM_ID")[column].reindex(loaded.model.item_ids), errors="coerce"
    )
    return reweight(scores, values.to_numpy(dtype=np.float64), loaded.objective.weight)


def recommend(
    engine: EngineContext,
    loaded: LoadedModel,
    *,
    user_id: str | None,
    item_id: str | None,
    num_results: int,
    filter_doc: dict[str, Any] | None = None,
    filter_values: dict[str, str] | None = None,
    campaign_config: dict[str, Any] | None = None,
    promotions: list[dict[str, Any]] | None = None,
    exclude_event_type: str | None = None,
    context: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The item list of one GetRecommendations call (or one batch line).

    ``exclude_event_type`` removes the items the user has events of that type for (the
    automatic filter of domain use cases, e.g. purchased items for Recommended for you).
    """
    model = loaded.model
    history = user_history(engine, loaded.group, user_id) if user_id else History()
    exclude: np.ndarray | None = None
    reason = None
    if context and (
        loaded.recipe_type != "USER_PERSONALIZATION" or loaded.recipe_name in POPULARITY_RECIPES
    ):
        raise InvalidInput(
            f"context (contextual metadata) is for personalised recipes; {loaded.recipe_name} "
            "does not use it."
        )
    if loaded.recipe_type == "RELATED_ITEMS":
        if not item_id:
            raise InvalidInput(f"{loaded.recipe_name} recommends for an itemId, not a userId.")
        scores = model.score_item(item_id)
        influence = (campaign_config or {}).get("rankingInfluence")
        if (
            scores is not None
            and influence
            and loaded.recipe_name in RANKING_INFLUENCE_RECIPES
            and isinstance(model, SemanticModel)  # the one recipe there
        ):
            scores = model.influenced(scores, influence)
        if item_id in loaded.index:
            exclude = np.zeros(len(model.item_ids), dtype=bool)
            exclude[loaded.index[item_id]] = True
    else:
        # API reference, GetRecommendations: "USER_PERSONALIZATION - itemId optional, userId
        # required"; Trending-Now (POPULAR_ITEMS) takes a userId "only if you apply a filter
        # that requires it" (developer guide, "Trending-Now recipe").
        if not user_id and loaded.recipe_type != "POPULAR_ITEMS":
            raise InvalidInput(f"{loaded.recipe_name} recommends for a userId, not an itemId.")
        scorer = getattr(model, "scorer", None)
        if scorer is not None and loaded.objective is None and not context and not promotions:
            indexed = _recommend_indexed(
                engine, loaded, scorer(user_id, history.item_ids), user_id, history, num_results,
                (filter_doc, filter_values), campaign_config, exclude_event_type,
            )  # fmt: skip
            if indexed is not None:
                return indexed
        scores = _objective(engine, loaded, model.score_user(user_id, history.item_ids))
    if scores is None:  # unknown user or item: popular items, like Personalize
        scores = np.asarray(model.popularity, dtype=np.float64)
        # a popularity model's list is its answer, not a placeholder for a missing one
        reason = None if loaded.recipe_name in POPULARITY_RECIPES else "Popular item"
    if context:  # a known user's scores or the popular items, either way in context
        scores = apply_context(engine, loaded.group, model.item_ids, scores, context)
    exclude = _exclude_events(loaded, history, exclude_event_type, exclude)
    # "The promotion filter applies only to promoted items, and the request filter applies
    # only to the remaining recommended items" (developer guide, "Promoting items in
    # real-time recommendations", Promotion filters): promoted items are drawn with what is
    # left out whatever the filters (the query item, the use case's own exclusions) only.
    unfiltered = exclude
    allowed = _filter_allowed(engine, loaded, filter_doc, filter_values, user_id, history)
    if allowed is not None:
        left_out = ~allowed.mask()
        exclude = left_out if exclude is None else (exclude | left_out)
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
            engine, loaded, promotion, idx, scores, unfiltered, user_id, history, rng
        )
        flags.update({int(i): "Promoted item" for i, p in zip(idx, promoted, strict=True) if p})
    probs = None
    if loaded.personalised_scores and reason is None:
        probs = ranking.softmax_at(scores, idx)
    return _entries(loaded, idx, probs, flags, reason, promotions)


def _exclude_events(
    loaded: LoadedModel, history: History, event_type: str | None, exclude: np.ndarray | None
) -> np.ndarray | None:
    """``exclude`` (a bool per item, or None) plus the items the user has ``event_type``
    events for (a domain use case's automatic filter)."""
    done = _event_items(loaded, history, event_type)
    if done:
        exclude = np.zeros(len(loaded.model.item_ids), dtype=bool) if exclude is None else exclude
        exclude[done] = True
    return exclude


def _event_items(loaded: LoadedModel, history: History, event_type: str | None) -> list[int]:
    """Positions of the model's items the user has ``event_type`` events for (none without
    an event type): what a domain use case's automatic filter leaves out."""
    if not event_type:
        return []
    return [loaded.index[i] for i, e, _ in history.rows if e == event_type and i in loaded.index]


def _entries(
    loaded: LoadedModel,
    idx: np.ndarray,
    probs: np.ndarray | None,
    flags: dict[int, str],
    reason: str | None,
    promotions: list[dict[str, Any]] | None,
) -> list[dict[str, Any]]:
    """The itemList of a response: ID, score, reason and promotion name per listed item."""
    model = loaded.model
    out = []
    for n, i in enumerate(idx):
        entry: dict[str, Any] = {"itemId": str(model.item_ids[i])}
        if probs is not None:
            entry["score"] = float(probs[n])
        why = flags.get(int(i)) or reason
        if why:
            entry["reason"] = [why]
        if why == "Promoted item" and promotions:
            entry["promotionName"] = promotions[0].get("name")
        out.append(entry)
    return out


def _allowed(
    engine: EngineContext,
    loaded: LoadedModel,
    filtering: tuple[dict[str, Any] | None, dict[str, str] | None],
    user_id: str | None,
    history: History,
    exclude_event_type: str | None,
) -> AllowedItems | None:
    """What ``_filter_allowed`` lets through less the items ``_exclude_events`` leaves out;
    None when nothing is left out.

    Raises:
        InvalidInput: as ``_filter_allowed``.
    """
    filter_doc, raw_values = filtering
    allowed = _filter_allowed(engine, loaded, filter_doc, raw_values, user_id, history)
    done = _event_items(loaded, history, exclude_event_type)
    if done:
        n_items = len(loaded.model.item_ids)
        allowed = (allowed or AllowedItems.of(n_items, None)).without(np.asarray(done))
    return allowed


def _recommend_indexed(
    engine: EngineContext,
    loaded: LoadedModel,
    scorer: Any,  # noqa: ANN401 (a model's CandidateScorer, or None)
    user_id: str | None,
    history: History,
    num_results: int,
    filtering: tuple[dict[str, Any] | None, dict[str, str] | None],
    campaign_config: dict[str, Any] | None,
    exclude_event_type: str | None,
) -> list[dict[str, Any]] | None:
    """``recommend``'s list from a model's candidate index (recipes/retrieval/): the same
    filters, automatic exclusions and exploration, applied exactly to exactly scored items.

    A filter that allows at most ``SELECTIVE_ITEMS`` items has those items scored exactly, all
    of them, unless a ``NormOrderedIndex`` holds every one (``_searchable``); otherwise the
    index is searched among the allowed items only: a
    ``NormOrderedIndex`` among its rows of the filter's Items part (kept with the model:
    ``filters.selection``), for as many more items as the user's own part leaves out, until
    its bound proves the allowed top; a ``FactorIndex`` over more of its partitions the fewer
    items the filter allows (``FactorIndex.search``). When those still hold fewer than
    ``num_results`` allowed items, every allowed item is scored exactly.
    Returns None when the model cannot answer this way (no index, an unknown user, or an
    index that finds too few items without a filter): the caller then scores every item.
    Scores are the catalogue's softmax with an estimated denominator
    (``CandidateScorer.softmax_at``).
    """
    if scorer is None:
        return None
    allowed = _allowed(engine, loaded, filtering, user_id, history, exclude_event_type)
    index = getattr(loaded.model, "retrieval", None)
    if allowed is not None and allowed.count <= SELECTIVE_ITEMS and not _searchable(index, allowed):
        cand = allowed.codes()
        scores = scorer.at(cand)
    else:
        # an exact index's top n is the exact scan's; an approximate one is asked for more
        exact = getattr(index, "exact", False)
        want = num_results if exact else max(CANDIDATES, 4 * num_results)
        if allowed is None:
            cand, scores = scorer.top(want)
        elif isinstance(index, NormOrderedIndex) and allowed.base is not None:
            # the best of the Items part, as many more as the user's part may take out
            rows = allowed.base.rows(index)
            cand, scores = scorer.top(want + len(allowed.removed), rows=rows)
            added = allowed.added[index.holds(allowed.added)]
            if len(added):  # the user's own items the Items part lacks that it holds
                cand = np.union1d(cand, added)
                scores = scorer.at(cand)
        elif isinstance(index, NormOrderedIndex):  # every item but the user's few
            cand, scores = scorer.top(want + len(allowed.removed))
        else:
            cand, scores = scorer.top(want, allowed.mask())
        if allowed is not None:  # the sequential term's items come whether allowed or not
            keep = allowed.contains(cand)
            cand, scores = cand[keep], scores[keep]
        if len(cand) < num_results:
            if allowed is None:
                return None
            # the partitions searched hold too few allowed items: every one of them, exactly
            cand = allowed.codes()
            scores = scorer.at(cand)
    best, _ = ranking.top_k(scores, num_results)
    idx = cand[best]
    flags: dict[int, str] = {}
    weight, cutoff = _exploration(campaign_config)
    if loaded.recipe_name in EXPLORING_RECIPES and weight > 0 and len(idx) >= 2:
        # ``_explore`` with the model's kept pool: the same draws, without a pass over the
        # catalogue for the pool and the mask of what is left out
        pool = engine.models.exploration_pool(loaded, cutoff)
        if allowed is not None:
            pool = pool[allowed.contains(pool)]
        rng = np.random.default_rng(zlib.crc32((user_id or "").encode()))
        idx, explored = ranking.explore(idx, pool, scorer.at(pool), weight, rng)
        flags.update({int(i): "Exploration" for i, e in zip(idx, explored, strict=True) if e})
    probs = None
    if loaded.personalised_scores:
        probs = scorer.softmax_at(idx, scorer.at(idx), ranking.SOFTMAX_TEMPERATURE)
    return _entries(loaded, idx, probs, flags, None, None)


def _searchable(index: object, allowed: AllowedItems) -> bool:
    """Whether a norm-ordered ``index`` holds every item ``allowed`` may let through, so
    that its exact search among them finds what scoring each of them finds: a filter of
    13,900 items of 500,000 then costs the rows the bound needs instead of all 13,900 (3 ms
    of a request on the synthetic shop of bench/items_filter.py). Items it lacks (not
    learned, scored 0) are found only by scoring every allowed item, as before."""
    if not isinstance(index, NormOrderedIndex) or allowed.base is None:
        return False
    held = len(allowed.base.rows(index)) == allowed.base.count
    return held and bool(index.holds(allowed.added).all())


def _exploration(config: dict[str, Any] | None) -> tuple[float, float]:
    """itemExplorationConfig's explorationWeight and explorationItemAgeCutOff (days), with
    Personalize's defaults (0.3, 30)."""
    settings = {**DEFAULT_EXPLORATION, **((config or {}).get("itemExplorationConfig") or {})}
    return float(settings["explorationWeight"]), float(settings["explorationItemAgeCutOff"])


def _explore(
    engine: EngineContext,
    loaded: LoadedModel,
    idx: np.ndarray,
    scores: np.ndarray,
    exclude: np.ndarray | None,
    config: dict[str, Any] | None,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Blend new, rarely seen items into the list, as itemExplorationConfig asks."""
    weight, cutoff = _exploration(config)
    if weight <= 0 or len(idx) < 2:
        return idx, np.zeros(len(idx), dtype=bool)
    candidates = engine.models.exploration_candidates(loaded, cutoff)
    if exclude is not None:
        candidates = candidates & ~exclude
    pool = np.flatnonzero(candidates)
    return ranking.explore(idx, pool, scores[pool], weight, rng)


def _promote(
    engine: EngineContext,
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
    from services.local.data.storage.resources import expect_kind

    doc = promotion.get(PREVIEW_FILTER)
    if doc is None:
        arn = promotion.get("filterArn")
        if not arn:
            raise InvalidInput("A promotion needs a filterArn that selects the promoted items.")
        expect_kind(arn, "filter", "promotions.1.filterArn")
        with engine.reading() as res:  # serving never takes the write lock
            doc = res.get(arn, "filter")
    allowed = _filter_allowed(engine, loaded, doc, promotion.get("filterValues"), user_id, history)
    percent = int(promotion.get("percentPromotedItems") or 0)
    if allowed is None or not 1 <= percent <= 100:
        raise InvalidInput("percentPromotedItems must be between 1 and 100.")
    return ranking.promote(idx, scores, allowed.mask(), percent, exclude, rng)


def rank(
    engine: EngineContext,
    loaded: LoadedModel,
    user_id: str,
    input_list: list[str],
    filter_doc: dict[str, Any] | None = None,
    filter_values: dict[str, str] | None = None,
    context: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """GetPersonalizedRanking: known items by score, unknown items last with score 0."""
    model = loaded.model
    history = user_history(engine, loaded.group, user_id)
    scores = _objective(engine, loaded, model.score_user(user_id, history.item_ids))
    if scores is None:
        scores = np.asarray(model.popularity, dtype=np.float64)
    if context:
        scores = apply_context(engine, loaded.group, model.item_ids, scores, context)
    allowed = _filter_allowed(engine, loaded, filter_doc, filter_values, user_id, history)
    unique = list(dict.fromkeys(input_list))
    if allowed is not None:  # filtered-out items leave the ranking (unknown ones stay)
        known = [i for i in unique if i in loaded.index]
        inside = allowed.contains(np.array([loaded.index[i] for i in known], dtype=np.int64))
        out = {i for i, ok in zip(known, inside, strict=True) if not ok}
        unique = [i for i in unique if i not in out]
    probs = ranking.softmax_scores(np.asarray(scores, dtype=np.float64))
    ranked = ranking.rank(probs, loaded.index, unique)
    total = sum(p for _, p in ranked) or 1.0  # renormalised over the list
    return [{"itemId": item, "score": p / total} for item, p in ranked]


def recommend_actions(
    engine: EngineContext,
    loaded: LoadedModel,
    user_id: str | None,
    num_results: int,
    filter_doc: dict[str, Any] | None = None,
    filter_values: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """GetActionRecommendations' list: the Next-Best-Action model's ranking for the user's
    newest item history (PutEvents included), without expired actions, without actions the
    user took (bulk or PutActionInteractions) less than their REPEAT_FREQUENCY days ago, and
    without those ``filter_doc`` (an ActionID filter) leaves out.

    Raises:
        InvalidInput: a filter that is not an ActionID filter, filterValues it cannot use or
            that come without a filter.
    """
    model: Any = loaded.model
    now = time.time()
    allowed = _filter_allowed(engine, loaded, filter_doc, filter_values, user_id, History())
    history = user_history(engine, loaded.group, user_id) if user_id else History()
    taken = dict(model.taken_by(user_id)) if user_id else {}
    if user_id:
        c = t.action_interactions.c
        with engine.read_db.connect() as conn:
            rows = conn.execute(
                select(c.action_id, func.max(c.ts))
                .where(c.group_arn == loaded.group, c.user_id == user_id, c.event_type == "TAKEN")
                .group_by(c.action_id)
            ).all()
        for action, ts in rows:
            taken[str(action)] = max(float(ts), taken.get(str(action), float("-inf")))
    blocked = model.waiting(taken, now)
    if allowed is not None:
        blocked |= ~allowed.mask()
    ranked = model.ranked(history.item_ids, blocked, now)
    return [{"actionId": a, "score": s} for a, s in ranked[:num_results]]


def batch_answer(
    engine: EngineContext, job: dict[str, Any], query: dict[str, Any]
) -> dict[str, Any]:
    """One output line of a batch inference job, in Personalize's JSON Lines format."""
    with engine.reading() as res:
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
