"""Domain dataset groups: the ECOMMERCE and VIDEO_ON_DEMAND use cases (domain recipes).

A *recommender* serves one use case of its dataset group's domain; the use case is named by a
global recipe ARN (``arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you``). Each entry
below says what Personalize documents for it (the event type it learns from, whether
GetRecommendations takes a ``userId`` or an ``itemId``, which interacted items it filters out by
itself) and which real model of the local engine backs it.

Sources: Amazon Personalize developer guide, "ECOMMERCE use cases" and "VIDEO_ON_DEMAND use
cases" (docs.aws.amazon.com/personalize/latest/dg/ECOMMERCE-use-cases.html,
…/VIDEO_ON_DEMAND-use-cases.html). The schema fields a domain requires are checked with the
other schema rules, in ``services.local.data.domain_schemas``.
"""

from __future__ import annotations

from dataclasses import dataclass

ECOMMERCE, VIDEO_ON_DEMAND = "ECOMMERCE", "VIDEO_ON_DEMAND"
DOMAINS = (ECOMMERCE, VIDEO_ON_DEMAND)
RECIPE_PREFIX = "arn:aws:personalize:::recipe/"
# Marks the titles for the pages' message catalogue (Babel extracts N_("…") calls) without
# importing it: the engine never imports upward and speaks English.
N_ = str

# How the engine serves a use case (the local model behind it).
PERSONALISED = "personalised"  # User-Personalization on the use case's events
RELATED = "related"  # item-to-item neighbours (SIMS) on the use case's events
CO_PURCHASE = "co-purchase"  # items bought by the same users, by count
POPULAR = "popular"  # counts of one event type
TRENDING = "trending"  # popularity gain between recent time windows


@dataclass(frozen=True)
class UseCase:
    """One domain use case (a "domain recipe").

    ``input`` is the GetRecommendations argument it is about ("userId" or "itemId");
    ``user_id`` whether it needs a ``userId`` too: "required", or "filter" (only when a filter
    needs the user: ``CurrentUser`` or the user's interactions), as each use case's page lists
    under "GetRecommendations requirements";
    ``event_type`` the events it trains on; ``auto_filter`` the event type whose items
    Personalize removes from a user's recommendations by itself (None: no automatic filter);
    ``backing`` the local recipe that trains its model.
    """

    name: str
    domain: str
    title: str
    description: str
    input: str
    event_type: str
    kind: str
    backing: str
    auto_filter: str | None = None
    user_id: str = "required"

    @property
    def recipe_arn(self) -> str:
        """The global recipe ARN CreateRecommender takes."""
        return RECIPE_PREFIX + self.name

    @property
    def recipe_type(self) -> str:
        """DescribeRecipe's recipeType for this use case."""
        return "RELATED_ITEMS" if self.input == "itemId" else "USER_PERSONALIZATION"


