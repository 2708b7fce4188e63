"""Private to the facade: Personalize wire dicts → typed models (``services.personalize.models``).

Only the facade and its call groups import this module; raw boto3 dicts stop here. Errors are
translated in ``services.personalize.wire_errors``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from services.personalize.models import (
    Algorithm,
    AttributedMetric,
    BatchInferenceJob,
    Campaign,
    CampaignConfig,
    CampaignUpdate,
    Dataset,
    DatasetExportJob,
    DatasetGroup,
    EventTracker,
    FeatureTransformation,
    Filter,
    HyperParameter,
    ImportJob,
    MetricAttribution,
    Recipe,
    Recommendation,
    RecommendationList,
    Recommender,
    Schema,
    SchemaField,
    Solution,
    SolutionVersion,
    is_terminal,
)

Wire = Mapping[str, Any]


def _dt(value: object) -> datetime | None:
    # botocore parses wire timestamps to tzlocal(); pages and arithmetic want UTC
    return value.astimezone(UTC) if isinstance(value, datetime) else None


def _times(d: Wire) -> dict[str, datetime | None]:
    return {"created": _dt(d.get("creationDateTime")), "updated": _dt(d.get("lastUpdatedDateTime"))}


def _resource(d: Wire, kind: str, name: str = "name") -> dict[str, Any]:
    """What every Personalize resource's Describe and List* entry carries alike: its ARN as
    ``<kind>Arn``, its name (``jobName`` for jobs), status and times."""
    return {
        "arn": d[f"{kind}Arn"],
        "name": d.get(name, ""),
        "status": d.get("status", ""),
        **_times(d),
    }


def dataset_group(d: Wire) -> DatasetGroup:
    return DatasetGroup(
        **_resource(d, "datasetGroup"),
        domain=d.get("domain"),
        failure_reason=d.get("failureReason"),
    )


def _schema_field(raw: Wire) -> SchemaField:
    avro_type = raw.get("type", "")
    types = list(avro_type) if isinstance(avro_type, list) else [avro_type]
    concrete = [t for t in types if t != "null"]
    return SchemaField(
        name=str(raw.get("name", "")),
        type=str(concrete[0]) if concrete else "null",
        nullable="null" in types,
        categorical=bool(raw.get("categorical", False)),
        textual=bool(raw.get("textual", False)),
    )


def schema(d: Wire) -> Schema:
    fields: tuple[SchemaField, ...] = ()
    if d.get("schema"):
        try:
            avro = json.loads(d["schema"])
            fields = tuple(_schema_field(f) for f in avro.get("fields", []) if isinstance(f, dict))
        except (ValueError, AttributeError):
            fields = ()  # an unparsable schema still lists; the Data page shows it raw
    return Schema(
        arn=d["schemaArn"],
        name=d.get("name", ""),
        fields=fields,
        domain=d.get("domain"),
        **_times(d),
    )


def dataset(d: Wire) -> Dataset:
    return Dataset(
        **_resource(d, "dataset"),
        dataset_type=str(d.get("datasetType", "")).upper(),
        schema_arn=d.get("schemaArn"),
        dataset_group_arn=d.get("datasetGroupArn"),
    )


def import_job(d: Wire) -> ImportJob:
    head = _resource(d, "datasetImportJob", "jobName")
    return ImportJob(
        **head,
        import_mode=d.get("importMode"),
        dataset_arn=d.get("datasetArn"),
        location=(d.get("dataSource") or {}).get("dataLocation"),
        failure_reason=d.get("failureReason"),
        completed=head["updated"] if is_terminal(head["status"]) else None,
    )


def event_tracker(d: Wire) -> EventTracker:
    return EventTracker(
        **_resource(d, "eventTracker"),
        tracking_id=d.get("trackingId"),
        dataset_group_arn=d.get("datasetGroupArn"),
    )


def solution_version(d: Wire) -> SolutionVersion:
    hours = d.get("trainingHours")
    return SolutionVersion(
        arn=d["solutionVersionArn"],
        status=d.get("status", ""),
        training_mode=d.get("trainingMode"),
        training_type=d.get("trainingType"),
        training_hours=float(hours) if hours is not None else None,
        name=d.get("name"),
        solution_arn=d.get("solutionArn"),
        recipe_arn=d.get("recipeArn"),
        event_type=d.get("eventType"),
        failure_reason=d.get("failureReason"),
        **_times(d),
    )


def solution(d: Wire) -> Solution:
    latest = d.get("latestSolutionVersion")
    return Solution(
        **_resource(d, "solution"),
        recipe_arn=d.get("recipeArn"),
        dataset_group_arn=d.get("datasetGroupArn"),
        event_type=d.get("eventType"),
        perform_hpo=bool(d.get("performHPO", False)),
        perform_auto_ml=bool(d.get("performAutoML", False)),
        perform_auto_training=d.get("performAutoTraining"),
        auto_ml_best_recipe_arn=(d.get("autoMLResult") or {}).get("bestRecipeArn"),
        auto_training_schedule=(
            ((d.get("solutionConfig") or {}).get("autoTrainingConfig") or {}).get(
                "schedulingExpression"
            )
        ),
        latest_version=solution_version(latest) if latest else None,
    )


def _campaign_config(d: Wire | None) -> CampaignConfig | None:
    if d is None:
        return None
    return CampaignConfig(
        item_exploration=dict(d.get("itemExplorationConfig") or {}),
        enable_metadata=d.get("enableMetadataWithRecommendations"),
        sync_with_latest_version=d.get("syncWithLatestSolutionVersion"),
        ranking_influence={k: float(v) for k, v in (d.get("rankingInfluence") or {}).items()},
    )


def campaign(d: Wire) -> Campaign:
    update = d.get("latestCampaignUpdate")
    return Campaign(
        **_resource(d, "campaign"),
        solution_version_arn=d.get("solutionVersionArn"),
        min_provisioned_tps=d.get("minProvisionedTPS"),
        config=_campaign_config(d.get("campaignConfig")),
        pending_update=(
            CampaignUpdate(
                status=update.get("status", ""),
                solution_version_arn=update.get("solutionVersionArn"),
                min_provisioned_tps=update.get("minProvisionedTPS"),
                failure_reason=update.get("failureReason"),
                **_times(update),
            )
            if update
            else None
        ),
        failure_reason=d.get("failureReason"),
    )


def recommender(d: Wire) -> Recommender:
    config = d.get("recommenderConfig") or {}
    update = d.get("latestRecommenderUpdate") or {}
    return Recommender(
        **_resource(d, "recommender"),
        dataset_group_arn=d.get("datasetGroupArn"),
        recipe_arn=d.get("recipeArn"),
        min_requests_per_second=config.get("minRecommendationRequestsPerSecond"),
        enable_metadata=config.get("enableMetadataWithRecommendations"),
        model_metrics={k: float(v) for k, v in (d.get("modelMetrics") or {}).items()},
        pending_status=update.get("status"),
        failure_reason=d.get("failureReason"),
        config=dict(config),
    )


def metric_attribution(d: Wire) -> MetricAttribution:
    destination = (d.get("metricsOutputConfig") or {}).get("s3DataDestination") or {}
    return MetricAttribution(
        **_resource(d, "metricAttribution"),
        dataset_group_arn=d.get("datasetGroupArn"),
        output_path=destination.get("path"),
        failure_reason=d.get("failureReason"),
    )


def attributed_metric(d: Wire) -> AttributedMetric:
    return AttributedMetric(d["eventType"], d["metricName"], d["expression"])


def filter_(d: Wire) -> Filter:
    return Filter(
        **_resource(d, "filter"),
        dataset_group_arn=d.get("datasetGroupArn"),
        expression=d.get("filterExpression"),
        failure_reason=d.get("failureReason"),
    )


def recipe(d: Wire) -> Recipe:
    return Recipe(
        **_resource(d, "recipe"),
        recipe_type=d.get("recipeType"),
        description=d.get("description"),
        domain=d.get("domain"),
        algorithm_arn=d.get("algorithmArn"),
        feature_transformation_arn=d.get("featureTransformationArn"),
    )


_RANGE_KINDS = (
    ("integerHyperParameterRanges", "integer"),
    ("continuousHyperParameterRanges", "continuous"),
    ("categoricalHyperParameterRanges", "categorical"),
)


def algorithm(d: Wire) -> Algorithm:
    """DescribeAlgorithm's ``algorithm``: each default joined with its range by name."""
    defaults = {str(k): str(v) for k, v in (d.get("defaultHyperParameters") or {}).items()}
    ranges = d.get("defaultHyperParameterRanges") or {}
    found: dict[str, HyperParameter] = {}
    for key, kind in _RANGE_KINDS:
        for r in ranges.get(key) or []:
            name = r["name"]
            found[name] = HyperParameter(
                name=name,
                kind=kind,
                default=defaults.get(name),
                low=None if r.get("minValue") is None else float(r["minValue"]),
                high=None if r.get("maxValue") is None else float(r["maxValue"]),
                values=tuple(str(v) for v in r.get("values") or ()),
                tunable=bool(r.get("isTunable")),
            )
    params = [found.pop(n, HyperParameter(n, "", default)) for n, default in defaults.items()]
    return Algorithm(
        arn=d["algorithmArn"], name=d.get("name", ""), hyperparameters=(*params, *found.values())
    )


