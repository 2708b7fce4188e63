"""What each recipe can do, in one place: training modes and how its campaigns are asked.

Sources: CreateSolutionVersion's trainingMode (UPDATE is for User-Personalization, incl. v2;
PERSONALIZE.md section 2) and each recipe type's runtime call in the Personalize API reference
(USER_PERSONALIZATION and POPULAR_ITEMS: GetRecommendations with userId; RELATED_ITEMS:
GetRecommendations with itemId; PERSONALIZED_RANKING: only GetPersonalizedRanking, whose page
says "The solution backing the campaign must have been created using a recipe of type
PERSONALIZED_RANKING", while GetRecommendations' says such campaigns "use the
GetPersonalizedRanking API"). A campaign's recipe type comes from DescribeRecipe; the name sets
below are for code that only holds a recipe ARN.
"""

from __future__ import annotations

from services.personalize.models import short_arn

UPDATE_RECIPES = frozenset({"aws-user-personalization", "aws-user-personalization-v2"})
# itemExplorationConfig (explorationWeight, explorationItemAgeCutOff) is User-Personalization's
# (CreateCampaign's campaignConfig; the recipe page's "exploration"); the engine refuses it
# elsewhere (services.local.models.recipes.capabilities keeps the engine's side).
EXPLORING_RECIPES = frozenset({"aws-user-personalization", "aws-user-personalization-v2"})
# Popularity-count (and the popular-items use cases of recommenders) have recipe type
# USER_PERSONALIZATION, so they are recognised by name; they are the baseline every
# personalised list and metric is compared with.
POPULARITY_RECIPES = frozenset(
    {
        "aws-popularity-count",
        "aws-ecomm-popular-items-by-purchases",
        "aws-ecomm-popular-items-by-views",
        "aws-vod-most-popular",
    }
)
# Recipes whose lists are meant to differ per user (popularity gives everyone the same list).
PERSONAL_RECIPES = frozenset({"aws-user-personalization", "aws-user-personalization-v2"})
# "You can't get batch recommendations with the Trending-Now recipe" (developer guide);
# Next-Best-Action answers GetActionRecommendations, not item lists.
NO_BATCH_RECIPES = frozenset({"aws-trending-now", "aws-next-best-action"})
# USER_SEGMENTATION recipes give user segments with batch segment jobs only: no campaign.
SEGMENT_RECIPES = frozenset({"aws-item-affinity", "aws-item-attribute-affinity"})
# Recipe types whose campaigns answer GetRecommendations for a userId.
USER_TYPES = ("USER_PERSONALIZATION", "POPULAR_ITEMS")
RANKING_TYPE = "PERSONALIZED_RANKING"
RELATED_ITEMS_TYPE = "RELATED_ITEMS"

USER_REQUEST, ITEM_REQUEST, RANKING_REQUEST = "user", "item", "ranking"
# GetActionRecommendations (PERSONALIZED_ACTIONS); batch segment jobs (USER_SEGMENTATION)
ACTION_REQUEST, SEGMENT_REQUEST = "action", "segment"
_REQUEST_BY_TYPE = {
    "USER_PERSONALIZATION": USER_REQUEST,
    "POPULAR_ITEMS": USER_REQUEST,
    "RELATED_ITEMS": ITEM_REQUEST,
    "PERSONALIZED_RANKING": RANKING_REQUEST,
    "PERSONALIZED_ACTIONS": ACTION_REQUEST,
    "USER_SEGMENTATION": SEGMENT_REQUEST,
}


# The datasets each custom recipe needs (required) and can also learn from (optional), from
# each recipe page's "Required and optional datasets" (developer guide): every item recipe
# needs an Item interactions dataset; Similar-Items also learns from Items (recommended,
# not required) and ignores Users; SIMS and Popularity-Count read interactions only;
# Semantic-Similarity needs Items with a textual field; Next-Best-Action needs Actions and an
# Action interactions dataset (which may be empty) next to the item interactions it learns
# users' interests from; Item-Attribute-Affinity segments users by Items attributes. The
# local engine refuses training without them alike (tests/services/test_recipe_rules_agree.py).
INTERACTIONS, ITEMS, USERS = "INTERACTIONS", "ITEMS", "USERS"
ACTIONS, ACTION_INTERACTIONS = "ACTIONS", "ACTION_INTERACTIONS"
_BOTH_METADATA = frozenset({ITEMS, USERS})
RECIPE_DATASETS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "aws-user-personalization": (frozenset({INTERACTIONS}), _BOTH_METADATA),
    "aws-user-personalization-v2": (frozenset({INTERACTIONS}), _BOTH_METADATA),
    "aws-personalized-ranking": (frozenset({INTERACTIONS}), _BOTH_METADATA),
    "aws-personalized-ranking-v2": (frozenset({INTERACTIONS}), _BOTH_METADATA),
    "aws-popularity-count": (frozenset({INTERACTIONS}), frozenset()),
    "aws-trending-now": (frozenset({INTERACTIONS}), frozenset()),
    "aws-sims": (frozenset({INTERACTIONS}), frozenset()),
    "aws-similar-items": (frozenset({INTERACTIONS}), frozenset({ITEMS})),
    "aws-semantic-similarity": (frozenset({ITEMS}), frozenset({INTERACTIONS})),
    "aws-next-best-action": (
        frozenset({INTERACTIONS, ACTIONS, ACTION_INTERACTIONS}),
        _BOTH_METADATA,
    ),
    "aws-item-affinity": (frozenset({INTERACTIONS}), _BOTH_METADATA),
    "aws-item-attribute-affinity": (frozenset({INTERACTIONS, ITEMS}), frozenset({USERS})),
}


