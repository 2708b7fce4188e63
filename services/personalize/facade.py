"""The typed facade over the three Personalize boto3 clients: the only code pages call.

It hides paginators, turns wire dicts into frozen dataclasses (``services.personalize.models``) and
botocore
errors into ``services.errors`` with actionable messages. It holds nothing but boto3 clients, so
it behaves the same against AWS and the local engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from services.personalize import wire, wire_errors
from services.personalize.models import (
    Algorithm,
    AttributedMetric,
    BatchInferenceJob,
    Campaign,
    Dataset,
    DatasetExportJob,
    DatasetGroup,
    Event,
    EventTracker,
    FeatureTransformation,
    Filter,
    ImportJob,
    MetricAttribution,
    Recipe,
    RecommendationList,
    Recommender,
    Schema,
    Solution,
    SolutionVersion,
    is_terminal,
    short_arn,
)

__all__ = ["PersonalizeService", "filter_value", "is_terminal", "short_arn"]

PAGE_SIZE = 100  # the API maximum for maxResults: fewest round trips
MAX_RESULTS = 500  # GetRecommendations numResults and GetPersonalizedRanking inputList limit
MAX_RESULTS_WITH_METADATA = 50  # numResults limit when metadataColumns are asked for
# GetActionRecommendations numResults: "The default is 5. The maximum is 100." (botocore shape)
MAX_ACTIONS = 100
EVENTS_PER_CALL = 10  # PutEvents accepts at most 10 events per request
_EPOCH = datetime.min.replace(tzinfo=UTC)
# What botocore's parsers raise on a body that does not fit the output shape (a string where a
# list is due, a date that is not one), and what clients.refuse_unreadable_bodies raises on a
# body that is not JSON; a member missing from an answer is reported by ``wire_errors.checked``.
_UNPARSEABLE = (AttributeError, TypeError, ValueError, ResponseParserError)

T = TypeVar("T")
Dated = TypeVar("Dated", SolutionVersion, ImportJob)


class ClientBundle(Protocol):
    """What ``services.personalize.clients.Clients`` provides: the three boto3 clients."""

    @property
    def personalize(self) -> Any: ...
    @property
    def runtime(self) -> Any: ...
    @property
    def events(self) -> Any: ...


def filter_value(values: Sequence[str]) -> str:
    """Quote and comma-join string values for ``filterValues`` (``"a","b"``)."""
    return ",".join('"' + v.replace('"', '\\"') + '"' for v in values)


def _compact(**params: Any) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _filter_values(values: Mapping[str, str | Sequence[str]] | None) -> dict[str, str] | None:
    if not values:
        return None
    return {k: v if isinstance(v, str) else filter_value(v) for k, v in values.items()}


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


def _newest_first(items: list[Dated]) -> list[Dated]:
    return sorted(items, key=lambda x: x.created or _EPOCH, reverse=True)


class PersonalizeService:
    """Personalize for pages: list/describe resources, start work, get recommendations."""

    def __init__(self, clients: ClientBundle) -> None:
        self._p = clients.personalize
        self._runtime = clients.runtime
        self._events = clients.events

    # --- plumbing ---------------------------------------------------------------------------

    def _call(
        self,
        client: Any,
        method: str,
        target: str | None = None,
        kind: str | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        operation = client.meta.method_to_api_mapping.get(method, method)
        try:
            resp = getattr(client, method)(**kw)
        except (ClientError, BotoCoreError) as err:
            raise wire_errors.translate_error(err, operation, target, kind) from err
        except _UNPARSEABLE as err:  # botocore met a member of the wrong type, or a bad date
            raise wire_errors.malformed(operation, str(err)) from err
        answer: dict[str, Any] = wire_errors.checked(resp, operation)
        return answer

    def _list(
        self, method: str, key: str, parse: Callable[[Any], T], target: str | None = None, **kw: Any
    ) -> list[T]:
        operation = self._p.meta.method_to_api_mapping.get(method, method)
        pages = self._p.get_paginator(method).paginate(
            **_compact(**kw), PaginationConfig={"PageSize": PAGE_SIZE}
        )
        try:
            return [
                parse(wire_errors.checked(item, operation))
                for page in pages
                for item in page.get(key, [])
            ]
        except (ClientError, BotoCoreError) as err:
            raise wire_errors.translate_error(err, operation, target) from err
        except _UNPARSEABLE as err:
            raise wire_errors.malformed(operation, str(err)) from err

    # --- dataset groups, schemas, datasets, imports -----------------------------------------

    def list_dataset_groups(self) -> list[DatasetGroup]:
        return self._list("list_dataset_groups", "datasetGroups", wire.dataset_group)

    def describe_dataset_group(self, arn: str) -> DatasetGroup:
        resp = self._call(self._p, "describe_dataset_group", arn, datasetGroupArn=arn)
        return wire.dataset_group(resp["datasetGroup"])

    def list_schemas(self) -> list[Schema]:
        return self._list("list_schemas", "schemas", wire.schema)

    def describe_schema(self, arn: str) -> Schema:
        """The schema with its fields parsed from the Avro JSON."""
        return wire.schema(self._call(self._p, "describe_schema", arn, schemaArn=arn)["schema"])

    def list_datasets(self, dataset_group_arn: str) -> list[Dataset]:
        return self._list(
            "list_datasets",
            "datasets",
            wire.dataset,
            dataset_group_arn,
            datasetGroupArn=dataset_group_arn,
        )

    def describe_dataset(self, arn: str) -> Dataset:
        return wire.dataset(self._call(self._p, "describe_dataset", arn, datasetArn=arn)["dataset"])

    def list_import_jobs(self, dataset_arn: str) -> list[ImportJob]:
        """Import jobs of one dataset, newest first."""
        jobs = self._list(
            "list_dataset_import_jobs",
            "datasetImportJobs",
            wire.import_job,
            dataset_arn,
            datasetArn=dataset_arn,
        )
        return _newest_first(jobs)

    def describe_import_job(self, arn: str) -> ImportJob:
        resp = self._call(self._p, "describe_dataset_import_job", arn, datasetImportJobArn=arn)
        return wire.import_job(resp["datasetImportJob"])

    def create_dataset_import_job(
        self,
        name: str,
        dataset_arn: str,
        data_location: str,
        *,
        role_arn: str | None = None,
        import_mode: str = "FULL",
    ) -> str:
        """Start importing ``data_location`` (``s3://bucket/key``; the local engine reads it from
        ``<data_dir>/s3/bucket/key``) into a dataset; returns the job ARN."""
        if import_mode not in ("FULL", "INCREMENTAL"):
            raise ValueError(f"import_mode must be 'FULL' or 'INCREMENTAL', not {import_mode!r}")
        resp = self._call(
            self._p,
            "create_dataset_import_job",
            name,
            "Import job",
            **_compact(
                jobName=name,
                datasetArn=dataset_arn,
                dataSource={"dataLocation": data_location},
                roleArn=role_arn,
                importMode=import_mode,
            ),
        )
        arn: str = resp["datasetImportJobArn"]
        return arn

    # --- event trackers, filters, recipes ---------------------------------------------------

    def list_event_trackers(self, dataset_group_arn: str) -> list[EventTracker]:
        return self._list(
            "list_event_trackers",
            "eventTrackers",
            wire.event_tracker,
            dataset_group_arn,
            datasetGroupArn=dataset_group_arn,
        )

    def describe_event_tracker(self, arn: str) -> EventTracker:
        resp = self._call(self._p, "describe_event_tracker", arn, eventTrackerArn=arn)
        return wire.event_tracker(resp["eventTracker"])

    def list_filters(self, dataset_group_arn: str) -> list[Filter]:
        return self._list(
            "list_filters",
            "Filters",
            wire.filter_,
            dataset_group_arn,
            datasetGroupArn=dataset_group_arn,
        )

    def describe_filter(self, arn: str) -> Filter:
        return wire.filter_(self._call(self._p, "describe_filter", arn, filterArn=arn)["filter"])

    def create_filter(self, name: str, dataset_group_arn: str, expression: str) -> str:
        """CreateFilter; returns the filter's ARN (CREATE PENDING until it is ACTIVE).

        Raises ServiceError with the service's own text for an expression it refuses
        (InvalidInputException), a name in use, or the group's 10-filter quota.
        """
        resp = self._call(
            self._p,
            "create_filter",
            name,
            "Filter",
            name=name,
            datasetGroupArn=dataset_group_arn,
            filterExpression=expression,
        )
        arn: str = resp["filterArn"]
        return arn

    def list_recipes(self, domain: str | None = None) -> list[Recipe]:
        return self._list("list_recipes", "recipes", wire.recipe, domain=domain)

    def describe_recipe(self, arn: str) -> Recipe:
        return wire.recipe(self._call(self._p, "describe_recipe", arn, recipeArn=arn)["recipe"])

    def describe_algorithm(self, arn: str) -> Algorithm:
        """A recipe's algorithm (``Recipe.algorithm_arn``): its hyperparameters' defaults and
        ranges (DescribeAlgorithm)."""
        resp = self._call(self._p, "describe_algorithm", arn, algorithmArn=arn)
        return wire.algorithm(resp["algorithm"])

    def describe_feature_transformation(self, arn: str) -> FeatureTransformation:
        """A recipe's feature transformation and its default parameters
        (DescribeFeatureTransformation)."""
        resp = self._call(
            self._p, "describe_feature_transformation", arn, featureTransformationArn=arn
        )
        return wire.feature_transformation(resp["featureTransformation"])

    # --- solutions and versions -------------------------------------------------------------

    def list_solutions(self, dataset_group_arn: str | None = None) -> list[Solution]:
        return self._list(
            "list_solutions",
            "solutions",
            wire.solution,
            dataset_group_arn,
            datasetGroupArn=dataset_group_arn,
        )

    def describe_solution(self, arn: str) -> Solution:
        resp = self._call(self._p, "describe_solution", arn, solutionArn=arn)
        return wire.solution(resp["solution"])

    def create_solution(self, request: Mapping[str, Any]) -> str:
        """CreateSolution with ``request`` as its parameters (built and checked by
        ``services.workspace.new_solution.build_request``); returns the solution's ARN.

        Raises ServiceError: InvalidInputException's text names the refused parameter (a
        hyperparameter out of range, a bad schedule), LimitExceeded at 10 solutions a group,
        ResourceAlreadyExists for a taken name."""
        resp = self._call(
            self._p, "create_solution", str(request.get("name")), "Solution", **request
        )
        arn: str = resp["solutionArn"]
        return arn

    def list_solution_versions(self, solution_arn: str) -> list[SolutionVersion]:
        """Versions of one solution, newest first."""
        versions = self._list(
            "list_solution_versions",
            "solutionVersions",
            wire.solution_version,
            solution_arn,
            solutionArn=solution_arn,
        )
        return _newest_first(versions)

    def describe_solution_version(self, arn: str) -> SolutionVersion:
        resp = self._call(self._p, "describe_solution_version", arn, solutionVersionArn=arn)
        return wire.solution_version(resp["solutionVersion"])

    def get_solution_metrics(self, version_arn: str) -> dict[str, float]:
        """Offline metrics of an ACTIVE version, keyed as Personalize names them."""
        resp = self._call(
            self._p, "get_solution_metrics", version_arn, solutionVersionArn=version_arn
        )
        return {k: float(v) for k, v in (resp.get("metrics") or {}).items()}

    def create_solution_version(
        self, solution_arn: str, training_mode: str = "FULL", name: str | None = None
    ) -> str:
        """Start training (billed); returns the new version's ARN."""
        if training_mode not in ("FULL", "UPDATE"):
            raise ValueError(f"training_mode must be 'FULL' or 'UPDATE', not {training_mode!r}")
        resp = self._call(
            self._p,
            "create_solution_version",
            solution_arn,
            **_compact(solutionArn=solution_arn, trainingMode=training_mode, name=name),
        )
        arn: str = resp["solutionVersionArn"]
        return arn

    def stop_solution_version(self, version_arn: str) -> None:
        """Stop a version that is still training (billed up to that point, not resumable)."""
        self._call(
            self._p, "stop_solution_version_creation", version_arn, solutionVersionArn=version_arn
        )

    # --- campaigns --------------------------------------------------------------------------

    def list_campaigns(self, solution_arn: str | None = None) -> list[Campaign]:
        return self._list(
            "list_campaigns", "campaigns", wire.campaign, solution_arn, solutionArn=solution_arn
        )

    def describe_campaign(self, arn: str) -> Campaign:
        resp = self._call(self._p, "describe_campaign", arn, campaignArn=arn)
        return wire.campaign(resp["campaign"])

    def update_campaign(
        self, campaign_arn: str, version_arn: str, min_provisioned_tps: int | None = None
    ) -> str:
        """Deploy a version; the old one keeps serving until the update is ACTIVE."""
        if min_provisioned_tps is not None and min_provisioned_tps < 1:
            raise ValueError("min_provisioned_tps must be at least 1")
        resp = self._call(
            self._p,
            "update_campaign",
            campaign_arn,
            **_compact(
                campaignArn=campaign_arn,
                solutionVersionArn=version_arn,
                minProvisionedTPS=min_provisioned_tps,
            ),
        )
        arn: str = resp["campaignArn"]
        return arn

    def update_campaign_config(self, campaign_arn: str, config: Mapping[str, Any]) -> str:
        """UpdateCampaign with a new ``campaignConfig`` only (the served version stays).

        Personalize replaces the whole config, so pass every setting to keep
        (``services.evaluation.playground.exploration_config`` merges them).
        """
        resp = self._call(
            self._p,
            "update_campaign",
            campaign_arn,
            campaignArn=campaign_arn,
            campaignConfig=dict(config),
        )
        arn: str = resp["campaignArn"]
        return arn

    # --- recommenders (Domain dataset groups) -----------------------------------------------

    def list_recommenders(self, dataset_group_arn: str | None = None) -> list[Recommender]:
        return self._list(
            "list_recommenders",
            "recommenders",
            wire.recommender,
            dataset_group_arn,
            datasetGroupArn=dataset_group_arn,
        )

    def describe_recommender(self, arn: str) -> Recommender:
        resp = self._call(self._p, "describe_recommender", arn, recommenderArn=arn)
        return wire.recommender(resp["recommender"])

    # --- metric attributions --------------------------------------------------------------

    def list_metric_attributions(self, dataset_group_arn: str) -> list[MetricAttribution]:
        return self._list(
            "list_metric_attributions",
            "metricAttributions",
            wire.metric_attribution,
            dataset_group_arn,
            datasetGroupArn=dataset_group_arn,
        )

    def describe_metric_attribution(self, arn: str) -> MetricAttribution:
        resp = self._call(self._p, "describe_metric_attribution", arn, metricAttributionArn=arn)
        return wire.metric_attribution(resp["metricAttribution"])

    def list_metric_attribution_metrics(self, arn: str) -> list[AttributedMetric]:
        return self._list(
            "list_metric_attribution_metrics",
            "metrics",
            wire.attributed_metric,
            arn,
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
        return self._create_batch_job(
            "create_batch_inference_job",
            "Batch inference job",
            "batchInferenceJobArn",
            **_batch_request(name, solution_version_arn, input_path, output_path, role_arn),
            numResults=num_results,
            filterArn=filter_arn,
        )

    def _create_batch_job(self, method: str, kind: str, arn_key: str, **params: Any) -> str:
        resp = self._call(self._p, method, params["jobName"], kind, **_compact(**params))
        arn: str = resp[arn_key]
        return arn

    def describe_batch_inference_job(self, arn: str) -> BatchInferenceJob:
        resp = self._call(self._p, "describe_batch_inference_job", arn, batchInferenceJobArn=arn)
        return wire.batch_inference_job(resp["batchInferenceJob"])

    def list_batch_inference_jobs(
        self, solution_version_arn: str | None = None
    ) -> list[BatchInferenceJob]:
        return self._list(
            "list_batch_inference_jobs",
            "batchInferenceJobs",
            wire.batch_inference_job,
            solution_version_arn,
            solutionVersionArn=solution_version_arn,
        )

    # --- batch segment jobs (USER_SEGMENTATION recipes) -------------------------------------

    def create_batch_segment_job(
        self, name: str, version_arn: str, source: str, target: str, role_arn: str, users: int
    ) -> str:
        """Start a batch segment job reading JSON Lines (``itemId`` or ``itemAttributes``
        per line) from the ``source`` URI, writing to the ``target`` folder, with up to
        ``users`` users per line; returns its ARN (CreateBatchSegmentJob)."""
        return self._create_batch_job(
            "create_batch_segment_job",
            "Batch segment job",
            "batchSegmentJobArn",
            **_batch_request(name, version_arn, source, target, role_arn),
            numResults=users,
        )

    def describe_batch_segment_job(self, arn: str) -> BatchInferenceJob:
        resp = self._call(self._p, "describe_batch_segment_job", arn, batchSegmentJobArn=arn)
        return wire.batch_segment_job(resp["batchSegmentJob"])

    # --- runtime and events -----------------------------------------------------------------

    def get_recommendations(
        self,
        campaign_arn: str,
        user_id: str | None = None,
        item_id: str | None = None,
        num_results: int = 25,
        filter_arn: str | None = None,
        filter_values: Mapping[str, str | Sequence[str]] | None = None,
        metadata_columns: Sequence[str] = (),
        promotions: Sequence[Mapping[str, Any]] = (),
    ) -> RecommendationList:
        """Recommendations for a user (user recipes) or related to an item (related-items).

        ``campaign_arn`` may also be a recommender's ARN (sent as ``recommenderArn``).
        ``filter_values`` maps a filter parameter to a ready string or to values to quote;
        ``metadata_columns`` names Items columns to return with each item (the campaign or
        recommender must have metadata enabled; at most 50 results then); ``promotions`` are
        sent as given (GetRecommendations' ``Promotion`` shape: name, percentPromotedItems,
        filterArn, filterValues).
        """
        if user_id is None and item_id is None:
            raise ValueError("pass user_id (user recipes) or item_id (related-items recipes)")
        limit = MAX_RESULTS_WITH_METADATA if metadata_columns else MAX_RESULTS
        if not 1 <= num_results <= limit:
            raise ValueError(f"num_results must be between 1 and {limit}")
        source = "recommenderArn" if ":recommender/" in campaign_arn else "campaignArn"
        resp = self._call(
            self._runtime,
            "get_recommendations",
            campaign_arn,
            **_compact(
                **{source: campaign_arn},
                metadataColumns={"ITEMS": list(metadata_columns)} if metadata_columns else None,
                userId=user_id,
                itemId=item_id,
                numResults=num_results,
                filterArn=filter_arn,
                filterValues=_filter_values(filter_values),
                promotions=[dict(p) for p in promotions] or None,
            ),
        )
        return wire.recommendation_list(resp.get("itemList", []), resp.get("recommendationId"))

    def get_personalized_ranking(
        self,
        campaign_arn: str,
        user_id: str,
        items: Sequence[str],
        filter_arn: str | None = None,
        filter_values: Mapping[str, str | Sequence[str]] | None = None,
    ) -> RecommendationList:
        """``items`` re-ordered for ``user_id`` by a personalized-ranking campaign."""
        if not 1 <= len(items) <= MAX_RESULTS:
            raise ValueError(f"pass between 1 and {MAX_RESULTS} items to rank")
        resp = self._ask(
            "get_personalized_ranking",
            campaign_arn,
            filter_arn,
            filter_values,
            userId=user_id,
            inputList=list(items),
        )
        return wire.recommendation_list(
            resp.get("personalizedRanking", []), resp.get("recommendationId")
        )

    def get_action_recommendations(
        self,
        campaign_arn: str,
        user_id: str | None = None,
        num_results: int = 5,
        filter_arn: str | None = None,
        filter_values: Mapping[str, str | Sequence[str]] | None = None,
    ) -> RecommendationList:
        """The actions ``user_id`` will most likely take, from a campaign of a
        PERSONALIZED_ACTIONS recipe (Next-Best-Action), best first; each entry's ``item_id`` is
        an action ID and ``score`` its propensity (GetActionRecommendations' ``actionList``).

        Raises:
            ValueError: ``num_results`` outside 1-100 (GetActionRecommendations' maximum).
        """
        if not 1 <= num_results <= MAX_ACTIONS:
            raise ValueError(f"num_results must be between 1 and {MAX_ACTIONS}")
        resp = self._ask(
            "get_action_recommendations",
            campaign_arn,
            filter_arn,
            filter_values,
            userId=user_id,
            numResults=num_results,
        )
        return wire.action_list(resp.get("actionList", []), resp.get("recommendationId"))

    def _ask(
        self,
        operation: str,
        campaign_arn: str,
        filter_arn: str | None,
        filter_values: Mapping[str, str | Sequence[str]] | None,
        **members: Any,
    ) -> Any:
        """A runtime request of a campaign, with its filter (members that are None left out)."""
        return self._call(
            self._runtime,
            operation,
            campaign_arn,
            **_compact(
                campaignArn=campaign_arn,
                filterArn=filter_arn,
                filterValues=_filter_values(filter_values),
                **members,
            ),
        )

    def put_events(
        self, tracking_id: str, session_id: str, events: Sequence[Event], user_id: str | None = None
    ) -> int:
        """Send events through an event tracker, 10 per request; returns how many were sent."""
        if not events:
            raise ValueError("pass at least one event")
        for start in range(0, len(events), EVENTS_PER_CALL):
            batch = [_event_wire(e) for e in events[start : start + EVENTS_PER_CALL]]
            self._call(
                self._events,
                "put_events",
                None,
                "Event tracker",
                **_compact(
                    trackingId=tracking_id, userId=user_id, sessionId=session_id, eventList=batch
                ),
            )
        return len(events)

    # --- dataset export (reading data back) -------------------------------------------------

    def create_dataset_export_job(
        self,
        name: str,
        dataset_arn: str,
        output_path: str,
        role_arn: str,
        ingestion_mode: str = "ALL",
    ) -> str:
        """Start exporting a dataset as CSV to ``output_path`` (``s3://bucket/prefix/``); the
        files land under ``<output_path><name>/``. Returns the job ARN."""
        if ingestion_mode not in ("BULK", "PUT", "ALL"):
            raise ValueError(f"ingestion_mode must be BULK, PUT or ALL, not {ingestion_mode!r}")
        resp = self._call(
            self._p,
            "create_dataset_export_job",
            name,
            "Export job",
            jobName=name,
            datasetArn=dataset_arn,
            ingestionMode=ingestion_mode,
            roleArn=role_arn,
            jobOutput={"s3DataDestination": {"path": output_path}},
        )
        arn: str = resp["datasetExportJobArn"]
        return arn

    def describe_dataset_export_job(self, arn: str) -> DatasetExportJob:
        resp = self._call(self._p, "describe_dataset_export_job", arn, datasetExportJobArn=arn)
        return wire.dataset_export_job(resp["datasetExportJob"])


def _event_wire(event: Event) -> dict[str, Any]:
    return _compact(
        eventType=event.event_type,
        sentAt=event.sent_at,
        itemId=event.item_id,
        eventValue=event.event_value,
        eventId=event.event_id,
        recommendationId=event.recommendation_id,
        impression=list(event.impression) or None,
        properties=json.dumps(dict(event.properties)) if event.properties else None,
    )
