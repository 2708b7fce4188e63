"""What can be asked for recommendations in a group: campaigns and recommenders (with their
recipe type) and trained versions that no campaign serves yet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.i18n import _
from services.local.rules.runtime_limits import MAX_METADATA_COLUMNS
from services.personalize.facade import PersonalizeService
from services.personalize.models import short_arn
from services.workspace.overview import DatasetGroupOverview
from services.workspace.recipe_capabilities import (
    POPULARITY_RECIPES,
    batch_lists_for_users,
    gives_similar_items,
    ranks,
    recommends_for_users,
)
from services.workspace.use_cases import USE_CASE_INPUTS, USE_CASE_NEEDS_USER, USE_CASE_TITLES


@dataclass(frozen=True)
class CampaignInfo:
    arn: str
    name: str
    status: str
    version_arn: str | None
    recipe: str  # recipe name, e.g. aws-user-personalization, or a use case's recipe
    recipe_type: str | None  # USER_PERSONALIZATION, RELATED_ITEMS, PERSONALIZED_RANKING…
    # created or updated with enableMetadataWithRecommendations: may return Items columns
    metadata_enabled: bool = False

    @property
    def is_recommender(self) -> bool:
        return ":recommender/" in self.arn

    @property
    def needs_user_for_items(self) -> bool:
        """A recommender whose related items are asked with a userId next to the itemId (its
        use case page lists both as required)."""
        return self.is_recommender and USE_CASE_NEEDS_USER.get(self.recipe, False)

    @property
    def label(self) -> str:
        if self.is_recommender:
            use_case = USE_CASE_TITLES.get(self.recipe)
            return _("{name} (recommender: {use_case})").format(
                name=self.name, use_case=_(use_case) if use_case else self.recipe
            )
        return f"{self.name} ({self.recipe})"


@dataclass(frozen=True)
class CatalogVersion:
    """An ACTIVE version with the campaigns serving it (none: it can only be previewed)."""

    arn: str
    solution: str
    recipe: str
    recipe_type: str | None
    created: datetime | None
    served_by: tuple[str, ...]  # campaign names


@dataclass(frozen=True)
class Catalog:
    campaigns: tuple[CampaignInfo, ...]
    versions: tuple[CatalogVersion, ...]  # ACTIVE versions, newest first
    item_columns: tuple[str, ...] = ()  # the Items schema's fields besides ITEM_ID

    def metadata_columns(self, source: CampaignInfo) -> tuple[str, ...]:
        """The Items columns to ask ``source`` for (GetRecommendations ``metadataColumns``):
        none unless it has metadata enabled; at most ``MAX_METADATA_COLUMNS``."""
        return self.item_columns[:MAX_METADATA_COLUMNS] if source.metadata_enabled else ()

    def _active(self, answers: Callable[[str | None], bool]) -> list[CampaignInfo]:
        return [c for c in self.campaigns if c.status == "ACTIVE" and answers(c.recipe_type)]

    def for_users(self) -> list[CampaignInfo]:
        """ACTIVE campaigns and recommenders that answer GetRecommendations for a userId."""
        return self._active(recommends_for_users)

    def for_items(self) -> list[CampaignInfo]:
        """ACTIVE campaigns and recommenders that answer GetRecommendations for an itemId."""
        return self._active(gives_similar_items)

    def rankers(self) -> list[CampaignInfo]:
        """ACTIVE campaigns that answer GetPersonalizedRanking: only those of a
        PERSONALIZED_RANKING recipe (recommenders never rank)."""
        return [c for c in self._active(ranks) if not c.is_recommender]

    def previewable(self) -> list[CatalogVersion]:
        """ACTIVE versions whose lists for users a batch inference job can preview."""
        return [v for v in self.versions if batch_lists_for_users(v.recipe, v.recipe_type)]

    @property
    def popularity(self) -> CampaignInfo | None:
        """A popularity-count campaign, the baseline every personalised list is compared to."""
        ranked = [
            c for c in self.campaigns if c.status == "ACTIVE" and c.recipe in POPULARITY_RECIPES
        ]
        if ranked:
            return ranked[0]
        return next(iter(self._active(lambda t: t == "POPULAR_ITEMS")), None)


def build_catalog(svc: PersonalizeService, group: DatasetGroupOverview) -> Catalog:
    """Campaigns and ACTIVE versions of a group, each with its recipe and recipe type.

    Built from the workspace snapshot (``overview.build_overview``: its described solutions,
    their versions, described campaigns and recommenders), which every page reads anyway, so
    only what it lacks is asked: DescribeRecipe once per recipe and, when a campaign returns
    item metadata, the Items schema (before, the Recommendations page's first load listed and
    described every solution's campaigns and versions a second time, issue #21).

    Raises:
        ServiceError: a Describe call failed.
    """
    recipe_types: dict[str, str | None] = {}

    def recipe_type(arn: str | None) -> str | None:
        if not arn:
            return None
        if arn not in recipe_types:
            recipe_types[arn] = svc.describe_recipe(arn).recipe_type
        return recipe_types[arn]

    campaigns: list[CampaignInfo] = []
    versions: list[CatalogVersion] = []
    for status in group.solutions:
        solution = status.solution
        recipe = short_arn(solution.recipe_arn) if solution.recipe_arn else "—"
        kind = recipe_type(solution.recipe_arn)
        served: dict[str, list[str]] = {}
        for campaign in (c.campaign for c in group.campaigns if c.solution_arn == solution.arn):
            served.setdefault(campaign.solution_version_arn or "", []).append(campaign.name)
            campaigns.append(
                CampaignInfo(
                    campaign.arn,
                    campaign.name,
                    campaign.status,
                    campaign.solution_version_arn,
                    recipe,
                    kind,
                    bool(campaign.config and campaign.config.enable_metadata),
                )
            )
        for version in status.versions:
            if version.status == "ACTIVE":
                versions.append(
                    CatalogVersion(
                        version.arn,
                        solution.name,
                        recipe,
                        kind,
                        version.created,
                        tuple(served.get(version.arn, [])),
                    )
                )
    for recommender in group.recommenders:
        campaigns.append(
            CampaignInfo(
                recommender.arn,
                recommender.name,
                recommender.status,
                None,
                recommender.use_case,
                "RELATED_ITEMS"
                if USE_CASE_INPUTS.get(recommender.use_case) == "itemId"
                else "USER_PERSONALIZATION",
                bool(recommender.enable_metadata),
            )
        )
    versions.sort(key=lambda v: (bool(v.served_by), -(v.created.timestamp() if v.created else 0)))
    arn = group.group.arn
    columns = item_columns(svc, arn) if any(c.metadata_enabled for c in campaigns) else ()
    return Catalog(tuple(sorted(campaigns, key=lambda c: c.name)), tuple(versions), columns)


def item_columns(svc: PersonalizeService, group_arn: str) -> tuple[str, ...]:
    """The fields of the group's Items schema besides ITEM_ID, in schema order (none when the
    group has no Items dataset).

    Raises:
        ServiceError: a List/Describe call failed.
    """
    items = [d for d in svc.list_datasets(group_arn) if d.dataset_type.upper() == "ITEMS"]
    if not items:
        return ()
    schema_arn = svc.describe_dataset(items[0].arn).schema_arn
    if not schema_arn:
        return ()
    fields = svc.describe_schema(schema_arn).fields
    return tuple(f.name for f in fields if f.name != "ITEM_ID")
