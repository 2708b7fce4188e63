"""Rules previewed on the local engine before they exist: the engine's own answer, nothing saved.

The rule playground (``services.evaluation.playground``) asks what a campaign or a recommender
would answer a user with a filter expression that is not a filter yet, a promotion whose filter
is not saved, or other exploration settings than its own. Personalize applies only a saved
filter (GetRecommendations takes a ``filterArn``) and reads exploration from the campaign's
``campaignConfig`` or the recommender's ``recommenderConfig``, so there the question has no
answer without changing the account. The local engine answers it exactly: the same parser,
schema check (CreateFilter's), filter evaluation, promotion placement, exploration and (for a
recommender) its use case's own exclusions (Recommended for you leaves out what the user
bought) as a live GetRecommendations, called in-process with the rules inline. Nothing is
created, nothing changes, and the list is not logged as issued (it reaches no shopper, so
metric attribution must not count it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.config import Settings
from services.errors import ServiceError
from services.evaluation.playground import RankedList

# The message prefix CreateFilter gives an expression it refuses
# (services.local.control.filters.create_filter), so the field shows the same text either way.
INVALID_EXPRESSION = "Invalid filterExpression: "


@dataclass(frozen=True)
class InlineRules:
    """Rules to preview. ``filter_expression``/``promotion_expression``: filter expressions as
    CreateFilter takes them; ``*_values``: GetRecommendations' filterValues (parameter ->
    ready string such as '"a","b"'); ``percent``: percentPromotedItems (1-100);
    ``exploration``: itemExplorationConfig (explorationWeight, explorationItemAgeCutOff as
    strings), None to keep the campaign's."""

    filter_expression: str | None = None
    filter_values: Mapping[str, str] = field(default_factory=dict)
    promotion_expression: str | None = None
    promotion_values: Mapping[str, str] = field(default_factory=dict)
    promotion_name: str = "preview"
    percent: int = 0
    exploration: Mapping[str, str] | None = None