# Which versions' offline metrics rank against each other (the "best" marks of Solutions &
# metrics): those whose recipes answer the same request. The developer guide lets "results
# from models trained with different recipes on the same data" be compared ("Evaluating a
# solution version with metrics"), but a better NDCG only picks a version that can take the
# other's place: a PERSONALIZED_RANKING version answers GetPersonalizedRanking for a list the
# shop gives, a RELATED_ITEMS one GetRecommendations for an itemId, a USER_SEGMENTATION one
# batch segment jobs (its test split is each user's newest 20 %, not 10 % of users, same
# page), never a user's GetRecommendations (each recipe type's runtime call, module
# docstring). Popularity-Count and Trending-Now answer a user's GetRecommendations: they are
# the baseline of the user-recommending group (trial s11, F10: a ranking version was marked
# "best" next to User-Personalization versions).
_METRICS_GROUP = {
    "aws-user-personalization": USER_REQUEST,
    "aws-user-personalization-v2": USER_REQUEST,
    "aws-popularity-count": USER_REQUEST,
    "aws-trending-now": USER_REQUEST,
    "aws-personalized-ranking": RANKING_REQUEST,
    "aws-personalized-ranking-v2": RANKING_REQUEST,
    "aws-sims": ITEM_REQUEST,
    "aws-similar-items": ITEM_REQUEST,
    "aws-semantic-similarity": ITEM_REQUEST,
    "aws-next-best-action": ACTION_REQUEST,
    "aws-item-affinity": SEGMENT_REQUEST,
    "aws-item-attribute-affinity": SEGMENT_REQUEST,
}


def metrics_group(recipe: str | None) -> str:
    """The group of recipes (name or ARN) whose versions' metrics compare: "user", "ranking",
    "item", "action" or "segment" (``request_kind``'s words); any other recipe (AutoML, a
    recipe not listed) is a group of its own, its name."""
    name = short_arn(recipe or "")
    return _METRICS_GROUP.get(name, name)


def datasets_for(recipe: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """(required, optional) dataset types of a recipe (name or ARN), upper case as
    DescribeDataset's ``datasetType``; a recipe not in the table needs Interactions only,
    as every recipe but the three above does."""
    return RECIPE_DATASETS.get(short_arn(recipe or ""), (frozenset({INTERACTIONS}), frozenset()))


def supports_update(recipe_arn: str | None) -> bool:
    """Whether a solution of this recipe accepts trainingMode UPDATE."""
    return bool(recipe_arn) and short_arn(recipe_arn or "") in UPDATE_RECIPES


def ranks(recipe_type: str | None) -> bool:
    """Whether a campaign of this recipe type answers GetPersonalizedRanking (and only that)."""
    return recipe_type == RANKING_TYPE


def recommends_for_users(recipe_type: str | None) -> bool:
    """Whether a campaign of this recipe type answers GetRecommendations for a userId."""
    return recipe_type in USER_TYPES


def gives_similar_items(recipe_type: str | None) -> bool:
    """Whether a campaign of this recipe type answers GetRecommendations for an itemId."""
    return recipe_type == RELATED_ITEMS_TYPE


def batch_lists_for_users(recipe: str | None, recipe_type: str | None) -> bool:
    """Whether a batch inference job with ``{"userId": …}`` lines gives lists from a version
    of this recipe (name or ARN): the user-recommending types, except Trending-Now, which has
    no batch. RELATED_ITEMS batches take itemId lines, PERSONALIZED_RANKING ones an itemList."""
    return recommends_for_users(recipe_type) and short_arn(recipe or "") not in NO_BATCH_RECIPES


def personal_lists(recipe: str | None) -> bool:
    """Whether this recipe (name or ARN) gives each user their own list, so identical lists
    across users are a finding (User-Personalization v1/v2)."""
    return short_arn(recipe or "") in PERSONAL_RECIPES


def same_list_by_design(recipe: str | None, recipe_type: str | None = None) -> bool:
    """Whether every user gets the same list from this recipe by design, so identical lists
    are no finding: popularity-count, and POPULAR_ITEMS recipes (Trending-Now), rank items
    for everyone alike. ``recipe``: name or ARN."""
    return short_arn(recipe or "") in POPULARITY_RECIPES or recipe_type == "POPULAR_ITEMS"


def request_kind(recipe_type: str | None) -> str:
    """How a campaign of this recipe type is asked: "user", "item", "ranking", "action"
    (GetActionRecommendations) or "segment" (batch segment jobs only)."""
    return _REQUEST_BY_TYPE.get(recipe_type or "", USER_REQUEST)
