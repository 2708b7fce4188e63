"""CreateDatasetImportJob, DescribeDatasetImportJob, ListDatasetImportJobs.

The job only records the request; the worker reads, checks and commits the file in one
transaction (see ``services.local.jobs.tasks.imports``), so a bad file imports nothing.
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control.describe_list_delete import ResourceSpec, operations
from services.local.control.quotas import MAX_PENDING_IMPORTS
from services.local.data.locations import resolve_location
from services.local.data.resources import ACTIVE, PENDING, WAITING, expect_kind
from services.local.errors import InvalidInput, LimitExceeded, ResourceInUse

_SUMMARY = (
    "datasetImportJobArn",
    "jobName",
    "status",
    "creationDateTime",
    "lastUpdatedDateTime",
    "failureReason",
    "importMode",
)


def create_dataset_import_job(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    dataset_arn = params["datasetArn"]
    expect_kind(dataset_arn, "dataset", "datasetArn")
    mode = params.get("importMode") or "FULL"
    location = params["dataSource"].get("dataLocation")
    if not location:
        raise InvalidInput("dataSource.dataLocation is required.")
    arn = engine.arns.make("dataset-import-job", params["jobName"])
    with engine.tx() as res:
        dataset = res.get(dataset_arn, "dataset")
        if dataset["status"] != ACTIVE:
            raise ResourceInUse(f"Dataset {dataset['name']} is {dataset['status']}.")
        resolve_location(engine, location)
        jobs = res.all("dataset-import-job")
        if sum(1 for j in jobs if j["status"] in WAITING) >= MAX_PENDING_IMPORTS:
            raise LimitExceeded(f"{MAX_PENDING_IMPORTS} import jobs are already pending.")
        if mode == "INCREMENTAL" and not any(
            j["status"] == ACTIVE for j in jobs if j["datasetArn"] == dataset_arn
        ):
            raise InvalidInput(
                "importMode INCREMENTAL needs an earlier successful import into this dataset; "
                "run a FULL import first."
            )
        doc = {
            "jobName": params["jobName"],
            "datasetImportJobArn": arn,
            "datasetArn": dataset_arn,
            "dataSource": {"dataLocation": location},
            "importMode": mode,
            "status": PENDING,
            "creationDateTime": res.now,
            "lastUpdatedDateTime": res.now,
            "publishAttributionMetricsToS3": bool(params.get("publishAttributionMetricsToS3")),
        }
        if params.get("roleArn"):
            doc["roleArn"] = params["roleArn"]
        res.create(
            arn,
            "dataset-import-job",
            params["jobName"],
            doc,
            parent=dataset_arn,
            group=dataset["datasetGroupArn"],
            tags=params.get("tags"),
        )
        engine.jobs.enqueue(res.conn, "import", arn)
    engine.jobs.kick()
    return {"datasetImportJobArn": arn}


SPEC = ResourceSpec(
    kind="dataset-import-job",
    summary=_SUMMARY,
    scope_param="datasetArn",
    scope_kind="dataset",
    scope_by="parent",
    newest_first=True,
)

OPERATIONS = {
    "CreateDatasetImportJob": create_dataset_import_job,
    **operations(SPEC, "DatasetImportJob", deletable=False),
}
