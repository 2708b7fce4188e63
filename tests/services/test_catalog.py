"""Which campaigns the Recommendations tools may ask, by recipe type (recipe_capabilities)."""

from __future__ import annotations

from services.workspace.catalog import CampaignInfo, Catalog, CatalogVersion

ARN = "arn:aws:personalize:us-east-1:000000000000"


def campaign(name: str, recipe: str, recipe_type: str, status: str = "ACTIVE") -> CampaignInfo:
    return CampaignInfo(f"{ARN}:campaign/{name}", name, status, None, recipe, recipe_type)


CATALOG = Catalog(
    (
        campaign("up", "aws-user-personalization", "USER_PERSONALIZATION"),
        campaign("pop", "aws-popularity-count", "USER_PERSONALIZATION"),
        campaign("trend", "aws-trending-now", "POPULAR_ITEMS"),
        campaign("rank", "aws-personalized-ranking", "PERSONALIZED_RANKING"),
        campaign("rank-v2", "aws-personalized-ranking-v2", "PERSONALIZED_RANKING"),
        campaign("rank-old", "aws-personalized-ranking", "PERSONALIZED_RANKING", "CREATE FAILED"),
        campaign("sims", "aws-sims", "RELATED_ITEMS"),
        CampaignInfo(
            f"{ARN}:recommender/best", "best", "ACTIVE", None, "x", "USER_PERSONALIZATION"
        ),
    ),
    (),
)


def names(campaigns: list[CampaignInfo]) -> list[str]:
    return [c.name for c in campaigns]


def test_only_ranking_recipes_rank() -> None:
    # GetPersonalizedRanking: "The solution backing the campaign must have been created using
    # a recipe of type PERSONALIZED_RANKING" (API reference); inactive campaigns are left out.
    assert names(CATALOG.rankers()) == ["rank", "rank-v2"]


def test_ranking_campaigns_are_not_asked_for_user_lists() -> None:
    assert names(CATALOG.for_users()) == ["up", "pop", "trend", "best"]
    assert names(CATALOG.for_items()) == ["sims"]


def test_popularity_baseline() -> None:
    assert CATALOG.popularity is not None and CATALOG.popularity.name == "pop"
    only_trend = Catalog((campaign("trend", "aws-trending-now", "POPULAR_ITEMS"),), ())
    assert only_trend.popularity is not None and only_trend.popularity.name == "trend"


def test_previews_only_versions_a_user_batch_can_answer() -> None:
    def version(name: str, recipe: str, recipe_type: str) -> CatalogVersion:
        return CatalogVersion(f"{ARN}:solution/{name}/v1", name, recipe, recipe_type, None, ())

    catalog = Catalog(
        (),
        (
            version("up", "aws-user-personalization", "USER_PERSONALIZATION"),
            version("pop", "aws-popularity-count", "USER_PERSONALIZATION"),
            # "You can't get batch recommendations with the Trending-Now recipe."
            version("trend", "aws-trending-now", "POPULAR_ITEMS"),
            version("rank", "aws-personalized-ranking", "PERSONALIZED_RANKING"),
            version("sims", "aws-sims", "RELATED_ITEMS"),
        ),
    )
    assert [v.solution for v in catalog.previewable()] == ["up", "pop"]
