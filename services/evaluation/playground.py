"""The rule playground's facts: what a rule did to a list, and what a shop backend must send.

A merchandiser tries a filter, a promotion (a filter plus a share of the list,
GetRecommendations' ``promotions``) and exploration settings on sample users before anything
reaches shoppers. This module compares lists (``diff``, ``list_change``) and writes the
exact GetRecommendations parameters once the filters are saved (``request_parameters``).

How an unsaved rule is previewed (the honest way, and what AWS mode does):

- Personalize applies only a saved filter (GetRecommendations takes ``filterArn``; a
  promotion's filter too) and reads exploration from the campaign (UpdateCampaign's
  ``campaignConfig.itemExplorationConfig``) or the recommender (UpdateRecommender's
  ``recommenderConfig.itemExplorationConfig``, for the Recommended for you and Top picks for
  you use cases). A recommender takes filters and promotions as a campaign does ("With all
  domain use cases and some custom recipes, you can specify a promotion", developer guide,
  "Promoting items in real-time recommendations"), sent with ``recommenderArn``. Creating a
  temporary filter to look would be a real CreateFilter (it counts against the group's 10
  filters, takes minutes to become ACTIVE on AWS, and a viewer may not create anything), so
  the playground never does.
- Local engine: the preview is the engine's own answer with the rules inline
  (``services.datasets.local_engine.preview``): CreateFilter's parser and schema check, then
  GetRecommendations' filtering, promotion placement and exploration, in-process, nothing
  created, nothing logged as issued. A refused expression shows the engine's CreateFilter text
  at its field.
- AWS: an unsaved expression cannot be applied, so the preview offers the group's saved
  filters (their ARNs go to GetRecommendations as they would from the shop); a new expression
  is checked by AWS when it is saved (CreateFilter, operators only, confirmed), and AWS's own
  error text is shown at the field. Exploration is previewed only locally.

Nothing here changes live traffic: saving a filter creates a resource nobody applies until
the shop sends its ARN, and exploration reaches shoppers only through UpdateCampaign (or
UpdateRecommender) after the operator confirms.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.i18n import N_, N_plural, _, formats, ngettext
from services.personalize.facade import PersonalizeService, filter_value
from services.personalize.models import CampaignConfig
from services.workspace.recipe_capabilities import EXPLORING_RECIPES
from services.workspace.use_cases import EXPLORING_USE_CASES

# The placeholder for the user in the parameters a backend sends (one request per shopper).
USER_PLACEHOLDER = "<the shopper's user ID>"


@dataclass(frozen=True)
class RankedList:
    """One user's list as GetRecommendations answers it: ``items`` (item IDs, best first) and
    ``promoted``, those a promotion placed (the items answered with a ``promotionName``)."""

    items: tuple[str, ...]
    promoted: frozenset[str] = frozenset()


# Where Personalize puts promoted items: "promoted items are positioned randomly relative to
# other recommended items, but in sorted order relative to other promoted items" (developer
# guide, "Promoting items in real-time recommendations"). So a promoted item's place is not its
# rank: the category's best item, first without the promotion, can be drawn a lower slot.
PROMOTED_PLACEMENT = N_(
    "Promoted items (marked ★) take the share of the list set for the promotion at random "
    "places among the other items, best promoted item first, as Personalize places them. "
    "Their place is not the model's rank: a promoted item can sit lower than in the list "
    "without the promotion, even one that was first there."
)
# "The promotion filter applies only to promoted items, and the request filter applies only to
# the remaining recommended items" (the same guide, "Promotion filters"): with both rules on, a
# promoted item can be one the request's filter leaves out, as the engine also serves it.
PROMOTED_FILTER_SCOPE = N_(
    "The filter applies to the other items only, not to the promoted ones, as in Personalize: "
    "a promoted item can be one the filter leaves out. To keep such items out of the promotion "
    "too, put the condition in the promotion's filter expression."
)
PROMOTED_MARK = N_("★ promoted")


@dataclass(frozen=True)
class ListDiff:
    """One user's list before and after a rule.

    ``entered``: items in ``after`` but not ``before``; ``left``: the reverse; ``moved``: items
    in both, mapped to (rank before, rank after), ranks from 1, only when they differ.
    """

    user: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    entered: frozenset[str]
    left: frozenset[str]
    moved: Mapping[str, tuple[int, int]]

    def marks(self) -> tuple[list[str], list[str]]:
        """Per row of ``before`` and ``after``: "left", "entered", "up N", "down N" or ""."""

        def moved_mark(item: str) -> str:
            if item not in self.moved:
                return ""
            old, new = self.moved[item]
            return f"up {old - new}" if new < old else f"down {new - old}"

        before = ["left" if i in self.left else moved_mark(i) for i in self.before]
        after = ["entered" if i in self.entered else moved_mark(i) for i in self.after]
        return before, after


def explores(recipe: str | None) -> bool:
    """Whether the recipe's campaigns (User-Personalization) or the use case's recommenders
    (Recommended for you, Top picks for you) take itemExplorationConfig."""
    return recipe in EXPLORING_RECIPES or recipe in EXPLORING_USE_CASES


def is_recommender(source_arn: str) -> bool:
    """Whether ``source_arn`` names a recommender (``arn:…:recommender/NAME``), not a
    campaign."""
    return ":recommender/" in source_arn


def diff(user: str, before: Sequence[str], after: Sequence[str]) -> ListDiff:
    """Compare one user's two lists (item IDs, best first)."""
    rank_before = {item: k for k, item in enumerate(before, 1)}
    rank_after = {item: k for k, item in enumerate(after, 1)}
    moved = {
        item: (rank_before[item], k)
        for item, k in rank_after.items()
        if item in rank_before and rank_before[item] != k
    }
    return ListDiff(
        user=user,
        before=tuple(before),
        after=tuple(after),
        entered=frozenset(rank_after) - frozenset(rank_before),
        left=frozenset(rank_before) - frozenset(rank_after),
        moved=moved,
    )


