"""CreateDatasetImportJob, DescribeDatasetImportJob, ListDatasetImportJobs.

The job only records the request; the worker reads, checks and commits the file in one
transaction (see ``services.local.jobs.tasks.imports``), so a bad file imports nothing.
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control.describe_list_delete import JOB_SUMMARY, job_spec, operations
from services.local.control.groups import queue_job
from services.local.control.quotas import MAX_PENDING_IMPORTS
from services.local.data.storage.locations import resolve_location
from services.local.data.storage.resources import (
    ACTIVE,
    WAITING,
    expect_kind,
    require_active,
)
from services.local.errors import InvalidInput, LimitExceeded

_SUMMARY = ("datasetImportJobArn", *JOB_SUMMARY, "importMode")


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
        require_active(dataset, "Dataset")
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
            "publishAttributionMetricsToS3": bool(params.get("publishAttributionMetricsToS3")),
        }
        if params.get("roleArn"):
            doc["roleArn"] = params["roleArn"]
        group = dataset["datasetGroupArn"]
        queue_job(engine, res, params, "dataset-import-job", arn, doc, "import", dataset_arn, group)
    engine.jobs.kick()
    return {"datasetImportJobArn": arn}


SPEC = job_spec("dataset-import-job", _SUMMARY, "datasetArn", scope_kind="dataset")
OPERATIONS = operations(SPEC, "DatasetImportJob", create=create_dataset_import_job)
