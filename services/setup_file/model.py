"""The setup file's shape (version 1), parsed from TOML and checked with pydantic.

Every resource names what it belongs to by name, never by ARN, so one file applies to the
local engine, a test account and production. Field limits follow the CreateX request shapes
of the Personalize API reference (botocore ``personalize`` service model): names 1–63
characters matching ``^[a-zA-Z0-9][a-zA-Z0-9\\-_]*``, ``minProvisionedTPS`` ≥ 1, filter
expressions up to 2,500 characters, ``itemExplorationConfig.explorationWeight`` 0–1.

``services.setup_file.reading`` raises :class:`SetupFileError` with one message per problem,
each naming its path (``solutions[2].hyperparameters.hidden_dimension: ...``); the structure
is declared here, names and references checked in ``services.setup_file.references``,
hyperparameter ranges (which need DescribeAlgorithm) in ``services.setup_file.ranges``.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from services.workspace import resource_names

VERSION = 1
NAME_PATTERN = f"^{resource_names.NAME_PATTERN}$"
Name = Annotated[
    str,
    StringConstraints(pattern=NAME_PATTERN, min_length=1, max_length=resource_names.NAME_MAX),
]
DatasetType = Literal["Interactions", "Items", "Users", "Actions", "Action_Interactions"]
Domain = Literal["ECOMMERCE", "VIDEO_ON_DEMAND"]
# Hyperparameters are a string map on the wire; the file may write numbers and booleans.
ParamValue = str | int | float | bool


MAX_TAGS = 50
TAG_PUNCTUATION = frozenset("_.:/=+-@")


def _tag_text_problem(text: str) -> str | None:
    """Why ``text`` breaks botocore's TagKey/TagValue pattern (letters ``\\p{L}``, separators
    ``\\p{Z}``, numbers ``\\p{N}`` and ``_ . : / = + - @``), or None."""
    for char in text:
        if unicodedata.category(char)[0] not in "LZN" and char not in TAG_PUNCTUATION:
            return f"{char!r} is not allowed (letters, numbers, spaces and _ . : / = + - @)"
    return None


def _check_tags(tags: dict[str, str]) -> dict[str, str]:
    """botocore's Tag shapes: at most 50 tags (Tags), a key of 1–128 characters, a value of
    at most 256, both from TagKey's pattern; keys and values beginning with ``aws:`` are
    AWS's own (developer guide, "Tagging Amazon Personalize resources"). Raises ValueError
    naming the tag."""
    if len(tags) > MAX_TAGS:
        raise ValueError(f"{len(tags)} tags; a resource can carry at most {MAX_TAGS}")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128:
            raise ValueError(f"tag key '{key}': a key is 1–128 characters")
        if len(value) > 256:
            raise ValueError(f"tag '{key}': a value is at most 256 characters")
        for what, text in (("key", key), ("value", value)):
            if text.lower().startswith("aws:"):
                raise ValueError(f"tag '{key}': a {what} beginning with 'aws:' is reserved for AWS")
            problem = _tag_text_problem(text)
            if problem:
                raise ValueError(f"tag '{key}': in its {what}, {problem}")
    return tags


# ``tags`` of a resource (TagResource/UntagResource keep them as the file says); left out,
# the resource's tags are not managed by the file.
Tags = Annotated[dict[str, str], AfterValidator(_check_tags)]


class SetupFileError(Exception):
    """A setup file that cannot be used; ``problems`` holds one message per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SchemaSpec(_Spec):
    """CreateSchema: an Avro schema, inline (``definition``, JSON text) or by ``file`` (a path
    relative to the setup file), optionally for a domain."""

    name: Name
    domain: Domain | None = None
    definition: str | None = None
    file: str | None = None


class DatasetGroupSpec(_Spec):
    """CreateDatasetGroup."""

    name: Name
    domain: Domain | None = None
    tags: Tags | None = None


class DatasetSpec(_Spec):
    """CreateDataset; ``import_from`` (an ``s3://`` location) is imported with
    CreateDatasetImportJob (FULL) when the dataset has no successful import yet."""

    name: Name
    dataset_group: Name
    type: DatasetType
    schema_: Name = Field(alias="schema")
    import_from: Annotated[str, StringConstraints(pattern=r"^s3://.+")] | None = None
    tags: Tags | None = None


