"""CreateDataset, DescribeDataset, ListDatasets, DeleteDataset."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import delete

from services.local.context import EngineContext
from services.local.control.describe_list_delete import operations
from services.local.control.groups import group_of, group_scoped
from services.local.data.domain_schemas import check_domain_schema
from services.local.data.schemas import (
    ACTION_DATASET_TYPES,
    AvroSchema,
    SchemaError,
    check_schema_for_dataset,
    parse_schema,
)
from services.local.data.storage import tables as t
from services.local.data.storage.resources import (
    ACTIVE,
    WAITING,
    Resources,
    expect_kind,
    require_active,
    waiting,
)
from services.local.errors import InvalidInput, ResourceAlreadyExists, ResourceInUse

DATASET_TYPES = {
    "interactions": "Interactions",
    "items": "Items",
    "users": "Users",
    "actions": "Actions",
    "action_interactions": "Action_Interactions",
}
_SUMMARY = (
    "name",
    "datasetArn",
    "datasetType",
    "status",
    "creationDateTime",
    "lastUpdatedDateTime",
)
# Rows of each dataset type, for deleting a dataset's data with it.
DATA_TABLES = {
    "Interactions": t.interactions,
    "Items": t.items,
    "Users": t.users,
    "Actions": t.actions,
    "Action_Interactions": t.action_interactions,
}


def create_dataset(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    raw_type = params["datasetType"]
    dataset_type = DATASET_TYPES.get(raw_type.lower())
    if dataset_type is None:
        raise InvalidInput(
            f"datasetType '{raw_type}' is not a dataset type: use Interactions, Items, Users, "
            "Actions or Action_Interactions."
        )
    expect_kind(params["schemaArn"], "schema", "schemaArn")
    with engine.tx() as res:
        group = group_of(res, params["datasetGroupArn"])
        if group["status"] != ACTIVE:
            raise ResourceInUse(
                f"Dataset group {group['datasetGroupArn']} is {group['status']}; wait until it "
                "is ACTIVE."
            )
        schema_doc = res.get(params["schemaArn"], "schema")
        if group.get("domain") and dataset_type in ACTION_DATASET_TYPES:
            # "You can't create next best action resources, including Actions and Action
            # Interactions datasets, in a domain dataset group" (developer guide).
            raise InvalidInput(
                f"Dataset group {group['name']} is a {group['domain']} domain group; "
                f"{dataset_type} datasets (Next-Best-Action) need a Custom dataset group."
            )
        try:
            check_schema_for_dataset(parse_schema(schema_doc["schema"]), dataset_type)
            _check_domain(group, schema_doc, dataset_type)
        except SchemaError as err:
            raise InvalidInput(
                f"Schema {params['schemaArn']} does not fit a {dataset_type} dataset: {err}"
            ) from err
        arn = engine.arns.make("dataset", f"{group['name']}/{dataset_type.upper()}")
        for other in res.all("dataset", group=group["datasetGroupArn"]):
            if other["datasetType"] == dataset_type:
                # Personalize: "ResourceAlreadyExistsException" (CreateDataset, API reference).
                raise ResourceAlreadyExists(
                    f"Dataset group {group['name']} already has an {dataset_type} dataset "
                    f"({other['name']}); a group holds one dataset of each type."
                )
        doc = {
            "name": params["name"],
            "datasetArn": arn,
            "datasetGroupArn": group["datasetGroupArn"],
            "datasetType": dataset_type,
            "schemaArn": params["schemaArn"],
        }
        if dataset_type == "Action_Interactions":
            # "When you create an Action interactions dataset, Amazon Personalize creates an
            # action interaction event tracker for you" (PutActionInteractions' trackingId).
            doc["trackingId"] = str(uuid.uuid4())
        doc.update(waiting(res.now, engine.lifecycle_seconds))
        res.create(
            arn,
            "dataset",
            params["name"],
            doc,
            parent=doc["datasetGroupArn"],
            group=doc["datasetGroupArn"],
            tags=params.get("tags"),
        )
    return {"datasetArn": arn}


def group_schemas(res: Resources, group_arn: str) -> dict[str, AvroSchema]:
    """The current schema of each dataset of a group, by type ("Interactions", "Items",
    "Users")."""
    return {
        d["datasetType"]: parse_schema(res.get(d["schemaArn"], "schema")["schema"])
        for d in res.all("dataset", group=group_arn)
    }


def _check_domain(group: dict[str, Any], schema_doc: dict[str, Any], dataset_type: str) -> None:
    """A Domain group takes schemas of its domain (checked against the domain's fields); a
    Custom group takes none of a domain (developer guide, "Domain dataset groups")."""
    domain, schema_domain = group.get("domain"), schema_doc.get("domain")
    if domain != schema_domain:
        raise SchemaError(
            f"the schema's domain is {schema_domain or 'none (Custom)'} but dataset group "
            f"{group['name']} is {domain or 'a Custom group'}; the domains must match"
        )
    if domain:
        check_domain_schema(parse_schema(schema_doc["schema"]), dataset_type, domain)


# What must not be running in the dataset's group for it to be deleted, and the statuses that
# count as running (a campaign also while ACTIVE).
_BUSY_IN_GROUP = {
    "batch-inference-job": WAITING,
    "batch-segment-job": WAITING,
    "recommender": WAITING,
    "solution-version": WAITING,
    "campaign": (*WAITING, ACTIVE),
}


def _references(attribution: dict[str, Any], dataset_type: str) -> bool:
    """Whether a metric attribution uses a dataset type: the Interactions dataset always (its
    EVENT_TYPE column is what is attributed), another when a metric's expression names it
    (``SUM(Items.PRICE)``)."""
    if dataset_type == "Interactions":
        return True
    return any(
        f"{dataset_type}." in m.get("expression", "") for m in attribution.get("_metrics", [])
    )


def _check_dependants(res: Resources, doc: dict[str, Any]) -> None:
    """Refuse the delete while something the developer guide orders first still exists.

    Developer guide, "Deleting a dataset to delete all of its data" (and "Requirements for
    deleting Amazon Personalize resources"): delete all filters before any dataset; the event
    tracker before an Item interactions dataset; a metric attribution that references the
    dataset first; no associated dataset import job, batch inference or segment job,
    recommender or solution version may be CREATE PENDING or IN PROGRESS, and no campaign
    CREATE PENDING, IN PROGRESS or ACTIVE. API reference DeleteDataset: ResourceInUseException
    (HTTP 400).
    """
    group, name, kind = doc["datasetGroupArn"], doc["name"], doc["datasetType"]
    filters = res.all("filter", group=group)
    if filters:
        raise ResourceInUse(
            f"Dataset group {group} has filter {filters[0]['name']}; delete all filters before "
            f"deleting dataset {name}."
        )
    if kind == "Interactions":
        trackers = res.all("event-tracker", group=group)
        if trackers:
            raise ResourceInUse(
                f"Event tracker {trackers[0]['name']} records into dataset {name}; delete the "
                "event tracker first."
            )
    for attribution in res.all("metric-attribution", group=group):
        if _references(attribution, kind):
            raise ResourceInUse(
                f"Metric attribution {attribution['name']} references dataset {name}; delete "
                "the metric attribution first."
            )
    for job in res.all("dataset-import-job", parent=doc["datasetArn"]):
        if job["status"] in WAITING:
            raise ResourceInUse(f"Import job {job['jobName']} into {name} is {job['status']}.")
    for busy_kind, statuses in _BUSY_IN_GROUP.items():
        for other in res.all(busy_kind, group=group):
            if other["status"] in statuses:
                label = busy_kind.replace("-", " ")
                raise ResourceInUse(
                    f"A {label} of dataset group {group} is {other['status']}; dataset {name} "
                    f"can be deleted when no {label} is {' or '.join(statuses)}."
                )


def _before_delete(
    engine: EngineContext, res: Resources, arn: str, doc: dict[str, Any]
) -> list[str]:
    _check_dependants(res, doc)
    table = DATA_TABLES[doc["datasetType"]]
    res.conn.execute(delete(table).where(table.c.group_arn == doc["datasetGroupArn"]))
    dropped = engine.bulk.drop(res.conn, doc["datasetGroupArn"], doc["datasetType"])
    for job in res.all("dataset-import-job", parent=arn):
        res.remove(job["datasetImportJobArn"])
    return [str(p) for p in dropped]


def _after_delete(engine: EngineContext, arn: str, removed: list[str]) -> None:
    # The files the delete unregistered go at once: the sweep below leaves the file of an
    # import whose job row still says running for a moment after the import became ACTIVE.
    engine.bulk.remove([Path(p) for p in removed])
    # dataset/<group name>/<TYPE>: any other unregistered file of it (an orphan) goes too
    _, group_name, kind = arn.rsplit("/", 2)
    group = engine.arns.make("dataset-group", group_name)
    engine.bulk.sweep(engine.read_db, group, DATASET_TYPES[kind.lower()])


SPEC = group_scoped(
    kind="dataset",
    summary=_SUMMARY,
    on_delete=_before_delete,
    after_delete=_after_delete,
)


def update_dataset(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    """Replace a dataset's schema with one that keeps every existing field and its type, and
    may add fields (API reference UpdateDataset; developer guide "Replacing a dataset's
    schema to add new columns"). The change is recorded in ``latestDatasetUpdate``."""
    arn = params["datasetArn"]
    expect_kind(arn, "dataset", "datasetArn")
    expect_kind(params["schemaArn"], "schema", "schemaArn")
    with engine.tx() as res:
        doc = res.get(arn, "dataset")
        require_active(doc, "Dataset")
        group = group_of(res, doc["datasetGroupArn"])
        old = parse_schema(res.get(doc["schemaArn"], "schema")["schema"])
        new_doc = res.get(params["schemaArn"], "schema")
        new = parse_schema(new_doc["schema"])
        try:
            check_schema_for_dataset(new, doc["datasetType"])
            _check_domain(group, new_doc, doc["datasetType"])
        except SchemaError as err:
            raise InvalidInput(f"Schema {params['schemaArn']} does not fit: {err}") from err
        for field in old.fields:
            kept = new.get(field.name)
            if kept is None or kept.type != field.type:
                raise InvalidInput(
                    f"The new schema must keep field {field.name} ({field.type}); a schema "
                    "update may only add fields."
                )
        doc["schemaArn"] = params["schemaArn"]
        doc["lastUpdatedDateTime"] = res.now
        doc["latestDatasetUpdate"] = {
            "schemaArn": params["schemaArn"],
            "status": ACTIVE,
            "creationDateTime": res.now,
            "lastUpdatedDateTime": res.now,
        }
        res.save(arn, doc)
    return {"datasetArn": arn}


OPERATIONS = {
    **operations(SPEC, "Dataset", create=create_dataset),
    "UpdateDataset": update_dataset,
}
