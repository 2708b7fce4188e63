"""CreateDatasetGroup, DescribeDatasetGroup, ListDatasetGroups, DeleteDatasetGroup."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from services.local import tables as t
from services.local.context import EngineContext
from services.local.control.describe_list_delete import ResourceSpec, operations
from services.local.control.quotas import MAX_DATASET_GROUPS
from services.local.errors import InvalidInput, LimitExceeded, ResourceInUse
from services.local.resources import Resources, expect_kind, waiting

_SUMMARY = (
    "name",
    "datasetGroupArn",
    "status",
    "creationDateTime",
    "lastUpdatedDateTime",
    "failureReason",
    "domain",
)


def group_of(res: Resources, group_arn: str, param: str = "datasetGroupArn") -> dict[str, Any]:
    """The dataset group document an ARN parameter names (ResourceNotFound if none)."""
    expect_kind(group_arn, "dataset-group", param)
    return res.get(group_arn, "dataset-group")


def create_dataset_group(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    if bool(params.get("roleArn")) != bool(params.get("kmsKeyArn")) and params.get("kmsKeyArn"):
        raise InvalidInput("kmsKeyArn needs a roleArn that may use the key.")
    arn = engine.arns.make("dataset-group", params["name"])
    with engine.tx() as res:
        if res.count("dataset-group") >= MAX_DATASET_GROUPS:
            raise LimitExceeded(
                f"This account already has {MAX_DATASET_GROUPS} dataset groups, the quota; "
                "delete one first."
            )
        doc = {"name": params["name"], "datasetGroupArn": arn}
        doc.update(waiting(res.now, engine.lifecycle_seconds))
        for key in ("roleArn", "kmsKeyArn", "domain"):
            if params.get(key):
                doc[key] = params[key]
        res.create(arn, "dataset-group", params["name"], doc, group=arn, tags=params.get("tags"))
    out: dict[str, Any] = {"datasetGroupArn": arn}
    if params.get("domain"):
        out["domain"] = params["domain"]
    return out


def _before_delete(engine: EngineContext, res: Resources, arn: str, doc: dict[str, Any]) -> None:
    for kind in (
        "event-tracker",
        "solution",
        "recommender",
        "metric-attribution",
        "dataset",
        "filter",
    ):
        if res.count(kind, group=arn):
            raise ResourceInUse(
                f"Dataset group {arn} still has a {kind.replace('-', ' ')}; delete event "
                "trackers, solutions, recommenders, metric attributions, filters and datasets "
                "first."
            )
    for table in (t.interactions, t.items, t.users):
        res.conn.execute(delete(table).where(table.c.group_arn == arn))
    engine.bulk.drop(res.conn, arn)


def _after_delete(engine: EngineContext, arn: str, removed: list[str]) -> None:
    engine.bulk.sweep(engine.read_db, arn)  # the group's bulk files, unregistered above


SPEC = ResourceSpec(
    kind="dataset-group",
    arn_param="datasetGroupArn",
    describe_key="datasetGroup",
    list_key="datasetGroups",
    summary=_SUMMARY,
    load=group_of,
    on_delete=_before_delete,
    after_delete=_after_delete,
)

OPERATIONS = {
    "CreateDatasetGroup": create_dataset_group,
    **operations(SPEC, "DatasetGroup"),
}
