"""CreateBatchSegmentJob, DescribeBatchSegmentJob, ListBatchSegmentJobs.

A batch segment job answers every JSON line of its input (``{"itemId": …}`` for
aws-item-affinity, ``{"itemAttributes": …}`` for aws-item-attribute-affinity) with the users
most likely to interact, at an ``s3://`` location mapped to a local folder; the worker writes
``<output path>/<input file name>.out`` (``services.local.jobs.tasks.segments``).

Refusals (API reference, CreateBatchSegmentJob, Errors; botocore ``CreateBatchSegmentJobRequest``):
a solution version that is not ACTIVE is ResourceInUseException; one trained with a recipe that
is not USER_SEGMENTATION, a filter that does not filter users (``… UserID …``: "Filtering batch
recommendations and user segments"), numResults outside 1 to 5,000,000 ("The maximum number of
users per segment is 5 million") and an unusable input or output location are
InvalidInputException; an unknown version or filter is ResourceNotFoundException; a taken job
name ResourceAlreadyExistsException; a sixth batch segment job pending or in progress in the
region LimitExceededException (a quota apart from batch inference jobs', quotas.py).
Nothing is created when any of them is raised.
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control.batch import enqueue_batch, queued_job_doc
from services.local.control.describe_list_delete import JOB_SUMMARY, job_spec, operations
from services.local.data.storage.locations import bucket_path, refuse_kms_key, resolve_location
from services.local.data.storage.resources import ACTIVE, expect_kind
from services.local.errors import InvalidInput, ResourceInUse
from services.local.filters.parse import parse_filter
from services.local.models.recipes import get_recipe

MAX_USERS_PER_SEGMENT = 5_000_000
DEFAULT_USERS = 25
_SUMMARY = ("batchSegmentJobArn", *JOB_SUMMARY, "solutionVersionArn")


def create_batch_segment_job(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    """Queue a batch segment job; returns its ARN at once (the worker runs it)."""
    num = params.get("numResults", DEFAULT_USERS)
    if not 1 <= int(num) <= MAX_USERS_PER_SEGMENT:
        raise InvalidInput(
            f"numResults must be between 1 and {MAX_USERS_PER_SEGMENT:,} users per segment, "
            f"not {num}."
        )
    refuse_kms_key(params["jobInput"]["s3DataSource"], "jobInput.s3DataSource")
    refuse_kms_key(params["jobOutput"]["s3DataDestination"], "jobOutput.s3DataDestination")
    resolve_location(
        engine, params["jobInput"]["s3DataSource"]["path"], "jobInput.s3DataSource.path"
    )
    bucket_path(engine, params["jobOutput"]["s3DataDestination"]["path"], "jobOutput path")
    arn = engine.arns.make("batch-segment-job", params["jobName"])
    with engine.tx() as res:
        expect_kind(params["solutionVersionArn"], "solution-version", "solutionVersionArn")
        version = res.get(params["solutionVersionArn"], "solution-version")
        if version["status"] != ACTIVE:
            raise ResourceInUse(f"Solution version is {version['status']}, not ACTIVE.")
        recipe = str(version.get("_recipeName") or version.get("recipeArn", "")).rsplit("/")[-1]
        if get_recipe(recipe).recipe_type != "USER_SEGMENTATION":
            raise InvalidInput(
                f"Batch segment jobs need a solution version of a USER_SEGMENTATION recipe "
                f"(aws-item-affinity, aws-item-attribute-affinity), not {recipe}."
            )
        if params.get("filterArn"):
            expect_kind(params["filterArn"], "filter", "filterArn")
            doc = res.get(params["filterArn"], "filter")
            if parse_filter(doc["filterExpression"]).target != "UserID":
                raise InvalidInput(
                    f"Filter {doc['name']} filters items; a batch segment job takes a filter of "
                    "users (INCLUDE/EXCLUDE UserID WHERE …)."
                )
        doc = queued_job_doc(res, params, {"batchSegmentJobArn": arn}, DEFAULT_USERS)
        enqueue_batch(engine, res, "batch-segment-job", arn, doc, version, params, "segment")
    engine.jobs.kick()
    return {"batchSegmentJobArn": arn}


SPEC = job_spec("batch-segment-job", _SUMMARY, "solutionVersionArn")
OPERATIONS = operations(SPEC, "BatchSegmentJob", create=create_batch_segment_job)
