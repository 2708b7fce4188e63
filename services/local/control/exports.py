"""CreateDatasetExportJob, DescribeDatasetExportJob, ListDatasetExportJobs.

The worker writes CSV files with a header to ``<path>/<jobName>/part-00000.csv`` (see
``services.local.tasks.run_export``); ``s3://`` paths map to folders under the data directory.
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.errors import InvalidInput, ResourceInUse
from services.local.resources import ACTIVE, PENDING, expect_kind, page, summary

_SUMMARY = (
    "datasetExportJobArn",
    "jobName",
    "status",
    "creationDateTime",
    "lastUpdatedDateTime",
    "failureReason",
)


def create_dataset_export_job(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    dataset_arn = params["datasetArn"]
    expect_kind(dataset_arn, "dataset", "datasetArn")
    path = params["jobOutput"]["s3DataDestination"]["path"]
    if not path.startswith("s3://") and not path.startswith("/"):
        raise InvalidInput("jobOutput path must be s3://BUCKET/PREFIX/ or an absolute path.")
    arn = engine.arns.make("dataset-export-job", params["jobName"])
    with engine.tx() as res:
        dataset = res.get(dataset_arn, "dataset")
        if dataset["status"] != ACTIVE:
            raise ResourceInUse(f"Dataset {dataset['name']} is {dataset['status']}.")
        doc = {
            "jobName": params["jobName"],
            "datasetExportJobArn": arn,
            "datasetArn": dataset_arn,
            "ingestionMode": params.get("ingestionMode") or "PUT",
            "roleArn": params["roleArn"],
            "jobOutput": params["jobOutput"],
            "status": PENDING,
            "creationDateTime": res.now,
            "lastUpdatedDateTime": res.now,
        }
        res.create(
            arn,
            "dataset-export-job",
            params["jobName"],
            doc,
            parent=dataset_arn,
            group=dataset["datasetGroupArn"],
        )
        engine.jobs.enqueue(res.conn, "export", arn)
    engine.jobs.kick()
    return {"datasetExportJobArn": arn}


def describe_dataset_export_job(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["datasetExportJobArn"]
    expect_kind(arn, "dataset-export-job", "datasetExportJobArn")
    with engine.tx() as res:
        return {"datasetExportJob": res.get(arn, "dataset-export-job")}


def list_dataset_export_jobs(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    dataset = params.get("datasetArn")
    with engine.tx() as res:
        docs = res.all("dataset-export-job", parent=dataset)
    items = [summary(d, _SUMMARY) for d in reversed(docs)]
    chunk, token = page(items, params, f"exports:{dataset}")
    return {"datasetExportJobs": chunk, "nextToken": token}


OPERATIONS = {
    "CreateDatasetExportJob": create_dataset_export_job,
    "DescribeDatasetExportJob": describe_dataset_export_job,
    "ListDatasetExportJobs": list_dataset_export_jobs,
}
