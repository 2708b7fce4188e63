"""CreateDataDeletionJob, DescribeDataDeletionJob, ListDataDeletionJobs.

A job reads a CSV with a USER_ID column from ``dataSource.dataLocation`` and removes those
users' interactions (bulk and PutEvents) and Users rows from the dataset group. Their events
stop counting at once for recommendations that read history; models forget them at the next
training. Statuses: PENDING → IN_PROGRESS → COMPLETED | FAILED; ``numDeleted`` counts the
records removed (API reference CreateDataDeletionJob, DataDeletionJob; developer guide,
"Deleting users"). A group takes up to 5 PENDING jobs (quotas.py); the task swaps its
rewritten files in only if no other job changed the group's files meanwhile.
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control.describe_list_delete import JOB_SUMMARY, operations
from services.local.control.groups import group_of, group_scoped, queue_job
from services.local.control.quotas import MAX_PENDING_DELETIONS_PER_GROUP
from services.local.errors import LimitExceeded

PENDING, IN_PROGRESS, COMPLETED, FAILED = "PENDING", "IN_PROGRESS", "COMPLETED", "FAILED"
_SUMMARY = ("dataDeletionJobArn", *JOB_SUMMARY, "datasetGroupArn")


def create_data_deletion_job(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    arn = engine.arns.make("data-deletion-job", params["jobName"])
    with engine.tx() as res:
        group = group_of(res, params["datasetGroupArn"])
        jobs = res.all("data-deletion-job", group=group["datasetGroupArn"])
        # AWS counts the PENDING ones; the worker runs a group's jobs one after another.
        if sum(1 for j in jobs if j["status"] == PENDING) >= MAX_PENDING_DELETIONS_PER_GROUP:
            raise LimitExceeded(
                f"Dataset group {group['name']} already has {MAX_PENDING_DELETIONS_PER_GROUP} "
                "data deletion jobs PENDING, the quota per dataset group."
            )
        doc = {
            "jobName": params["jobName"],
            "dataDeletionJobArn": arn,
            "datasetGroupArn": group["datasetGroupArn"],
            "dataSource": params["dataSource"],
            "roleArn": params["roleArn"],
        }
        group_arn = group["datasetGroupArn"]
        queue_job(
            engine,
            res,
            params,
            "data-deletion-job",
            arn,
            doc,
            "delete-data",
            group_arn,
            group_arn,
            pending=PENDING,
        )
    engine.jobs.kick()
    return {"dataDeletionJobArn": arn}


SPEC = group_scoped(
    kind="data-deletion-job",
    summary=_SUMMARY,
    newest_first=True,
    deletable=False,
)


OPERATIONS = operations(SPEC, "DataDeletionJob", create=create_data_deletion_job)
