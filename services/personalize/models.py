"""Typed values the Personalize facade hands to pages, plus small pure helpers for the UI.

Every dataclass is frozen. Resources read from a List* call carry only what the list summary
holds; fields that only Describe* returns are ``None`` there (their docstrings say which).
Times are timezone-aware UTC datetimes, or ``None`` when Personalize did not send one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from services.personalize.statuses import in_flight

# ARN resource types (the part before the first "/") and how a person calls them.
_RESOURCE_LABELS = {
    "schema": "Schema",
    "dataset-group": "Dataset group",
    "dataset": "Dataset",
    "dataset-import-job": "Import job",
    "dataset-export-job": "Export job",
    "event-tracker": "Event tracker",
    "recipe": "Recipe",
    "solution": "Solution",
    "campaign": "Campaign",
    "filter": "Filter",
    "recommender": "Recommender",
    "batch-inference-job": "Batch inference job",
    "batch-segment-job": "Batch segment job",
    "metric-attribution": "Metric attribution",
}


def short_arn(arn: str) -> str:
    """The last path part of an ARN (``…:campaign/shop-recs`` → ``shop-recs``)."""
    return arn.rsplit("/", 1)[-1] if "/" in arn else arn.rsplit(":", 1)[-1]


def names_resource(target: str, arn: str) -> bool:
    """Whether the ARN ``target`` is the resource ``arn`` or one under it: a solution
    version's ARN (``…:solution/shop/5548c91f``) lies under its solution's (``…:solution/shop``)."""
    return target == arn or target.startswith(arn + "/")


def _resource(arn: str) -> tuple[str, str]:
    """An ARN's resource type and path: ``…:solution/shop/5548c91f`` → ("solution",
    "shop/5548c91f"); ("", "") for text that is not an ARN."""
    resource = arn.split(":", 5)[5] if arn.startswith("arn:") and arn.count(":") >= 5 else ""
    kind, _, name = resource.partition("/")
    return kind, name


def version_label(arn: str) -> str:
    """How every page and message names a solution version: its solution's name and its own
    ID, as its ARN holds them (``…:solution/shop-recs/5548c91f`` → ``shop-recs/5548c91f``),
    so one version reads the same on the Overview, Solutions & metrics, Operations and
    Recommendations. Any other ARN reads as ``short_arn`` gives it."""
    kind, name = _resource(arn)
    return name if kind == "solution" and "/" in name else short_arn(arn)


def resource_label(arn: str) -> tuple[str, str]:
    """``(kind, name)`` for messages: ``…:solution/shop/5548c91f`` → ("Solution version", …)."""
    kind, name = _resource(arn)
    if not name:
        return "Resource", arn
    if kind == "solution" and "/" in name:
        solution, _, version = name.partition("/")
        if version == "$LATEST":
            return "Latest version of solution", solution
        return "Solution version", name
    return _RESOURCE_LABELS.get(kind, kind.replace("-", " ").capitalize()), name


def is_terminal(status: str | None) -> bool:
    """Whether a status is final (ACTIVE, CREATE FAILED, CREATE STOPPED…), so polling can stop;
    False for None and "" (not read yet). What still moves is ``statuses.IN_FLIGHT``."""
    return bool(status) and not in_flight(status)


def is_failed(status: str | None) -> bool:
    """Whether a status reports a failure (CREATE FAILED, FAILED…)."""
    return bool(status) and "FAILED" in (status or "")


@dataclass(frozen=True)
class DatasetGroup:
    arn: str
    name: str
    status: str
    domain: str | None = None
    failure_reason: str | None = None
    created: datetime | None = None
    updated: datetime | None = None


class SchemaField(NamedTuple):
    """One Avro field; ``type`` is the non-null Avro type ("string", "long"…)."""

    name: str
    type: str
    nullable: bool
    categorical: bool = False
    textual: bool = False


@dataclass(frozen=True)
class Schema:
    """``fields`` is empty when the schema came from ListSchemas."""

    arn: str
    name: str
    fields: tuple[SchemaField, ...] = ()
    domain: str | None = None
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class Dataset:
    """``schema_arn`` and ``dataset_group_arn`` are ``None`` when read from ListDatasets."""

    arn: str
    name: str
    dataset_type: str  # INTERACTIONS, ITEMS, USERS, ACTIONS, ACTION_INTERACTIONS
    status: str
    schema_arn: str | None = None
    dataset_group_arn: str | None = None
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class ImportJob:
    """``completed`` is the last update time once the job reached a final status."""

    arn: str
    name: str
    status: str
    import_mode: str | None = None  # FULL | INCREMENTAL
    dataset_arn: str | None = None  # Describe only
    location: str | None = None  # Describe only
    failure_reason: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
    completed: datetime | None = None


@dataclass(frozen=True)
class EventTracker:
    """``tracking_id`` and ``dataset_group_arn`` come from Describe only."""

    arn: str
    name: str
    status: str
    tracking_id: str | None = None
    dataset_group_arn: str | None = None
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class SolutionVersion:
    """A training run. From ListSolutionVersions only arn, status, training mode/type, times
    and failure reason are known; name, recipe, training hours… come from Describe."""

    arn: str
    status: str
    training_mode: str | None = None  # FULL | UPDATE | AUTOTRAIN
    training_type: str | None = None  # AUTOMATIC | MANUAL
    training_hours: float | None = None  # billed hours, only after success
    name: str | None = None
    solution_arn: str | None = None
    recipe_arn: str | None = None
    event_type: str | None = None
    failure_reason: str | None = None
    created: datetime | None = None
    updated: datetime | None = None

    @property
    def solution(self) -> str:
        """The solution ARN (from Describe, else derived from the version ARN)."""
        return self.solution_arn or self.arn.rsplit("/", 1)[0]


@dataclass(frozen=True)
class Solution:
    """From ListSolutions only arn, name, status, recipe and times are known."""

    arn: str
    name: str
    status: str
    recipe_arn: str | None = None
    dataset_group_arn: str | None = None
    event_type: str | None = None
    perform_hpo: bool = False
    perform_auto_ml: bool = False
    perform_auto_training: bool | None = None
    auto_ml_best_recipe_arn: str | None = None
    # autoTrainingConfig.schedulingExpression, Describe only; None means every 7 days
    auto_training_schedule: str | None = None
    latest_version: SolutionVersion | None = None  # Describe's latestSolutionVersion summary
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class CampaignConfig:
    item_exploration: Mapping[str, str] = field(default_factory=dict)
    enable_metadata: bool | None = None
    sync_with_latest_version: bool | None = None
    ranking_influence: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CampaignUpdate:
    """Describe's ``latestCampaignUpdate``: the last UpdateCampaign and how it went."""

    status: str
    solution_version_arn: str | None = None
    min_provisioned_tps: int | None = None
    failure_reason: str | None = None
    created: datetime | None = None
    updated: datetime | None = None

    @property
    def in_progress(self) -> bool:
        return not is_terminal(self.status)