class EventTrackerSpec(_Spec):
    """CreateEventTracker (one per dataset group)."""

    name: Name
    dataset_group: Name
    tags: Tags | None = None


class FilterSpec(_Spec):
    """CreateFilter."""

    name: Name
    dataset_group: Name
    expression: Annotated[str, StringConstraints(min_length=1, max_length=2500)]
    tags: Tags | None = None


class ObjectiveSpec(_Spec):
    """``solutionConfig.optimizationObjective`` (User-Personalization, Personalized-Ranking):
    ``item_attribute`` a numerical column of the group's Items dataset (itemAttribute, 1–150
    characters), ``sensitivity`` objectiveSensitivity (LOW, MEDIUM, HIGH, OFF; Personalize's
    own default when unset). botocore shape OptimizationObjective."""

    item_attribute: Annotated[str, StringConstraints(min_length=1, max_length=150)]
    sensitivity: Literal["LOW", "MEDIUM", "HIGH", "OFF"] | None = None


class EventParameterSpec(_Spec):
    """One of ``solutionConfig.eventsConfig.eventParametersList`` (User-Personalization-v2,
    Personalized-Ranking-v2): ``event_type`` (eventType, 1–256 characters), ``weight``
    (0–1) and ``value_threshold`` (eventValueThreshold). botocore shape EventParameters."""

    event_type: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    weight: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    value_threshold: float | None = None


class IntegerRangeSpec(_Spec):
    """One of ``hpoConfig.algorithmHyperParameterRanges.integerHyperParameterRanges``: the
    integers ``min``–``max`` for hyperparameter ``name`` (botocore IntegerHyperParameterRange:
    minValue ≥ -1,000,000, maxValue ≤ 1,000,000)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    min: Annotated[int, Field(ge=-1_000_000)]
    max: Annotated[int, Field(le=1_000_000)]


class ContinuousRangeSpec(_Spec):
    """One of ``continuousHyperParameterRanges`` (botocore ContinuousHyperParameterRange:
    minValue and maxValue ≥ -1,000,000)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    min: Annotated[float, Field(ge=-1_000_000, allow_inf_nan=False)]
    max: Annotated[float, Field(ge=-1_000_000, allow_inf_nan=False)]


