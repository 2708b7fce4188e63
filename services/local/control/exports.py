"""CreateDatasetExportJob, DescribeDatasetExportJob, ListDatasetExportJobs.

The worker writes CSV files with a header to ``<path>/<jobName>/part-00000.csv`` (see
``services.local.jobs.tasks.exports``); ``s3://`` paths map to folders under the data directory.
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control.describe_list_delete import ResourceSpec, operations
from services.local.data.locations import bucket_path
from services.local.data.resources import ACTIVE, PENDING, expect_kind
from services.local.errors import ResourceInUse

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
    bucket_path(engine, path, "jobOutput.s3DataDestination.path")
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
            tags=params.get("tags"),
        )
        engine.jobs.enqueue(res.conn, "export", arn)
    engine.jobs.kick()
    return {"datasetExportJobArn": arn}


SPEC = ResourceSpec(
    kind="dataset-export-job",
    summary=_SUMMARY,
    scope_param="datasetArn",
    scope_by="parent",
    check_scope=False,
    newest_first=True,
)

OPERATIONS = {
    "CreateDatasetExportJob": create_dataset_export_job,
    **operations(SPEC, "DatasetExportJob", deletable=False),
}
