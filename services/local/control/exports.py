"""CreateDatasetExportJob, DescribeDatasetExportJob, ListDatasetExportJobs.

The worker writes CSV files with a header to ``<path>/<jobName>/part-00000.csv`` (see
``services.local.jobs.tasks.exports``); ``s3://`` paths map to folders under the data directory.
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control.describe_list_delete import JOB_SUMMARY, job_spec, operations
from services.local.control.groups import queue_job
from services.local.data.storage.locations import bucket_path, refuse_kms_key
from services.local.data.storage.resources import expect_kind, require_active
from services.local.errors import InvalidInput

_SUMMARY = ("datasetExportJobArn", *JOB_SUMMARY)


# "You can't export data in an Action interactions dataset or Actions dataset." (developer
# guide, "Exporting the training data in a dataset to Amazon S3",
# https://docs.aws.amazon.com/personalize/latest/dg/export-data.html)
_NOT_EXPORTED = ("Actions", "Action_Interactions")


def create_dataset_export_job(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateDatasetExportJob (API reference "CreateDatasetExportJob"; botocore shape
    ``CreateDatasetExportJobRequest``): jobName, datasetArn, roleArn and
    jobOutput.s3DataDestination.path are required and ingestionMode is BULK | PUT | ALL
    (default PUT): the wire validates those against the model (ValidationException, 400).
    Here: the path must be an ``s3://BUCKET/KEY`` location the engine maps to a folder, the
    dataset must be ACTIVE (ResourceInUseException) and of a type Personalize exports
    (InvalidInputException for Actions and Action_Interactions). Returns the job's ARN."""
    dataset_arn = params["datasetArn"]
    expect_kind(dataset_arn, "dataset", "datasetArn")
    path = params["jobOutput"]["s3DataDestination"]["path"]
    refuse_kms_key(params["jobOutput"]["s3DataDestination"], "jobOutput.s3DataDestination")
    bucket_path(engine, path, "jobOutput.s3DataDestination.path")
    arn = engine.arns.make("dataset-export-job", params["jobName"])
    with engine.tx() as res:
        dataset = res.get(dataset_arn, "dataset")
        require_active(dataset, "Dataset")
        if dataset["datasetType"] in _NOT_EXPORTED:
            raise InvalidInput(
                f"Dataset {dataset['name']} is an {dataset['datasetType']} dataset: its data "
                "cannot be exported."
            )
        doc = {
            "jobName": params["jobName"],
            "datasetExportJobArn": arn,
            "datasetArn": dataset_arn,
            "ingestionMode": params.get("ingestionMode") or "PUT",
            "roleArn": params["roleArn"],
            "jobOutput": params["jobOutput"],
        }
        group = dataset["datasetGroupArn"]
        queue_job(engine, res, params, "dataset-export-job", arn, doc, "export", dataset_arn, group)
    engine.jobs.kick()
    return {"datasetExportJobArn": arn}


SPEC = job_spec("dataset-export-job", _SUMMARY, "datasetArn")
OPERATIONS = operations(SPEC, "DatasetExportJob", create=create_dataset_export_job)
