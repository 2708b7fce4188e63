"""The facade's calls on what serves a trained version: campaigns, recommenders (Domain dataset
groups), metric attributions and batch inference jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.personalize import wire
from services.personalize.calls import Calls
from services.personalize.models import (
    AttributedMetric,
    BatchInferenceJob,
    Campaign,
    MetricAttribution,
    Recommender,
)


def _batch_request(
    name: str, version_arn: str, source: str, target: str, role_arn: str
) -> dict[str, Any]:
    """What CreateBatchInferenceJob and CreateBatchSegmentJob both take: name, version, the
    input file and output folder in S3, and the role Personalize reads and writes them as."""
    return {
        "jobName": name,
        "solutionVersionArn": version_arn,
        "jobInput": {"s3DataSource": {"path": source}},
        "jobOutput": {"s3DataDestination": {"path": target}},
        "roleArn": role_arn,
    }


class DeploymentCalls(Calls):
    """List, describe and change campaigns, recommenders, metric attributions, batch jobs."""

    # --- campaigns --------------------------------------------------------------------------

    def list_campaigns(self, solution_arn: str | None = None) -> list[Campaign]:
        return self._list_of("campaign", wire.campaign, solutionArn=solution_arn)

    def describe_campaign(self, arn: str) -> Campaign:
        return self._describe("campaign", wire.campaign, arn)

    def create_campaign(self, request: Mapping[str, Any]) -> str:
        """CreateCampaign with ``request`` as its parameters (built and checked by
        ``services.workspace.new_campaign.build_request``); returns the campaign's ARN
        (CREATE PENDING until it is ACTIVE).

        Raises ServiceError: InvalidInputException's text names the refused member (a
        campaignConfig the version's recipe does not take), ResourceAlreadyExists for a taken
        name, ResourceInUse for a version that is not ACTIVE, LimitExceeded at the group's
        campaign quota."""
        name = str(request.get("name"))
        return self._start("create_campaign", "campaignArn", name, "Campaign", **request)

    def update_campaign(
        self, campaign_arn: str, version_arn: str, min_provisioned_tps: int | None = None
    ) -> str:
        """Deploy a version; the old one keeps serving until the update is ACTIVE."""
        if min_provisioned_tps is not None and min_provisioned_tps < 1:
            raise ValueError("min_provisioned_tps must be at least 1")
        return self._start(
            "update_campaign",
            "campaignArn",
            campaign_arn,
            campaignArn=campaign_arn,
            solutionVersionArn=version_arn,
            minProvisionedTPS=min_provisioned_tps,
        )

    def update_campaign_config(self, campaign_arn: str, config: Mapping[str, Any]) -> str:
        """UpdateCampaign with a new ``campaignConfig`` only (the served version stays).

        Personalize replaces the whole config, so pass every setting to keep
        (``services.evaluation.playground.exploration_config`` merges them).
        """
        return self._start(
            "update_campaign",
            "campaignArn",
            campaign_arn,
            campaignArn=campaign_arn,
            campaignConfig=dict(config),
        )

    # --- recommenders (Domain dataset groups) -----------------------------------------------

    def list_recommenders(self, dataset_group_arn: str | None = None) -> list[Recommender]:
        return self._list_of("recommender", wire.recommender, datasetGroupArn=dataset_group_arn)

    def describe_recommender(self, arn: str) -> Recommender:
        return self._describe("recommender", wire.recommender, arn)

    def update_recommender_config(self, recommender_arn: str, config: Mapping[str, Any]) -> str:
        """UpdateRecommender with a new ``recommenderConfig`` (API reference
        UpdateRecommender; botocore shape ``RecommenderConfig``). The recommender keeps
        serving with its old config until ``latestRecommenderUpdate`` is ACTIVE.

        The config given is the recommender's new one, so pass every setting to keep
        (``Recommender.config`` merged, as ``playground.exploration_config`` does): a
        ``trainingDataConfig`` left out would change the columns it trains on, which starts a
        full retraining.
        """
        return self._start(
            "update_recommender",
            "recommenderArn",
            recommender_arn,
            recommenderArn=recommender_arn,
            recommenderConfig=dict(config),
        )

    # --- metric attributions --------------------------------------------------------------

    def list_metric_attributions(self, dataset_group_arn: str) -> list[MetricAttribution]:
        return self._list_of(
            "metricAttribution", wire.metric_attribution, datasetGroupArn=dataset_group_arn
        )

    def describe_metric_attribution(self, arn: str) -> MetricAttribution:
        return self._describe("metricAttribution", wire.metric_attribution, arn)

    def list_metric_attribution_metrics(self, arn: str) -> list[AttributedMetric]:
        return self._list_of(
            "metricAttributionMetric",
            wire.attributed_metric,
            key="metrics",
            metricAttributionArn=arn,
        )

    # --- batch inference --------------------------------------------------------------------

    def create_batch_inference_job(
        self,
        name: str,
        solution_version_arn: str,
        input_path: str,
        output_path: str,
        role_arn: str,
        *,
        num_results: int | None = None,
        filter_arn: str | None = None,
    ) -> str:
        """Start a batch job reading JSON Lines from ``input_path``; returns its ARN."""
        return self._start(
            "create_batch_inference_job",
            "batchInferenceJobArn",
            name,
            "Batch inference job",
            **_batch_request(name, solution_version_arn, input_path, output_path, role_arn),
            numResults=num_results,
            filterArn=filter_arn,
        )

    def describe_batch_inference_job(self, arn: str) -> BatchInferenceJob:
        return self._describe("batchInferenceJob", wire.batch_inference_job, arn)

    def list_batch_inference_jobs(
        self, solution_version_arn: str | None = None
    ) -> list[BatchInferenceJob]:
        return self._list_of(
            "batchInferenceJob", wire.batch_inference_job, solutionVersionArn=solution_version_arn
        )

    # --- batch segment jobs (USER_SEGMENTATION recipes) -------------------------------------

    def create_batch_segment_job(
        self, name: str, version_arn: str, source: str, target: str, role_arn: str, users: int
    ) -> str:
        """Start a batch segment job reading JSON Lines (``itemId`` or ``itemAttributes``
        per line) from the ``source`` URI, writing to the ``target`` folder, with up to
        ``users`` users per line; returns its ARN (CreateBatchSegmentJob)."""
        return self._start(
            "create_batch_segment_job",
            "batchSegmentJobArn",
            name,
            "Batch segment job",
            **_batch_request(name, version_arn, source, target, role_arn),
            numResults=users,
        )

    def describe_batch_segment_job(self, arn: str) -> BatchInferenceJob:
        return self._describe("batchSegmentJob", wire.batch_segment_job, arn)