@dataclass(frozen=True)
class Campaign:
    """``solution_version_arn`` is the version being served *now*. ``pending_update`` is
    ``latestCampaignUpdate`` as sent (any status; check ``.in_progress``), None before the
    first update. Only arn, name, status, failure reason and times come from ListCampaigns."""

    arn: str
    name: str
    status: str
    solution_version_arn: str | None = None
    min_provisioned_tps: int | None = None
    config: CampaignConfig | None = None
    pending_update: CampaignUpdate | None = None
    failure_reason: str | None = None
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class Filter:
    arn: str
    name: str
    status: str
    dataset_group_arn: str | None = None
    expression: str | None = None  # Describe only
    failure_reason: str | None = None
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class Recipe:
    """``recipe_type`` and ``description`` come from DescribeRecipe only."""

    arn: str
    name: str
    status: str
    recipe_type: str | None = None
    description: str | None = None
    domain: str | None = None
    algorithm_arn: str | None = None  # DescribeRecipe only; None for domain use cases
    feature_transformation_arn: str | None = None  # DescribeRecipe only
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class HyperParameter:
    """One entry of DescribeAlgorithm's ``defaultHyperParameterRanges`` (or, for a parameter
    with a default and no range, of ``defaultHyperParameters`` alone).

    ``kind``: "integer", "continuous", "categorical" or "" (no range given); ``low``/``high``
    for the numeric kinds, ``values`` for categorical ones; ``default`` is the string
    Personalize sends (None when only a range is given)."""

    name: str
    kind: str
    default: str | None = None
    low: float | None = None
    high: float | None = None
    values: tuple[str, ...] = ()
    tunable: bool = False