USE_CASES: dict[str, UseCase] = {
    u.name: u
    for u in (
        UseCase(
            "aws-ecomm-recommended-for-you",
            ECOMMERCE,
            N_("Recommended for you"),
            "Personalised recommendations for a user, from their views and purchases.",
            "userId",
            "View",
            PERSONALISED,
            "aws-user-personalization",
            auto_filter="Purchase",
        ),
        UseCase(
            "aws-ecomm-customers-who-viewed-x-also-viewed",
            ECOMMERCE,
            N_("Customers who viewed X also viewed"),
            "Items that customers who viewed an item also viewed.",
            "itemId",
            "View",
            RELATED,
            "aws-sims",
            auto_filter="Purchase",
        ),
        UseCase(
            "aws-ecomm-frequently-bought-together",
            ECOMMERCE,
            N_("Frequently bought together"),
            "Items that customers frequently buy together with an item.",
            "itemId",
            "Purchase",
            CO_PURCHASE,
            "co-purchase",
            user_id="filter",
        ),
        UseCase(
            "aws-ecomm-popular-items-by-purchases",
            ECOMMERCE,
            N_("Best sellers"),
            "Popular items by how many times customers purchased them.",
            "userId",
            "Purchase",
            POPULAR,
            "aws-popularity-count",
        ),
        UseCase(
            "aws-ecomm-popular-items-by-views",
            ECOMMERCE,
            N_("Most viewed"),
            "Popular items by how many times customers viewed them.",
            "userId",
            "View",
            POPULAR,
            "aws-popularity-count",
        ),
        UseCase(
            "aws-vod-top-picks",
            VIDEO_ON_DEMAND,
            N_("Top picks for you"),
            "Personalised video recommendations for a user.",
            "userId",
            "Watch",
            PERSONALISED,
            "aws-user-personalization",
            auto_filter="Watch",
        ),
        UseCase(
            "aws-vod-because-you-watched-x",
            VIDEO_ON_DEMAND,
            N_("Because you watched X"),
            "Videos that other users also watched, for a video.",
            "itemId",
            "Watch",
            RELATED,
            "aws-sims",
            auto_filter="Watch",
        ),
        UseCase(
            "aws-vod-more-like-x",
            VIDEO_ON_DEMAND,
            N_("More like X"),
            "Videos similar to a video.",
            "itemId",
            "Watch",
            RELATED,
            "aws-similar-items",
            auto_filter="Watch",
        ),
        UseCase(
            "aws-vod-most-popular",
            VIDEO_ON_DEMAND,
            N_("Most popular"),
            "Popular videos by how many times users watched them.",
            "userId",
            "Watch",
            POPULAR,
            "aws-popularity-count",
        ),
        UseCase(
            "aws-vod-trending-now",
            VIDEO_ON_DEMAND,
            N_("Trending now"),
            "Videos gaining popularity fastest.",
            "userId",
            "Watch",
            TRENDING,
            "aws-trending-now",
            user_id="filter",
        ),
    )
}


def missing_input(
    case: UseCase, user_id: str | None, item_id: str | None, filter_expression: str | None
) -> str | None:
    """Why a GetRecommendations call does not give what ``case`` requires, or None.

    The use case pages ("ECOMMERCE use cases", "VIDEO_ON_DEMAND use cases", GetRecommendations
    requirements): ``itemId`` is required by the item-to-item use cases (Customers who viewed
    X also viewed, Frequently bought together, Because you watched X, More like X) and "Not
    used" by the others, so it is refused there; ``userId`` is required by all but Frequently
    bought together ("Required only if you filter by CurrentUser") and Trending now
    ("Required only if you filter by CurrentUser or by items a user has interacted with").
    """
    if case.input == "itemId" and not item_id:
        return f"Use case {case.name} ({case.title}) requires an itemId."
    if case.input != "itemId" and item_id:
        return f"Use case {case.name} ({case.title}) does not use an itemId; give a userId."
    if user_id:
        return None
    if case.user_id == "required":
        return f"Use case {case.name} ({case.title}) requires a userId."
    expression = filter_expression or ""
    if "CurrentUser" in expression or (
        case.name.endswith("trending-now") and "Interactions." in expression
    ):
        return f"Use case {case.name} needs a userId for the filter it is given."
    return None


class UseCaseError(ValueError):
    """A recipe ARN that names no use case, or a use case of another domain."""


def use_case_of(recipe_arn: str, domain: str | None) -> UseCase:
    """The use case a CreateRecommender ``recipeArn`` names, checked against the group's domain.

    Raises:
        UseCaseError: no such use case, the group has no domain, or the domains differ.
    """
    name = recipe_arn[len(RECIPE_PREFIX) :] if recipe_arn.startswith(RECIPE_PREFIX) else ""
    case = USE_CASES.get(name)
    if case is None:
        known = ", ".join(u.name for u in USE_CASES.values() if domain in (None, u.domain))
        raise UseCaseError(f"recipeArn '{recipe_arn}' is not a domain use case ({known}).")
    if not domain:
        raise UseCaseError(
            "Recommenders need a Domain dataset group (domain ECOMMERCE or VIDEO_ON_DEMAND); "
            "this dataset group is a Custom one: create a solution and a campaign instead."
        )
    if case.domain != domain:
        raise UseCaseError(
            f"Use case {case.name} belongs to the {case.domain} domain, not {domain}."
        )
    return case


def use_cases(domain: str) -> list[UseCase]:
    """The use cases of one domain, in the table's order."""
    return [u for u in USE_CASES.values() if u.domain == domain]