@dataclass(frozen=True)
class ListChange:
    """What the rules did to the users' lists, summed over users: ``new``, items that entered
    (were not in the list before); ``slots``, the lists' lengths after; ``moved``, items in
    both lists at another rank. Counts of items, not shares."""

    new: int
    slots: int
    moved: int

    @property
    def share_new(self) -> float:
        """``new / slots`` (0 for empty lists): membership, not position.

        A filter that removes the top item moves every other item up one place but makes one
        slot of ten new (10 %); a promotion whose 2 slots of 10 go to one item already in the
        list and one new item makes 10 % new, however many items it moved. Said with the
        moves (``LIST_CHANGE``) so that "10 %" next to "9 moved" is not read as a
        contradiction (trial s11, F4)."""
        return self.new / self.slots if self.slots else 0.0


# One wording for every rule (filter, promotion, exploration): what "changed" counts.
LIST_CHANGE = N_plural(
    "{rule}: {share} of the list is new ({new} of {slots} item); {moved} moved",
    "{rule}: {share} of the list is new ({new} of {slots} items); {moved} moved",
)


def list_change(diffs: Sequence[ListDiff]) -> ListChange:
    """The users' diffs summed (all 0 without any)."""
    return ListChange(
        new=sum(len(d.entered) for d in diffs),
        slots=sum(len(d.after) for d in diffs),
        moved=sum(len(d.moved) for d in diffs),
    )


def filter_unchanged_why(expression: str | None) -> str | None:
    """Why a filter made nothing new in the sampled lists (said beside its 0 %); None without
    a filter.

    An EXCLUDE filter on Interactions reads each user's own events, bulk-imported and streamed
    (PutEvents) alike, as GetRecommendations does: a list of items the user never had such
    events for, e.g. the popular items of a version that does not know them yet, keeps every
    item. Trial s11, F5 found 0 % for every user with "viewed" and "purchased" filters while
    the campaign served such a version: right, but it read like a broken preview."""
    if not expression:
        return None
    if expression.lstrip().startswith("EXCLUDE") and "Interactions." in expression:
        return _(
            "none of the items in these users' lists is one they had those events for (the "
            "filter reads each user's own events, imported and streamed), so every item stays"
        )
    return _("every item in these users' lists passes the filter")


