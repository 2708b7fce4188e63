"""CreateBatchInferenceJob, DescribeBatchInferenceJob, ListBatchInferenceJobs.

Input and output are Personalize's JSON Lines at s3:// locations mapped to local folders; the
worker writes ``<output path>/<input file name>.out`` (see ``services.local.jobs.tasks.batch``).
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control.campaigns import check_campaign_config, check_ranking_influence
from services.local.control.describe_list_delete import JOB_SUMMARY, job_spec, operations
from services.local.control.groups import queue_job
from services.local.control.quotas import MAX_PENDING_BATCH_INFERENCE, MAX_PENDING_BATCH_SEGMENT
from services.local.data.storage.locations import bucket_path, refuse_kms_key, resolve_location
from services.local.data.storage.resources import ACTIVE, WAITING, Resources, expect_kind
from services.local.errors import InvalidInput, LimitExceeded, ResourceInUse
from services.local.models.recipes.capabilities import NO_BATCH_RECIPES, SEGMENT_RECIPES

# The two quotas of pending or in progress batch jobs in a region, by kind.
_MAX_PENDING = {
    "batch-inference-job": MAX_PENDING_BATCH_INFERENCE,
    "batch-segment-job": MAX_PENDING_BATCH_SEGMENT,
}
_SUMMARY = ("batchInferenceJobArn", *JOB_SUMMARY, "solutionVersionArn", "batchInferenceJobMode")


def create_batch_inference_job(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    mode = params.get("batchInferenceJobMode") or "BATCH_INFERENCE"
    if mode != "BATCH_INFERENCE":
        raise InvalidInput(f"batchInferenceJobMode {mode} is not supported by the local engine.")
    if params.get("themeGenerationConfig") is not None:
        # API reference CreateBatchInferenceJob: themeGenerationConfig is for the
        # THEME_GENERATION mode (Content Generator themes), which needs a generative model the
        # local engine does not have; with BATCH_INFERENCE nothing would read it.
        raise InvalidInput(
            "themeGenerationConfig goes with batchInferenceJobMode THEME_GENERATION, which the "
            "local engine does not support."
        )
    config = params.get("batchInferenceJobConfig") or {}
    check_campaign_config(config)
    refuse_kms_key(params["jobInput"]["s3DataSource"], "jobInput.s3DataSource")
    refuse_kms_key(params["jobOutput"]["s3DataDestination"], "jobOutput.s3DataDestination")
    resolve_location(
        engine, params["jobInput"]["s3DataSource"]["path"], "jobInput.s3DataSource.path"
    )
    out = params["jobOutput"]["s3DataDestination"]["path"]
    bucket_path(engine, out, "jobOutput.s3DataDestination.path")
    arn = engine.arns.make("batch-inference-job", params["jobName"])
    with engine.tx() as res:
        expect_kind(params["solutionVersionArn"], "solution-version", "solutionVersionArn")
        version = res.get(params["solutionVersionArn"], "solution-version")
        check_ranking_influence(config, version)
        if version["status"] != ACTIVE:
            raise ResourceInUse(f"Solution version is {version['status']}, not ACTIVE.")
        recipe = version.get("recipeArn", "").rsplit("/", 1)[-1]
        if recipe in NO_BATCH_RECIPES:
            raise InvalidInput("Batch inference does not support this recipe.")
        if recipe in SEGMENT_RECIPES:
            raise InvalidInput(
                f"{recipe} (USER_SEGMENTATION) gives user segments: create a batch segment job."
            )
        if params.get("filterArn"):
            expect_kind(params["filterArn"], "filter", "filterArn")
            res.get(params["filterArn"], "filter")
        doc = queued_job_doc(res, params, {"batchInferenceJobArn": arn}, 25)
        doc.update(batchInferenceJobConfig=config, batchInferenceJobMode=mode)
        enqueue_batch(engine, res, "batch-inference-job", arn, doc, version, params, "batch")
    engine.jobs.kick()
    return {"batchInferenceJobArn": arn}


def queued_job_doc(
    res: Resources, params: dict[str, Any], arn: dict[str, str], default_results: int
) -> dict[str, Any]:
    """The document of a new batch inference or segment job (``arn``: its ARN member)."""
    doc = {
        "jobName": params["jobName"],
        **arn,
        "solutionVersionArn": params["solutionVersionArn"],
        "numResults": int(params.get("numResults", default_results)),
        "jobInput": params["jobInput"],
        "jobOutput": params["jobOutput"],
        "roleArn": params["roleArn"],
    }
    if params.get("filterArn"):
        doc["filterArn"] = params["filterArn"]
    return doc


def enqueue_batch(
    engine: EngineContext,
    res: Resources,
    kind: str,
    arn: str,
    doc: dict[str, Any],
    version: dict[str, Any],
    params: dict[str, Any],
    job: str,
) -> None:
    """Store a new batch job of ``kind`` under its solution version and queue it as ``job``.

    Raises:
        LimitExceeded: 5 jobs of ``kind`` are already waiting in the region (batch inference
            and batch segment jobs are two quotas, quotas.py).
    """
    limit = _MAX_PENDING[kind]
    if sum(1 for j in res.all(kind) if j["status"] in WAITING) >= limit:
        noun = kind.replace("-", " ")
        raise LimitExceeded(f"{limit} {noun}s are already pending or in progress in the region.")
    parent, group = params["solutionVersionArn"], version["datasetGroupArn"]
    queue_job(engine, res, params, kind, arn, doc, job, parent, group)


SPEC = job_spec("batch-inference-job", _SUMMARY, "solutionVersionArn")
OPERATIONS = operations(SPEC, "BatchInferenceJob", create=create_batch_inference_job)