@dataclass(frozen=True)
class Algorithm:
    """DescribeAlgorithm: the recipe's algorithm and its hyperparameters, in the order
    Personalize lists them (defaults first, then parameters with a range only)."""

    arn: str
    name: str
    hyperparameters: tuple[HyperParameter, ...] = ()


@dataclass(frozen=True)
class FeatureTransformation:
    """DescribeFeatureTransformation: ``defaults`` are its ``defaultParameters`` (no ranges:
    Personalize publishes none for them)."""

    arn: str
    name: str
    defaults: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommender:
    """A Domain dataset group's recommender (one use case, e.g. "Best sellers").

    ``model_metrics`` (Describe only) holds GetSolutionMetrics-style offline metrics;
    ``pending_status`` is ``latestRecommenderUpdate.status`` (None before any update);
    ``config`` is ``recommenderConfig`` in wire names, as described (what UpdateRecommender
    must send again to keep it: the update replaces the config).
    """

    arn: str
    name: str
    status: str
    dataset_group_arn: str | None = None
    recipe_arn: str | None = None
    min_requests_per_second: int | None = None
    enable_metadata: bool | None = None
    model_metrics: Mapping[str, float] = field(default_factory=dict, compare=False)
    pending_status: str | None = None
    failure_reason: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
    config: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def item_exploration(self) -> Mapping[str, str]:
        """``recommenderConfig.itemExplorationConfig`` ({} when none is set)."""
        return dict(self.config.get("itemExplorationConfig") or {})

    @property
    def use_case(self) -> str:
        """The use case's recipe name, e.g. "aws-ecomm-popular-items-by-purchases"."""
        return (self.recipe_arn or "").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class MetricAttribution:
    """A dataset group's metric attribution; ``output_path`` is its S3 destination (None
    when it reports to CloudWatch only)."""

    arn: str
    name: str
    status: str
    dataset_group_arn: str | None = None
    output_path: str | None = None
    failure_reason: str | None = None
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class AttributedMetric:
    """One metric of a metric attribution: ``expression`` is SAMPLECOUNT() or SUM(X.COL)."""

    event_type: str
    name: str
    expression: str

    @property
    def counts_events(self) -> bool:
        """Whether the metric counts events (``SAMPLECOUNT()``: whole numbers); a ``SUM`` is
        in its column's unit (MetricAttribute.expression, Personalize API reference)."""
        return self.expression.replace(" ", "") == "SAMPLECOUNT()"


@dataclass(frozen=True)
class Recommendation:
    item_id: str
    score: float | None = None  # SIMS, Similar-Items and Popularity-Count send none
    reason: str | None = None  # e.g. "Popular item"; several reasons are joined with "; "
    promotion_name: str | None = None
    # the metadataColumns asked for; not part of equality (an item is its ID, score, reason)
    metadata: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class RecommendationList:
    items: tuple[Recommendation, ...]
    recommendation_id: str | None = None

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(rec.item_id for rec in self.items)


@dataclass(frozen=True)
class Event:
    """One interaction for PutEvents."""

    event_type: str
    sent_at: datetime
    item_id: str | None = None
    event_value: float | None = None
    event_id: str | None = None
    recommendation_id: str | None = None
    impression: tuple[str, ...] = ()
    properties: Mapping[str, str | int | float | bool] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchInferenceJob:
    """A batch inference or batch segment job (``mode`` is inference's only). Input/output
    paths, role and config come from Describe only."""

    arn: str
    name: str
    status: str
    solution_version_arn: str | None = None
    input_path: str | None = None
    output_path: str | None = None
    num_results: int | None = None
    filter_arn: str | None = None
    role_arn: str | None = None
    mode: str | None = None
    failure_reason: str | None = None
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class DatasetExportJob:
    """A dataset export job (CSV files written under ``<output_path><name>/``)."""

    arn: str
    name: str
    status: str
    dataset_arn: str | None = None
    ingestion_mode: str | None = None  # BULK | PUT | ALL
    output_path: str | None = None
    failure_reason: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