class CategoricalRangeSpec(_Spec):
    """One of ``categoricalHyperParameterRanges``: the values to try (botocore
    CategoricalHyperParameterRange: at most 100 values of at most 1,000 characters)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    values: Annotated[
        list[Annotated[str, StringConstraints(max_length=1000)] | bool | int | float],
        Field(min_length=1, max_length=100),
    ]


class HpoSpec(_Spec):
    """``solutionConfig.hpoConfig`` (botocore HPOConfig), with ``perform_hpo = true`` only.

    ``max_training_jobs``/``max_parallel_jobs`` are ``hpoResourceConfig``'s
    ``maxNumberOfTrainingJobs`` (1–40) and ``maxParallelTrainingJobs`` (1–10, at most the
    former); the three range lists are ``algorithmHyperParameterRanges`` (at most 100 each),
    each checked against DescribeAlgorithm's tunable ranges. ``objective`` (HPOObjective) is
    refused: "Amazon Personalize doesn't support configuring the hpoObjective at this time"
    (API reference, HPOObjective)."""

    objective: dict[str, str] | None = None
    max_training_jobs: Annotated[int, Field(ge=1, le=40)] | None = None
    max_parallel_jobs: Annotated[int, Field(ge=1, le=10)] | None = None
    integer_ranges: Annotated[list[IntegerRangeSpec], Field(max_length=100)] = Field(
        default_factory=list
    )
    continuous_ranges: Annotated[list[ContinuousRangeSpec], Field(max_length=100)] = Field(
        default_factory=list
    )
    categorical_ranges: Annotated[list[CategoricalRangeSpec], Field(max_length=100)] = Field(
        default_factory=list
    )


class SolutionSpec(_Spec):
    """CreateSolution with a recipe by name (``aws-user-personalization``).

    ``auto_training`` is ``performAutoTraining`` (Personalize's default: true) with
    ``auto_training_schedule`` its ``rate(N days)``; ``hyperparameters`` are
    ``solutionConfig.algorithmHyperParameters``, checked against DescribeAlgorithm's ranges;
    ``featurization`` is ``featureTransformationParameters``; ``optimization_objective`` is
    ``optimizationObjective`` and ``events`` is ``eventsConfig.eventParametersList`` (at most
    10); ``hpo`` is ``hpoConfig`` (:class:`HpoSpec`). No Update* changes these: a change
    replaces the solution."""

    name: Name
    dataset_group: Name
    recipe: Name
    event_type: str | None = None
    perform_hpo: bool = False
    auto_training: bool = True
    auto_training_schedule: (
        Annotated[str, StringConstraints(pattern=r"^rate\(\d+ days?\)$")] | None
    ) = None
    hyperparameters: dict[str, ParamValue] = Field(default_factory=dict)
    featurization: dict[str, ParamValue] = Field(default_factory=dict)
    optimization_objective: ObjectiveSpec | None = None
    events: Annotated[list[EventParameterSpec], Field(max_length=10)] = Field(default_factory=list)
    hpo: HpoSpec | None = None
    tags: Tags | None = None


class CampaignSpec(_Spec):
    """CreateCampaign on the newest ACTIVE version of ``solution`` (trained first when it has
    none); ``min_tps``, ``exploration_weight`` (0–1), ``exploration_item_age_cut_off`` (days)
    ``enable_metadata`` and ``sync_with_latest`` are what UpdateCampaign can change.
    ``sync_with_latest`` is ``campaignConfig.syncWithLatestSolutionVersion``: the campaign is
    created (or updated) on ``<solutionArn>/$LATEST`` and moves to each new version that
    automatic training makes (CampaignConfig, API reference)."""

    name: Name
    solution: Name
    min_tps: Annotated[int, Field(ge=1)] = 1
    exploration_weight: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    exploration_item_age_cut_off: Annotated[float, Field(gt=0.0)] | None = None
    enable_metadata: bool = False
    sync_with_latest: bool = False
    tags: Tags | None = None


class RecommenderSpec(_Spec):
    """CreateRecommender of a domain use case (``aws-ecomm-popular-items-by-purchases``);
    ``min_rps`` is ``recommenderConfig.minRecommendationRequestsPerSecond``; left out it is
    Personalize's default, 1 (CreateRecommender: RecommenderConfig), so a file that omits it
    plans no change against a recommender created without it."""

    name: Name
    dataset_group: Name
    use_case: Name
    min_rps: Annotated[int, Field(ge=1)] = 1
    tags: Tags | None = None


class AttributedMetricSpec(_Spec):
    """One MetricAttribute: what to count for an event type."""

    event_type: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    expression: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class MetricAttributionSpec(_Spec):
    """CreateMetricAttribution (one per dataset group): its metrics, the role and the
    ``s3://`` path Personalize writes them to."""

    name: Name
    dataset_group: Name
    role_arn: Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+")]
    output_path: Annotated[str, StringConstraints(pattern=r"^s3://.+")]
    metrics: list[AttributedMetricSpec] = Field(min_length=1, max_length=10)


class SetupFile(_Spec):
    """The whole file. Lists keep the file's order (the plan's order within a kind)."""

    version: Literal[1]
    schemas: list[SchemaSpec] = Field(default_factory=list)
    dataset_groups: list[DatasetGroupSpec] = Field(default_factory=list)
    datasets: list[DatasetSpec] = Field(default_factory=list)
    event_trackers: list[EventTrackerSpec] = Field(default_factory=list)
    filters: list[FilterSpec] = Field(default_factory=list)
    solutions: list[SolutionSpec] = Field(default_factory=list)
    campaigns: list[CampaignSpec] = Field(default_factory=list)
    recommenders: list[RecommenderSpec] = Field(default_factory=list)
    metric_attributions: list[MetricAttributionSpec] = Field(default_factory=list)