def feature_transformation(d: Wire) -> FeatureTransformation:
    """DescribeFeatureTransformation's ``featureTransformation``."""
    return FeatureTransformation(
        arn=d["featureTransformationArn"],
        name=d.get("name", ""),
        defaults={str(k): str(v) for k, v in (d.get("defaultParameters") or {}).items()},
    )


def batch_segment_job(d: Wire) -> BatchInferenceJob:
    return _batch_job(d, "batchSegmentJob")


def batch_inference_job(d: Wire) -> BatchInferenceJob:
    return _batch_job(d, "batchInferenceJob")


def _batch_job(d: Wire, kind: str) -> BatchInferenceJob:
    source = ((d.get("jobInput") or {}).get("s3DataSource")) or {}
    destination = ((d.get("jobOutput") or {}).get("s3DataDestination")) or {}
    return BatchInferenceJob(
        **_resource(d, kind, "jobName"),
        solution_version_arn=d.get("solutionVersionArn"),
        input_path=source.get("path"),
        output_path=destination.get("path"),
        num_results=d.get("numResults"),
        filter_arn=d.get("filterArn"),
        role_arn=d.get("roleArn"),
        mode=d.get("batchInferenceJobMode"),
        failure_reason=d.get("failureReason"),
    )


def recommendation_list(items: list[Wire], recommendation_id: str | None) -> RecommendationList:
    return RecommendationList(
        items=tuple(
            Recommendation(
                item_id=item["itemId"],
                score=float(item["score"]) if item.get("score") is not None else None,
                reason="; ".join(item["reason"]) if item.get("reason") else None,
                promotion_name=item.get("promotionName"),
                metadata=dict(item.get("metadata") or {}),
            )
            for item in items
        ),
        recommendation_id=recommendation_id,
    )


def action_list(actions: list[Wire], recommendation_id: str | None) -> RecommendationList:
    """GetActionRecommendations' ``actionList`` (``{actionId, score}``) as a list whose
    entries carry the action ID in ``item_id``."""
    return RecommendationList(
        items=tuple(
            Recommendation(
                item_id=action["actionId"],
                score=float(action["score"]) if action.get("score") is not None else None,
            )
            for action in actions
        ),
        recommendation_id=recommendation_id,
    )


def dataset_export_job(d: Wire) -> DatasetExportJob:
    destination = ((d.get("jobOutput") or {}).get("s3DataDestination")) or {}
    return DatasetExportJob(
        **_resource(d, "datasetExportJob", "jobName"),
        dataset_arn=d.get("datasetArn"),
        ingestion_mode=d.get("ingestionMode"),
        output_path=destination.get("path"),
        failure_reason=d.get("failureReason"),
    )