def parse_values(text: str) -> dict[str, list[str]]:
    """Filter parameters typed one per line as ``NAME = value, value``.

    Returns NAME (without a leading '$') -> values. Raises ValueError naming the line that has
    no '=' or no name.
    """
    out: dict[str, list[str]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, sep, values = line.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not name:
            raise ValueError(f"line {n}: write a parameter as NAME = value, value")
        out[name] = [v.strip() for v in values.split(",") if v.strip()]
    return out


# An IN list's opening (NOT IN too): the keyword upper-case, as the engine's parser takes it.
_LIST_START = re.compile(r"\bIN\s*\(")
_PARAM = re.compile(r"\$[A-Za-z0-9_]+")
_BARE = re.compile(r"[^\s,()]+")


def unquoted_value(expression: str) -> str | None:
    """The first member of an IN list of ``expression`` that is neither a double-quoted
    string nor a ``$PARAM`` (``shoes`` of ``Items.CATEGORY IN (shoes)``, ``'sale'``, ``10``),
    as typed; None when every list member is one of the two.

    Personalize's grammar takes only those two in a list (developer guide, "Filter expression
    elements"; CreateFilter answers InvalidInputException otherwise), so this is said before
    any call. Only lists are read: every other fault is left to CreateFilter's own check."""
    i, n = 0, len(expression)
    while i < n:
        if expression[i] == '"':
            end = expression.find('"', i + 1)
            if end < 0:
                return None  # an unterminated string: CreateFilter names it
            i = end + 1
        elif m := _LIST_START.match(expression, i):
            bare, i = _first_bare_member(expression, m.end())
            if bare is not None:
                return bare
        else:
            i += 1
    return None


def _first_bare_member(text: str, i: int) -> tuple[str | None, int]:
    """The first member of the list whose members start at ``i`` that is not quoted and not a
    parameter (None if none), and where reading stopped."""
    n = len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                return None, n
            i = end + 1
        elif m := _PARAM.match(text, i):
            i = m.end()
        elif m := _BARE.match(text, i):
            return m.group(), m.end()
        else:  # ')' or ',' where a value should be: CreateFilter names it
            return None, i + 1
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == ",":
            i += 1
        else:
            break
    return None, i


def expression_problem(expression: str) -> str | None:
    """What is wrong with ``expression`` that can be said before any call, in the reader's
    language (an unquoted list value, named as typed), or None."""
    bare = unquoted_value(expression)
    if bare is None:
        return None
    return _(
        "Values in an IN list must be double-quoted strings or a $parameter: {token} is "
        'neither. Write it as "{value}", or as $NAME with NAME\'s values in the parameters.'
    ).format(token=bare, value=bare.strip("'`“”‘’"))


def filter_values(values: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """GetRecommendations' ``filterValues``: each parameter's values quoted and comma-joined
    (API reference, GetRecommendations: '"value1","value2"' for an IN list)."""
    return {name: filter_value(list(v)) for name, v in values.items()}


def promotion(
    name: str, percent: int, filter_arn: str, values: Mapping[str, str]
) -> dict[str, Any]:
    """One member of GetRecommendations' ``promotions`` (botocore shape ``Promotion``);
    ``values`` as ``filter_values`` writes them.

    Raises ValueError for a percentage outside 1-100 (the shape's range).
    """
    if not 1 <= percent <= 100:
        raise ValueError("percentPromotedItems must be between 1 and 100")
    out: dict[str, Any] = {"name": name, "percentPromotedItems": percent, "filterArn": filter_arn}
    if values:
        out["filterValues"] = dict(values)
    return out


def request_parameters(
    source_arn: str,
    num_results: int,
    *,
    filter_arn: str | None = None,
    values: Mapping[str, str] | None = None,
    promotions: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The GetRecommendations request a shop backend sends for one shopper.

    ``source_arn`` is a campaign's or a recommender's ARN (sent as campaignArn or
    recommenderArn); the user ID is ``USER_PLACEHOLDER``; ``values`` are filterValues as
    ``filter_values`` writes them.
    """
    key = "recommenderArn" if is_recommender(source_arn) else "campaignArn"
    out: dict[str, Any] = {key: source_arn, "userId": USER_PLACEHOLDER, "numResults": num_results}
    if filter_arn:
        out["filterArn"] = filter_arn
        if values:
            out["filterValues"] = dict(values)
    if promotions:
        out["promotions"] = [dict(p) for p in promotions]
    return out


def served_lists(
    service: PersonalizeService,
    source_arn: str,
    users: Sequence[str],
    num_results: int,
    *,
    filter_arn: str | None = None,
    values: Mapping[str, str] | None = None,
    promotions: Sequence[Mapping[str, Any]] = (),
) -> dict[str, RankedList]:
    """Each user's list as GetRecommendations answers it (the live path, with saved filters
    only: what AWS mode previews with); promoted items are those answered with a
    ``promotionName`` (API reference, PredictedItem).

    Raises ServiceError as the facade does (the service's own text).
    """
    out = {}
    for user in users:
        answer = service.get_recommendations(
            source_arn,
            user_id=user,
            num_results=num_results,
            filter_arn=filter_arn,
            filter_values=values if filter_arn else None,
            promotions=promotions,
        )
        out[user] = RankedList(
            tuple(answer.item_ids),
            frozenset(i.item_id for i in answer.items if i.promotion_name or _promoted(i.reason)),
        )
    return out


def _promoted(reason: str | None) -> bool:
    """Whether a ``reason`` (the facade joins several with "; ") says "Promoted item", the
    reason User-Personalization-v2 gives a promoted item (API reference, PredictedItem)."""
    return "Promoted item" in (reason or "").split("; ")


def as_json(params: Mapping[str, Any]) -> str:
    """The parameters as indented JSON text (Hangul kept as written)."""
    return json.dumps(params, indent=2, ensure_ascii=False)


def exploration_config(
    current: Mapping[str, Any] | None, weight: float, age_cut_off_days: float
) -> dict[str, Any]:
    """The ``campaignConfig`` UpdateCampaign (or the ``recommenderConfig`` UpdateRecommender)
    needs to change exploration only.

    The update replaces the config, so every other setting is kept. ``current`` is the
    described config in wire names (``config_as_sent`` of a campaign's, a recommender's
    ``Recommender.config``). Raises ValueError for a
    weight outside 0-1 or a cut-off that is not positive (CreateCampaign's documented ranges).
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError("explorationWeight must be between 0 and 1")
    if age_cut_off_days <= 0:
        raise ValueError("explorationItemAgeCutOff must be more than 0 days")
    config = {k: v for k, v in (current or {}).items() if v not in (None, {}, [])}
    config["itemExplorationConfig"] = exploration_settings(weight, age_cut_off_days)
    return config


def config_as_sent(config: CampaignConfig | None) -> dict[str, Any]:
    """DescribeCampaign's campaignConfig back in UpdateCampaign's wire names (what is set)."""
    if config is None:
        return {}
    out: dict[str, Any] = {}
    if config.item_exploration:
        out["itemExplorationConfig"] = dict(config.item_exploration)
    if config.enable_metadata is not None:
        out["enableMetadataWithRecommendations"] = config.enable_metadata
    if config.sync_with_latest_version is not None:
        out["syncWithLatestSolutionVersion"] = config.sync_with_latest_version
    if config.ranking_influence:
        out["rankingInfluence"] = dict(config.ranking_influence)
    return out


# itemExplorationConfig when a campaign sets none: explorationWeight 0.3 and
# explorationItemAgeCutOff 30 days (API reference, CampaignConfig.itemExplorationConfig;
# the local engine applies the same, services.local.runtime.scoring.DEFAULT_EXPLORATION).
EXPLORATION_DEFAULTS = {"explorationWeight": "0.3", "explorationItemAgeCutOff": "30"}


def current_exploration(item_exploration: Mapping[str, str] | None) -> tuple[float, float]:
    """The exploration a campaign or recommender serves with: (weight 0-1, age cut-off in
    days), its ``itemExplorationConfig`` over Personalize's defaults (the same for both:
    API reference CampaignConfig and RecommenderConfig, and "Configuring exploration for a
    domain recommender": weight 0.3 by default)."""
    settings = {**EXPLORATION_DEFAULTS, **dict(item_exploration or {})}
    return float(settings["explorationWeight"]), float(settings["explorationItemAgeCutOff"])


def served_exploration(service: PersonalizeService, source_arn: str) -> tuple[float, float]:
    """``current_exploration`` of a campaign (DescribeCampaign) or a recommender
    (DescribeRecommender). Raises ServiceError as the facade does."""
    if is_recommender(source_arn):
        return current_exploration(service.describe_recommender(source_arn).item_exploration)
    config = service.describe_campaign(source_arn).config
    return current_exploration(config.item_exploration if config else None)


def apply_exploration(
    service: PersonalizeService, source_arn: str, weight: float, age_cut_off_days: float
) -> str:
    """Change the exploration a campaign or recommender serves with, every other setting
    kept: UpdateCampaign with the ``campaignConfig`` of ``exploration_config``, or, for a
    recommender, UpdateRecommender with its described ``recommenderConfig`` merged the same
    way (API reference UpdateRecommender: "The recommender uses the previous configuration
    until the update completes"; its ``trainingDataConfig`` is sent again, since other
    columns would start a full retraining). Returns the ARN.

    Raises ValueError for settings outside the documented ranges (``exploration_config``);
    ServiceError as the facade does (e.g. the service's InvalidInputException for a use
    case without exploration, ResourceInUseException while an update is in progress).
    """
    if is_recommender(source_arn):
        current = service.describe_recommender(source_arn).config
        return service.update_recommender_config(
            source_arn, exploration_config(current, weight, age_cut_off_days)
        )
    sent = config_as_sent(service.describe_campaign(source_arn).config)
    return service.update_campaign_config(
        source_arn, exploration_config(sent, weight, age_cut_off_days)
    )


def exploration_unchanged_why(
    weight: float, cutoff_days: float, new: int, candidates: int, slots: int, latest: float
) -> str:
    """Why exploration at ``weight`` with the age cut-off ``cutoff_days`` added no item to
    the previewed lists, in the reader's language: the weight turns it off, the list has no
    place for it (``slots`` 0), no item is younger than the cut-off (``new`` 0; ``latest``:
    the latest interaction time, epoch seconds, the age counts back from), or every new,
    rarely seen item (``candidates``) is already in the lists."""
    if weight <= 0:
        return _("weight 0 turns exploration off: the list is the model's ranking as it is")
    if slots <= 0:
        return _(
            "at weight {weight} the list has no place for exploration (it fills a third of "
            "the weight's share of the list, rounded: raise the weight or the number of items)"
        ).format(weight=f"{weight:g}")
    if new <= 0:
        return _(
            "no item is younger than the cut-off ({age} before the latest interaction, "
            "{when} UTC), so there is nothing new to explore; an item without "
            "CREATION_TIMESTAMP counts from its first interaction"
        ).format(
            age=_("{n} d").format(n=f"{cutoff_days:g}"),
            when=formats.date_time(datetime.fromtimestamp(latest, UTC)),
        )
    return ngettext(
        "the {count} new, rarely seen item exploration could add is already in these lists",
        "the {count} new, rarely seen items exploration could add are already in these lists",
        candidates,
    ).format(count=formats.count(candidates))


def exploration_settings(weight: float, age_cut_off_days: float) -> dict[str, str]:
    """itemExplorationConfig as Personalize takes it: strings."""
    return {
        "explorationWeight": f"{weight:g}",
        "explorationItemAgeCutOff": f"{age_cut_off_days:g}",
    }
