"""CreateDatasetGroup, DescribeDatasetGroup, ListDatasetGroups, DeleteDatasetGroup."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from services.local.context import EngineContext
from services.local.control.describe_list_delete import ResourceSpec, operations
from services.local.control.quotas import MAX_DATASET_GROUPS, check_region_quota
from services.local.data.storage import tables as t
from services.local.data.storage.resources import (
    PENDING,
    Resources,
    expect_kind,
    require_active,
    waiting,
)
from services.local.errors import InvalidInput, ResourceInUse

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


def active_group_of(res: Resources, group_arn: str) -> dict[str, Any]:
    """The dataset group ``group_arn`` names, which must be ACTIVE to take new resources
    (ResourceNotFound if none; ResourceInUse while it is still being created or deleted)."""
    return require_active(group_of(res, group_arn), "Dataset group")


def group_scoped(**fields: Any) -> ResourceSpec:
    """A ``ResourceSpec`` for a resource that belongs to a dataset group: its List* takes an
    optional ``datasetGroupArn`` (ResourceNotFound when it names no group)."""
    return ResourceSpec(
        scope_param="datasetGroupArn", scope_kind="dataset-group", scope_load=group_of, **fields
    )


def create_in_group(
    res: Resources,
    group: dict[str, Any],
    kind: str,
    arn: str,
    name: str,
    doc: dict[str, Any],
    tags: list[dict[str, str]] | None = None,
) -> None:
    """Insert ``doc`` as a child of ``group`` (its parent and its group), in ``res``'s
    transaction; ResourceAlreadyExists if the ARN is taken."""
    res.create(
        arn,
        kind,
        name,
        doc,
        parent=group["datasetGroupArn"],
        group=group["datasetGroupArn"],
        tags=tags,
    )


def queue_child(
    engine: EngineContext,
    res: Resources,
    kind: str,
    arn: str,
    name: str,
    doc: dict[str, Any],
    job: str,
    *,
    parent: str,
    group: str,
    tags: list[dict[str, str]] | None = None,
    pending: str = PENDING,
) -> None:
    """Insert ``doc`` (stamped with the status ``pending`` and created now) under ``parent``
    in the dataset group ``group`` and queue the job kind ``job`` that advances it, both in
    ``res``'s transaction; the caller kicks the runner (``engine.jobs.kick()``) after it
    commits. ``pending`` is CREATE PENDING for trained resources, PENDING for jobs whose
    statuses have no prefix. ResourceAlreadyExists if the ARN is taken."""
    doc.update(status=pending, creationDateTime=res.now, lastUpdatedDateTime=res.now)
    res.create(arn, kind, name, doc, parent=parent, group=group, tags=tags)
    engine.jobs.enqueue(res.conn, job, arn)


def queue_job(
    engine: EngineContext,
    res: Resources,
    params: dict[str, Any],
    kind: str,
    arn: str,
    doc: dict[str, Any],
    job: str,
    parent: str,
    group: str,
    pending: str = PENDING,
) -> None:
    """``queue_child`` for a job a Create*Job request starts: named by its ``jobName``, tagged
    with its ``tags``, stamped ``pending``."""
    name, tags = params["jobName"], params.get("tags")
    queue_child(
        engine,
        res,
        kind,
        arn,
        name,
        doc,
        job,
        parent=parent,
        group=group,
        tags=tags,
        pending=pending,
    )


def create_dataset_group(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    if bool(params.get("roleArn")) != bool(params.get("kmsKeyArn")) and params.get("kmsKeyArn"):
        raise InvalidInput("kmsKeyArn needs a roleArn that may use the key.")
    arn = engine.arns.make("dataset-group", params["name"])
    with engine.tx() as res:
        check_region_quota(res, "dataset-group", MAX_DATASET_GROUPS)
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
    # with the streamed rows go the lists the runtime answered (what events' IDs named),
    # those still waiting to be written included
    engine.answers.discard(arn)
    for table in (t.interactions, t.items, t.users, t.shown_lists, t.issued):
        res.conn.execute(delete(table).where(table.c.group_arn == arn))
    engine.bulk.drop(res.conn, arn)


def _after_delete(engine: EngineContext, arn: str, removed: list[str]) -> None:
    engine.bulk.sweep(engine.read_db, arn)  # the group's bulk files, unregistered above


SPEC = ResourceSpec(
    kind="dataset-group",
    summary=_SUMMARY,
    load=group_of,
    on_delete=_before_delete,
    after_delete=_after_delete,
)

OPERATIONS = operations(SPEC, "DatasetGroup", create=create_dataset_group)
