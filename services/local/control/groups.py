"""CreateDatasetGroup, DescribeDatasetGroup, ListDatasetGroups, DeleteDatasetGroup."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from services.local import tables as t
from services.local.context import EngineContext
from services.local.control._common import MAX_DATASET_GROUPS, group_of
from services.local.errors import InvalidInput, LimitExceeded, ResourceInUse
from services.local.resources import page, summary, waiting

_SUMMARY = (
    "name",
    "datasetGroupArn",
    "status",
    "creationDateTime",
    "lastUpdatedDateTime",
    "failureReason",
    "domain",
)


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
        res.create(arn, "dataset-group", params["name"], doc, group=arn)
    out: dict[str, Any] = {"datasetGroupArn": arn}
    if params.get("domain"):
        out["domain"] = params["domain"]
    return out


def describe_dataset_group(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    with engine.tx() as res:
        return {"datasetGroup": group_of(res, params["datasetGroupArn"])}


def list_dataset_groups(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    with engine.tx() as res:
        docs = [summary(d, _SUMMARY) for d in res.all("dataset-group")]
    chunk, token = page(docs, params, "dataset-groups")
    return {"datasetGroups": chunk, "nextToken": token}


def delete_dataset_group(engine: EngineContext, params: dict[str, Any]) -> None:
    arn = params["datasetGroupArn"]
    with engine.tx() as res:
        group_of(res, arn)
        for kind in ("event-tracker", "solution", "dataset", "filter"):
            if res.count(kind, group=arn):
                raise ResourceInUse(
                    f"Dataset group {arn} still has a {kind.replace('-', ' ')}; delete event "
                    "trackers, solutions, filters and datasets first."
                )
        for table in (t.interactions, t.items, t.users):
            res.conn.execute(delete(table).where(table.c.group_arn == arn))
        res.remove(arn)


OPERATIONS = {
    "CreateDatasetGroup": create_dataset_group,
    "DescribeDatasetGroup": describe_dataset_group,
    "ListDatasetGroups": list_dataset_groups,
    "DeleteDatasetGroup": delete_dataset_group,
}