class ExpressionRefused(ServiceError):
    """An expression the engine refuses; ``field`` is "filter" or "promotion", the message the
    engine's own CreateFilter text."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message, code="InvalidInputException")
        self.field = where


def check_expression(settings: Settings, group_arn: str, expression: str, where: str) -> None:
    """Parse ``expression`` and check it against the group's schemas, as CreateFilter does.

    Raises:
        ExpressionRefused: with CreateFilter's message ("Invalid filterExpression: …").
    """
    from services.local.control.datasets import group_schemas
    from services.local.engine import get_engine
    from services.local.filters.expression import FilterExpressionError
    from services.local.filters.parse import parse_filter
    from services.local.filters.schema_check import check_against_schemas

    engine = get_engine(settings)
    try:
        parsed = parse_filter(expression)
        with engine.reading() as res:
            check_against_schemas(parsed, group_schemas(res, group_arn))
    except FilterExpressionError as err:
        raise ExpressionRefused(where, f"{INVALID_EXPRESSION}{err}") from err


def unfilled_parameters(expression: str, values: Mapping[str, Sequence[str]]) -> list[str]:
    """The ``$NAME`` parameters of ``expression`` that ``values`` (NAME -> values, without the
    '$') gives no value, sorted; [] for an expression that does not parse (its check says why).

    Personalize refuses an INCLUDE expression with an unfilled parameter but skips the
    condition of an EXCLUDE expression (developer guide, "Filtering recommendations and user
    segments", placeholder parameters; the engine does the same in
    ``services.local.filters.evaluate``), so a preview would show such a filter changing
    nothing without saying why."""
    from services.local.filters.expression import FilterExpressionError
    from services.local.filters.parse import parse_filter

    try:
        params = parse_filter(expression).params
    except FilterExpressionError:
        return []
    given = {name for name, v in values.items() if v}
    return sorted(name for name in (p.lstrip("$") for p in params) if name not in given)


def _source(arn: str) -> dict[str, str]:
    """GetRecommendations' parameter naming ``arn``: recommenderArn for a recommender's ARN
    (``arn:…:recommender/NAME``), else campaignArn."""
    return {"recommenderArn" if ":recommender/" in arn else "campaignArn": arn}


def preview_lists(
    settings: Settings,
    campaign_arn: str,
    users: Sequence[str],
    num_results: int,
    rules: InlineRules,
) -> dict[str, RankedList]:
    """Each user's list as the campaign or recommender ``campaign_arn`` would answer it with
    ``rules``: item IDs best first, and those the promotion placed (the engine's
    ``promotionName``, as GetRecommendations sends it).

    Raises:
        ExpressionRefused: an expression the engine refuses (checked before any list).
        ServiceError: anything else the engine refuses (InvalidInputException's text), e.g.
            filterValues that do not fit the expression, or a percentage outside 1-100.
    """
    from services.datasets.local_engine.group_data import storage_read
    from services.local.engine import get_engine
    from services.local.errors import EngineError
    from services.local.runtime.handlers import _served, use_case_for
    from services.local.runtime.scoring import PREVIEW_FILTER, recommend

    engine = get_engine(settings)
    try:
        with storage_read():
            campaign, loaded, _none = _served(engine, _source(campaign_arn))
    except EngineError as err:
        raise ServiceError(err.message, code=err.code) from err
    case = use_case_for(campaign)
    for where, expression in (
        ("filter", rules.filter_expression),
        ("promotion", rules.promotion_expression),
    ):
        if expression:
            check_expression(settings, loaded.group, expression, where)
    config: dict[str, Any] = dict(
        campaign.get("campaignConfig") or campaign.get("recommenderConfig") or {}
    )
    if rules.exploration is not None:
        config["itemExplorationConfig"] = dict(rules.exploration)
    filter_doc = (
        {"name": "preview", "filterExpression": rules.filter_expression}
        if rules.filter_expression
        else None
    )
    promotions = None
    if rules.promotion_expression:
        promotions = [
            {
                "name": rules.promotion_name,
                "percentPromotedItems": rules.percent,
                "filterValues": dict(rules.promotion_values) or None,
                PREVIEW_FILTER: {"name": "preview", "filterExpression": rules.promotion_expression},
            }
        ]
    out: dict[str, RankedList] = {}
    try:
        with storage_read():
            for user in users:
                items = recommend(
                    engine,
                    loaded,
                    user_id=user,
                    item_id=None,
                    num_results=num_results,
                    filter_doc=filter_doc,
                    filter_values=dict(rules.filter_values) or None,
                    campaign_config=config,
                    promotions=promotions,
                    exclude_event_type=case.auto_filter if case else None,
                )
                out[user] = RankedList(
                    tuple(e["itemId"] for e in items),
                    frozenset(e["itemId"] for e in items if e.get("promotionName")),
                )
    except EngineError as err:
        raise ServiceError(err.message, code=err.code) from err
    return out


@dataclass(frozen=True)
class ExplorationPool:
    """What exploration can add to a campaign's lists for an age cut-off: ``new`` items
    younger than it (created within the cut-off before ``latest``; an item without
    CREATION_TIMESTAMP counts from its first interaction), ``candidates`` of them rarely
    interacted with, which exploration draws from; ``slots``: the places of a list it fills
    at most; ``latest``: the group's latest interaction time in epoch seconds."""

    new: int
    candidates: int
    slots: int
    latest: float


def exploration_pool(
    settings: Settings, campaign_arn: str, weight: float, cutoff_days: float, num_results: int
) -> ExplorationPool:
    """What exploration at ``weight`` (explorationWeight, 0-1) with explorationItemAgeCutOff
    ``cutoff_days`` could add to the lists of ``num_results`` items of ``campaign_arn`` (a
    campaign or a recommender), as the engine's GetRecommendations finds it.

    Raises:
        ServiceError: the campaign cannot answer (not ACTIVE, deleted, its data unreadable).
    """
    from services.datasets.local_engine.group_data import storage_read
    from services.local.engine import get_engine
    from services.local.errors import EngineError
    from services.local.models.ranking import exploration_slots, new_items
    from services.local.runtime.handlers import _served

    engine = get_engine(settings)
    try:
        with storage_read():
            _campaign, loaded, _none = _served(engine, _source(campaign_arn))
            created, latest = engine.models.creation_times(loaded)
            candidates = engine.models.exploration_candidates(loaded, cutoff_days)
    except EngineError as err:
        raise ServiceError(err.message, code=err.code) from err
    new = new_items(created, latest, cutoff_days)
    slots = exploration_slots(num_results, weight)
    return ExplorationPool(int(new.sum()), int(candidates.sum()), slots, latest)
