"""CreateBatchInferenceJob, DescribeBatchInferenceJob, ListBatchInferenceJobs.

Input and output are Personalize's JSON Lines at s3:// locations mapped to local folders; the
worker writes ``<output path>/<input file name>.out`` (see ``services.local.jobs.tasks.batch``).
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control.campaigns import check_campaign_config, check_ranking_influence
from services.local.control.describe_list_delete import ResourceSpec, operations
from services.local.data.locations import bucket_path, resolve_location
from services.local.data.resources import ACTIVE, PENDING, WAITING, expect_kind
from services.local.errors import InvalidInput, LimitExceeded, ResourceInUse
from services.local.models.recipes.capabilities import NO_BATCH_RECIPES

MAX_PENDING_BATCH = 5
_SUMMARY = (
    "batchInferenceJobArn",
    "jobName",
    "status",
    "creationDateTime",
    "lastUpdatedDateTime",
    "failureReason",
    "solutionVersionArn",
    "batchInferenceJobMode",
)


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
        if version.get("recipeArn", "").rsplit("/", 1)[-1] in NO_BATCH_RECIPES:
            raise InvalidInput("Batch inference does not support this recipe.")
        if params.get("filterArn"):
            expect_kind(params["filterArn"], "filter", "filterArn")
            res.get(params["filterArn"], "filter")
        jobs = res.all("batch-inference-job")
        if sum(1 for j in jobs if j["status"] in WAITING) >= MAX_PENDING_BATCH:
            raise LimitExceeded(f"{MAX_PENDING_BATCH} batch inference jobs are already pending.")
        doc = {
            "jobName": params["jobName"],
            "batchInferenceJobArn": arn,
            "solutionVersionArn": params["solutionVersionArn"],
            "numResults": params.get("numResults", 25),
            "jobInput": params["jobInput"],
            "jobOutput": params["jobOutput"],
            "batchInferenceJobConfig": config,
            "roleArn": params["roleArn"],
            "batchInferenceJobMode": mode,
            "status": PENDING,
            "creationDateTime": res.now,
            "lastUpdatedDateTime": res.now,
        }
        if params.get("filterArn"):
            doc["filterArn"] = params["filterArn"]
        res.create(
            arn,
            "batch-inference-job",
            params["jobName"],
            doc,
            parent=params["solutionVersionArn"],
            group=version["datasetGroupArn"],
            tags=params.get("tags"),
        )
        engine.jobs.enqueue(res.conn, "batch", arn)
    engine.jobs.kick()
    return {"batchInferenceJobArn": arn}


SPEC = ResourceSpec(
    kind="batch-inference-job",
    summary=_SUMMARY,
    scope_param="solutionVersionArn",
    scope_by="parent",
    check_scope=False,
    newest_first=True,
)

OPERATIONS = {
    "CreateBatchInferenceJob": create_batch_inference_job,
    **operations(SPEC, "BatchInferenceJob", deletable=False),
}
