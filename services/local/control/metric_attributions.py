"""CreateMetricAttribution, DescribeMetricAttribution, ListMetricAttributions,
UpdateMetricAttribution, DeleteMetricAttribution, ListMetricAttributionMetrics.

A dataset group has at most one metric attribution, with at most 10 metrics, each
``{eventType, metricName, expression}`` where the expression is ``SAMPLECOUNT()`` or
``SUM(Items|Interactions.COLUMN)`` over a numeric column of that dataset's schema (API reference
CreateMetricAttribution, UpdateMetricAttribution; developer guide "Measuring the impact of
recommendations"). What it reports (services.local.runtime.attribution_report) is where AWS
puts it: PutEvents metrics for the CloudWatch reader, and a CSV under
``metricsOutputConfig.s3DataDestination.path`` per Interactions import job created with
``publishAttributionMetricsToS3``.
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control.datasets import group_schemas
from services.local.control.describe_list_delete import operations
from services.local.control.groups import active_group_of, create_in_group, group_scoped
from services.local.control.quotas import MAX_METRIC_ATTRIBUTIONS_PER_GROUP
from services.local.data.schemas import NUMERIC_TYPES
from services.local.data.storage.locations import bucket_path, refuse_kms_key
from services.local.data.storage.resources import (
    Resources,
    expect_kind,
    page,
    require_active,
    waiting,
)
from services.local.errors import (
    InvalidInput,
    LimitExceeded,
    ResourceAlreadyExists,
)
from services.local.rules.attribution import ExpressionError, check_metrics
from services.local.runtime.attribution_report import forget

METRICS = "_metrics"  # the metric list (not part of the Describe shape)
_SUMMARY = (
    "name",
    "metricAttributionArn",
    "status",
    "creationDateTime",
    "lastUpdatedDateTime",
    "failureReason",
)


def numeric_columns(res: Resources, group: str) -> dict[str, set[str]]:
    """Numeric schema fields of the group's Items and Interactions datasets."""
    return {
        kind: {f.name for f in schema.fields if f.type in NUMERIC_TYPES}
        for kind, schema in group_schemas(res, group).items()
    }


def _check_event_type(res: Resources, group: str) -> None:
    """A metric attribution counts events by type: the group's Item interactions dataset must
    exist and have an EVENT_TYPE column (developer guide, "Guidelines and requirements for a
    metric attribution"; "Measuring recommendation impact": each metric names the event type
    it reports on). InvalidInputException otherwise, as CreateMetricAttribution and
    UpdateMetricAttribution answer a request their dataset group cannot serve."""
    interactions = group_schemas(res, group).get("Interactions")
    if interactions is None:
        raise InvalidInput(
            f"Dataset group {group} has no Item interactions dataset; a metric attribution "
            "reports on its EVENT_TYPE column. Create the dataset first."
        )
    if interactions.get("EVENT_TYPE") is None:
        raise InvalidInput(
            f"The Item interactions dataset of {group} has no EVENT_TYPE column; a metric "
            "attribution needs one (add it to the schema with UpdateDataset)."
        )


def _checked(res: Resources, group: str, metrics: list[dict[str, str]]) -> list[dict[str, str]]:
    _check_event_type(res, group)
    try:
        check_metrics(metrics, numeric_columns(res, group))
    except ExpressionError as err:
        raise InvalidInput(str(err)) from err
    return [{k: m[k] for k in ("eventType", "metricName", "expression")} for m in metrics]


def create_metric_attribution(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = engine.arns.make("metric-attribution", params["name"])
    with engine.tx() as res:
        group = active_group_of(res, params["datasetGroupArn"])
        existing = res.all("metric-attribution", group=group["datasetGroupArn"])
        if len(existing) >= MAX_METRIC_ATTRIBUTIONS_PER_GROUP:
            raise LimitExceeded(
                f"Dataset group {group['name']} already has metric attribution "
                f"{existing[0]['name']}; a group has at most {MAX_METRIC_ATTRIBUTIONS_PER_GROUP}."
            )
        metrics = _checked(res, group["datasetGroupArn"], params["metrics"])
        _check_output(engine, params["metricsOutputConfig"])
        doc = {
            "name": params["name"],
            "metricAttributionArn": arn,
            "datasetGroupArn": group["datasetGroupArn"],
            "metricsOutputConfig": params["metricsOutputConfig"],
            METRICS: metrics,
        }
        doc.update(waiting(res.now, engine.lifecycle_seconds))
        create_in_group(res, group, "metric-attribution", arn, params["name"], doc)
    forget(group["datasetGroupArn"])
    return {"metricAttributionArn": arn}


def _check_output(engine: EngineContext, config: dict[str, Any]) -> None:
    """The report folder must be an ``s3://`` location the engine can write to, checked when
    it is given (InvalidInputException), not when the report is first written."""
    refuse_kms_key(config.get("s3DataDestination"), "metricsOutputConfig.s3DataDestination")
    path = (config.get("s3DataDestination") or {}).get("path")
    if path:
        bucket_path(engine, path, "metricsOutputConfig.s3DataDestination.path")


def attribution_doc(res: Resources, arn: str) -> dict[str, Any]:
    """The stored document of a metric attribution (ResourceNotFound if absent)."""
    expect_kind(arn, "metric-attribution", "metricAttributionArn")
    return res.get(arn, "metric-attribution")


def describe_metric_attribution(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    with engine.reading() as res:
        doc = attribution_doc(res, params["metricAttributionArn"])
    return {"metricAttribution": doc}


def list_metric_attribution_metrics(
    engine: EngineContext, params: dict[str, Any]
) -> dict[str, Any]:
    arn = params.get("metricAttributionArn")
    if not arn:
        raise InvalidInput("metricAttributionArn is required.")
    with engine.tx() as res:
        metrics = attribution_doc(res, arn)[METRICS]
    chunk, token = page(metrics, params, f"attribution-metrics:{arn}")
    return {"metrics": chunk, "nextToken": token}


def update_metric_attribution(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params.get("metricAttributionArn")
    if not arn:
        raise InvalidInput("metricAttributionArn is required.")
    with engine.tx() as res:
        doc = attribution_doc(res, arn)
        require_active(doc, "Metric attribution")
        metrics = list(doc[METRICS])
        names = {m["metricName"] for m in metrics}
        for name in params.get("removeMetrics") or []:
            if name not in names:
                raise InvalidInput(f"Metric attribution {doc['name']} has no metric {name}.")
        removed = set(params.get("removeMetrics") or [])
        metrics = [m for m in metrics if m["metricName"] not in removed]
        kept = {m["metricName"] for m in metrics}
        for metric in params.get("addMetrics") or []:
            if metric["metricName"] in kept:
                raise ResourceAlreadyExists(
                    f"Metric attribution {doc['name']} already has a metric {metric['metricName']}."
                )
        doc[METRICS] = _checked(
            res, doc["datasetGroupArn"], metrics + list(params.get("addMetrics") or [])
        )
        if params.get("metricsOutputConfig"):
            _check_output(engine, params["metricsOutputConfig"])
            doc["metricsOutputConfig"] = params["metricsOutputConfig"]
        doc["lastUpdatedDateTime"] = res.now
        res.save(arn, doc)
    return {"metricAttributionArn": arn}


def _after_delete(engine: EngineContext, arn: str, removed: list[str]) -> None:
    forget()  # the ARN does not name the group; the cache is small


SPEC = group_scoped(
    kind="metric-attribution",
    summary=_SUMMARY,
    after_delete=_after_delete,
)
_READS = operations(SPEC, "MetricAttribution", create=create_metric_attribution)


OPERATIONS = {
    **_READS,
    "DescribeMetricAttribution": describe_metric_attribution,
    "UpdateMetricAttribution": update_metric_attribution,
    "ListMetricAttributionMetrics": list_metric_attribution_metrics,
}
