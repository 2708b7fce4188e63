"""The facade against botocore Stubbers: every request is checked against the service model."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import EndpointConnectionError, NoCredentialsError

from services import errors
from services.personalize.facade import PersonalizeService, filter_value
from services.personalize.models import (
    Event,
    SchemaField,
    is_terminal,
    names_resource,
    resource_label,
    short_arn,
)

A = "arn:aws:personalize:us-east-1:123456789012"
GROUP = f"{A}:dataset-group/shop"
DATASET = f"{A}:dataset/shop/INTERACTIONS"
SOLUTION = f"{A}:solution/shop-up"
V1, V2 = f"{SOLUTION}/5548c91f", f"{SOLUTION}/a1b2c3d4"
CAMPAIGN = f"{A}:campaign/shop-recs"
T0 = datetime(2024, 1, 1, tzinfo=UTC)
PAGE = {"maxResults": 100}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


# --- pure helpers -------------------------------------------------------------------------


def test_short_arn_is_the_last_path_part() -> None:
    assert short_arn(CAMPAIGN) == "shop-recs"
    assert short_arn(V1) == "5548c91f"
    assert short_arn("arn:aws:personalize:::recipe/aws-user-personalization") == (
        "aws-user-personalization"
    )


def test_an_arn_names_its_resource_and_those_under_it() -> None:
    assert names_resource(SOLUTION, SOLUTION)
    assert names_resource(V1, SOLUTION)  # a version lies under its solution
    assert not names_resource(SOLUTION, V1)
    assert not names_resource(f"{SOLUTION}2", SOLUTION)  # shop-up2 is another solution
    assert not names_resource(V1, CAMPAIGN)


def test_resource_label_names_kinds_for_messages() -> None:
    assert resource_label(CAMPAIGN) == ("Campaign", "shop-recs")
    assert resource_label(V1) == ("Solution version", "shop-up/5548c91f")
    assert resource_label(f"{SOLUTION}/$LATEST") == ("Latest version of solution", "shop-up")
    assert resource_label(GROUP) == ("Dataset group", "shop")
    assert resource_label("not-an-arn") == ("Resource", "not-an-arn")


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        ("ACTIVE", True),
        ("CREATE FAILED", True),
        ("CREATE STOPPED", True),
        ("CREATE PENDING", False),
        ("CREATE IN_PROGRESS", False),
        ("CREATE STOPPING", False),
        ("DELETE PENDING", False),
        ("IN PROGRESS", False),
        ("", False),
    ],
)
def test_is_terminal(status: str, terminal: bool) -> None:
    assert is_terminal(status) is terminal


def test_filter_value_quotes_and_joins() -> None:
    assert filter_value(["comedy", "drama"]) == '"comedy","drama"'


# --- pagination and lists -----------------------------------------------------------------


def test_list_dataset_groups_follows_next_token(service: PersonalizeService, stubs) -> None:
    g2 = f"{A}:dataset-group/other"
    stubs.personalize.add_response(
        "list_dataset_groups",
        {
            "datasetGroups": [{"name": "shop", "datasetGroupArn": GROUP, "status": "ACTIVE"}],
            "nextToken": "page-2",
        },
        PAGE,
    )
    stubs.personalize.add_response(
        "list_dataset_groups",
        {"datasetGroups": [{"name": "other", "datasetGroupArn": g2, "status": "CREATE PENDING"}]},
        {**PAGE, "nextToken": "page-2"},
    )
    groups = service.list_dataset_groups()
    assert [(g.name, g.status) for g in groups] == [("shop", "ACTIVE"), ("other", "CREATE PENDING")]


def test_list_solution_versions_newest_first_across_pages(
    service: PersonalizeService, stubs
) -> None:
    stubs.personalize.add_response(
        "list_solution_versions",
        {
            "solutionVersions": [
                {"solutionVersionArn": V1, "status": "ACTIVE", "creationDateTime": at(0)}
            ],
            "nextToken": "t",
        },
        {**PAGE, "solutionArn": SOLUTION},
    )
    stubs.personalize.add_response(
        "list_solution_versions",
        {
            "solutionVersions": [
                {
                    "solutionVersionArn": V2,
                    "status": "CREATE IN_PROGRESS",
                    "trainingMode": "FULL",
                    "creationDateTime": at(5),
                }
            ]
        },
        {**PAGE, "solutionArn": SOLUTION, "nextToken": "t"},
    )
    versions = service.list_solution_versions(SOLUTION)
    assert [v.arn for v in versions] == [V2, V1]
    assert versions[0].training_mode == "FULL"
    assert versions[1].solution == SOLUTION


def test_list_import_jobs_newest_first(service: PersonalizeService, stubs) -> None:
    stubs.personalize.add_response(
        "list_dataset_import_jobs",
        {
            "datasetImportJobs": [
                {
                    "datasetImportJobArn": f"{A}:dataset-import-job/old",
                    "jobName": "old",
                    "status": "ACTIVE",
                    "creationDateTime": at(0),
                    "lastUpdatedDateTime": at(1),
                },
                {
                    "datasetImportJobArn": f"{A}:dataset-import-job/new",
                    "jobName": "new",
                    "status": "CREATE IN_PROGRESS",
                    "importMode": "INCREMENTAL",
                    "creationDateTime": at(2),
                    "lastUpdatedDateTime": at(2),
                },
            ]
        },
        {**PAGE, "datasetArn": DATASET},
    )
    new, old = service.list_import_jobs(DATASET)
    assert (new.name, new.import_mode, new.completed) == ("new", "INCREMENTAL", None)
    assert (old.name, old.completed) == ("old", at(1))


@pytest.mark.parametrize(
    ("method", "args", "operation", "key", "params", "item", "check"),
    [
        (
            "list_datasets", (GROUP,), "list_datasets", "datasets", {"datasetGroupArn": GROUP},
            {"name": "i", "datasetArn": DATASET, "datasetType": "Interactions", "status": "ACTIVE"},
            lambda d: d.dataset_type == "INTERACTIONS",
        ),
        (
            "list_event_trackers", (GROUP,), "list_event_trackers", "eventTrackers",
            {"datasetGroupArn": GROUP},
            {"name": "t", "eventTrackerArn": f"{A}:event-tracker/d2e7ccdc", "status": "ACTIVE"},
            lambda t: t.name == "t" and t.tracking_id is None,
        ),
        (
            "list_filters", (GROUP,), "list_filters", "Filters", {"datasetGroupArn": GROUP},
            {"name": "no-bought", "filterArn": f"{A}:filter/no-bought", "status": "ACTIVE"},
            lambda f: f.name == "no-bought",
        ),
        (
            "list_recipes", (), "list_recipes", "recipes", {},
            {"name": "aws-sims", "recipeArn": "arn:aws:personalize:::recipe/aws-sims",
             "status": "ACTIVE"},
            lambda r: r.name == "aws-sims",
        ),
        (
            "list_schemas", (), "list_schemas", "schemas", {},
            {"name": "s", "schemaArn": f"{A}:schema/s"},
            lambda s: s.name == "s" and s.fields == (),
        ),
        (
            "list_solutions", (GROUP,), "list_solutions", "solutions", {"datasetGroupArn": GROUP},
            {"name": "shop-up", "solutionArn": SOLUTION, "status": "ACTIVE",
             "recipeArn": "arn:aws:personalize:::recipe/aws-user-personalization"},
            lambda s: s.recipe_arn.endswith("aws-user-personalization"),
        ),
        (
            "list_campaigns", (SOLUTION,), "list_campaigns", "campaigns",
            {"solutionArn": SOLUTION},
            {"name": "shop-recs", "campaignArn": CAMPAIGN, "status": "ACTIVE"},
            lambda c: c.name == "shop-recs" and c.pending_update is None,
        ),
        (
            "list_batch_inference_jobs", (V1,), "list_batch_inference_jobs",
            "batchInferenceJobs", {"solutionVersionArn": V1},
            {"jobName": "nightly", "batchInferenceJobArn": f"{A}:batch-inference-job/nightly",
             "status": "ACTIVE", "solutionVersionArn": V1},
            lambda j: j.name == "nightly" and j.solution_version_arn == V1,
        ),
    ],
)  # fmt: skip
def test_lists_parse_summaries(
    service: PersonalizeService, stubs, method, args, operation, key, params, item, check
) -> None:
    stubs.personalize.add_response(operation, {key: [item]}, {**PAGE, **params})
    (parsed,) = getattr(service, method)(*args)
    assert check(parsed)


# --- describes ----------------------------------------------------------------------------


def test_describe_schema_parses_avro_fields(service: PersonalizeService, stubs) -> None:
    avro = {
        "type": "record",
        "name": "Interactions",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "USER_ID", "type": "string"},
            {"name": "TIMESTAMP", "type": "long"},
            {"name": "EVENT_VALUE", "type": ["null", "float"]},
            {"name": "GENRE", "type": ["null", "string"], "categorical": True},
        ],
        "version": "1.0",
    }
    arn = f"{A}:schema/interactions"
    stubs.personalize.add_response(
        "describe_schema",
        {"schema": {"name": "interactions", "schemaArn": arn, "schema": json.dumps(avro)}},
        {"schemaArn": arn},
    )
    schema = service.describe_schema(arn)
    assert schema.fields == (
        SchemaField("USER_ID", "string", False, False),
        SchemaField("TIMESTAMP", "long", False, False),
        SchemaField("EVENT_VALUE", "float", True, False),
        SchemaField("GENRE", "string", True, True),
    )
    name, type_, nullable, categorical, _ = schema.fields[3]
    assert (name, type_, nullable, categorical) == ("GENRE", "string", True, True)


def test_describe_dataset_group_and_dataset(service: PersonalizeService, stubs) -> None:
    stubs.personalize.add_response(
        "describe_dataset_group",
        {"datasetGroup": {"name": "shop", "datasetGroupArn": GROUP, "status": "ACTIVE",
                          "domain": "ECOMMERCE", "creationDateTime": at(0)}},
        {"datasetGroupArn": GROUP},
    )  # fmt: skip
    stubs.personalize.add_response(
        "describe_dataset",
        {"dataset": {"name": "i", "datasetArn": DATASET, "datasetGroupArn": GROUP,
                     "datasetType": "INTERACTIONS", "schemaArn": f"{A}:schema/s",
                     "status": "ACTIVE", "creationDateTime": at(0), "lastUpdatedDateTime": at(1)}},
        {"datasetArn": DATASET},
    )  # fmt: skip
    group = service.describe_dataset_group(GROUP)
    assert (group.domain, group.created) == ("ECOMMERCE", at(0))
    dataset = service.describe_dataset(DATASET)
    assert (dataset.schema_arn, dataset.dataset_group_arn, dataset.updated) == (
        f"{A}:schema/s",
        GROUP,
        at(1),
    )


def test_describe_import_job_has_location_and_failure(service: PersonalizeService, stubs) -> None:
    arn = f"{A}:dataset-import-job/nightly"
    stubs.personalize.add_response(
        "describe_dataset_import_job",
        {"datasetImportJob": {"jobName": "nightly", "datasetImportJobArn": arn,
                              "datasetArn": DATASET, "status": "CREATE FAILED",
                              "dataSource": {"dataLocation": "s3://bucket/interactions.csv"},
                              "failureReason": "TIMESTAMP is in milliseconds",
                              "importMode": "FULL", "creationDateTime": at(0),
                              "lastUpdatedDateTime": at(2)}},
        {"datasetImportJobArn": arn},
    )  # fmt: skip
    job = service.describe_import_job(arn)
    assert job.location == "s3://bucket/interactions.csv"
    assert (job.status, job.failure_reason, job.completed) == (
        "CREATE FAILED",
        "TIMESTAMP is in milliseconds",
        at(2),
    )


def test_describe_event_tracker_has_tracking_id(service: PersonalizeService, stubs) -> None:
    arn = f"{A}:event-tracker/d2e7ccdc"
    stubs.personalize.add_response(
        "describe_event_tracker",
        {"eventTracker": {"name": "web", "eventTrackerArn": arn, "trackingId": "tid-1",
                          "datasetGroupArn": GROUP, "status": "ACTIVE"}},
        {"eventTrackerArn": arn},
    )  # fmt: skip
    assert service.describe_event_tracker(arn).tracking_id == "tid-1"


def test_describe_solution_has_automl_and_latest_version(
    service: PersonalizeService, stubs
) -> None:
    best = "arn:aws:personalize:::recipe/aws-user-personalization"
    stubs.personalize.add_response(
        "describe_solution",
        {"solution": {"name": "shop-up", "solutionArn": SOLUTION, "performHPO": True,
                      "performAutoML": True, "eventType": "purchase", "datasetGroupArn": GROUP,
                      "autoMLResult": {"bestRecipeArn": best}, "status": "ACTIVE",
                      "latestSolutionVersion": {"solutionVersionArn": V2, "status": "ACTIVE",
                                                "trainingMode": "FULL",
                                                "creationDateTime": at(3)}}},
        {"solutionArn": SOLUTION},
    )  # fmt: skip
    solution = service.describe_solution(SOLUTION)
    assert (solution.perform_hpo, solution.perform_auto_ml) == (True, True)
    assert (solution.event_type, solution.auto_ml_best_recipe_arn) == ("purchase", best)
    assert solution.latest_version is not None
    assert (solution.latest_version.arn, solution.latest_version.created) == (V2, at(3))


def test_describe_solution_version_and_metrics(service: PersonalizeService, stubs) -> None:
    stubs.personalize.add_response(
        "describe_solution_version",
        {"solutionVersion": {"solutionVersionArn": V1, "solutionArn": SOLUTION,
                             "recipeArn": "arn:aws:personalize:::recipe/aws-sims",
                             "trainingHours": 1.25, "trainingMode": "FULL", "status": "ACTIVE",
                             "creationDateTime": at(0), "lastUpdatedDateTime": at(1)}},
        {"solutionVersionArn": V1},
    )  # fmt: skip
    stubs.personalize.add_response(
        "get_solution_metrics",
        {"solutionVersionArn": V1,
         "metrics": {"precision_at_10": 0.05, "normalized_discounted_cumulative_gain_at_10": 0.1}},
        {"solutionVersionArn": V1},
    )  # fmt: skip
    version = service.describe_solution_version(V1)
    assert (version.training_hours, version.recipe_arn) == (
        1.25,
        "arn:aws:personalize:::recipe/aws-sims",
    )
    assert service.get_solution_metrics(V1) == {
        "precision_at_10": 0.05,
        "normalized_discounted_cumulative_gain_at_10": 0.1,
    }


def test_describe_campaign_with_update_in_progress(service: PersonalizeService, stubs) -> None:
    stubs.personalize.add_response(
        "describe_campaign",
        {"campaign": {"name": "shop-recs", "campaignArn": CAMPAIGN, "solutionVersionArn": V1,
                      "minProvisionedTPS": 2, "status": "ACTIVE",
                      "campaignConfig": {"itemExplorationConfig": {"explorationWeight": "0.3"},
                                         "rankingInfluence": {"POPULARITY": 0.5}},
                      "latestCampaignUpdate": {"solutionVersionArn": V2,
                                               "status": "CREATE IN_PROGRESS",
                                               "creationDateTime": at(5)}}},
        {"campaignArn": CAMPAIGN},
    )  # fmt: skip
    campaign = service.describe_campaign(CAMPAIGN)
    assert (campaign.solution_version_arn, campaign.min_provisioned_tps) == (V1, 2)
    assert campaign.config is not None
    assert campaign.config.item_exploration == {"explorationWeight": "0.3"}
    assert campaign.config.ranking_influence == {"POPULARITY": 0.5}
    assert campaign.pending_update is not None
    assert campaign.pending_update.solution_version_arn == V2
    assert campaign.pending_update.in_progress


def test_describe_filter_recipe_and_batch_job(service: PersonalizeService, stubs) -> None:
    farn, rarn = f"{A}:filter/no-bought", "arn:aws:personalize:::recipe/aws-sims"
    barn = f"{A}:batch-inference-job/nightly"
    expression = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")'
    stubs.personalize.add_response(
        "describe_filter",
        {"filter": {"name": "no-bought", "filterArn": farn, "filterExpression": expression,
                    "status": "ACTIVE"}},
        {"filterArn": farn},
    )  # fmt: skip
    stubs.personalize.add_response(
        "describe_recipe",
        {"recipe": {"name": "aws-sims", "recipeArn": rarn, "recipeType": "RELATED_ITEMS",
                    "status": "ACTIVE", "description": "item-to-item"}},
        {"recipeArn": rarn},
    )  # fmt: skip
    stubs.personalize.add_response(
        "describe_batch_inference_job",
        {"batchInferenceJob": {"jobName": "nightly", "batchInferenceJobArn": barn,
                               "solutionVersionArn": V1, "numResults": 25,
                               "jobInput": {"s3DataSource": {"path": "s3://b/in.jsonl"}},
                               "jobOutput": {"s3DataDestination": {"path": "s3://b/out/"}},
                               "status": "CREATE IN_PROGRESS"}},
        {"batchInferenceJobArn": barn},
    )  # fmt: skip
    assert service.describe_filter(farn).expression == expression
    assert service.describe_recipe(rarn).recipe_type == "RELATED_ITEMS"
    job = service.describe_batch_inference_job(barn)
    assert (job.input_path, job.output_path, job.num_results) == (
        "s3://b/in.jsonl",
        "s3://b/out/",
        25,
    )
    assert not is_terminal(job.status)


# --- actions ------------------------------------------------------------------------------


def test_create_solution_version_sends_training_mode(service: PersonalizeService, stubs) -> None:
    stubs.personalize.add_response(
        "create_solution_version",
        {"solutionVersionArn": V2},
        {"solutionArn": SOLUTION, "trainingMode": "UPDATE"},
    )
    assert service.create_solution_version(SOLUTION, "UPDATE") == V2
    with pytest.raises(ValueError, match="FULL"):
        service.create_solution_version(SOLUTION, "full")


def test_update_campaign_and_stop_version(service: PersonalizeService, stubs) -> None:
    stubs.personalize.add_response(
        "update_campaign",
        {"campaignArn": CAMPAIGN},
        {"campaignArn": CAMPAIGN, "solutionVersionArn": V2},
    )
    stubs.personalize.add_response("stop_solution_version_creation", {}, {"solutionVersionArn": V2})
    assert service.update_campaign(CAMPAIGN, V2) == CAMPAIGN
    assert service.stop_solution_version(V2) is None


def test_create_dataset_import_job(service: PersonalizeService, stubs) -> None:
    arn = f"{A}:dataset-import-job/nightly"
    stubs.personalize.add_response(
        "create_dataset_import_job",
        {"datasetImportJobArn": arn},
        {
            "jobName": "nightly",
            "datasetArn": DATASET,
            "dataSource": {"dataLocation": "s3://bucket/interactions.csv"},
            "roleArn": "arn:aws:iam::123456789012:role/personalize",
            "importMode": "INCREMENTAL",
        },
    )
    got = service.create_dataset_import_job(
        "nightly",
        DATASET,
        "s3://bucket/interactions.csv",
        role_arn="arn:aws:iam::123456789012:role/personalize",
        import_mode="INCREMENTAL",
    )
    assert got == arn


def test_create_batch_inference_job(service: PersonalizeService, stubs) -> None:
    arn, role = f"{A}:batch-inference-job/nightly", "arn:aws:iam::123456789012:role/p"
    stubs.personalize.add_response(
        "create_batch_inference_job",
        {"batchInferenceJobArn": arn},
        {
            "jobName": "nightly",
            "solutionVersionArn": V1,
            "jobInput": {"s3DataSource": {"path": "s3://b/in.jsonl"}},
            "jobOutput": {"s3DataDestination": {"path": "s3://b/out/"}},
            "roleArn": role,
            "numResults": 50,
        },
    )
    got = service.create_batch_inference_job(
        "nightly", V1, "s3://b/in.jsonl", "s3://b/out/", role, num_results=50
    )
    assert got == arn


def test_get_recommendations_quotes_filter_values(service: PersonalizeService, stubs) -> None:
    farn = f"{A}:filter/genre"
    stubs.runtime.add_response(
        "get_recommendations",
        {
            "itemList": [
                {"itemId": "i1", "score": 0.6, "reason": ["Popular item"]},
                {"itemId": "i2"},
            ],
            "recommendationId": "RID-1",
        },
        {
            "campaignArn": CAMPAIGN,
            "userId": "u1",
            "numResults": 10,
            "filterArn": farn,
            "filterValues": {"GENRES": '"comedy","drama"', "MAX": "10"},
        },
    )
    recs = service.get_recommendations(
        CAMPAIGN,
        user_id="u1",
        num_results=10,
        filter_arn=farn,
        filter_values={"GENRES": ["comedy", "drama"], "MAX": "10"},
    )
    assert recs.item_ids == ("i1", "i2")
    assert (recs.items[0].score, recs.items[0].reason) == (0.6, "Popular item")
    assert (recs.items[1].score, recs.items[1].reason) == (None, None)
    assert recs.recommendation_id == "RID-1"


def test_get_recommendations_for_an_item(service: PersonalizeService, stubs) -> None:
    stubs.runtime.add_response(
        "get_recommendations",
        {"itemList": [{"itemId": "i9"}]},
        {"campaignArn": CAMPAIGN, "itemId": "i1", "numResults": 25},
    )
    assert service.get_recommendations(CAMPAIGN, item_id="i1").item_ids == ("i9",)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({}, "user_id"), ({"user_id": "u", "num_results": 0}, "num_results"),
     ({"user_id": "u", "num_results": 501}, "num_results")],
)  # fmt: skip
def test_get_recommendations_rejects_bad_arguments(
    service: PersonalizeService, kwargs, match
) -> None:
    with pytest.raises(ValueError, match=match):
        service.get_recommendations(CAMPAIGN, **kwargs)


def test_get_personalized_ranking(service: PersonalizeService, stubs) -> None:
    stubs.runtime.add_response(
        "get_personalized_ranking",
        {
            "personalizedRanking": [{"itemId": "b", "score": 0.7}, {"itemId": "a", "score": 0.3}],
            "recommendationId": "RID-2",
        },
        {"campaignArn": CAMPAIGN, "userId": "u1", "inputList": ["a", "b"]},
    )
    ranked = service.get_personalized_ranking(CAMPAIGN, "u1", ["a", "b"])
    assert ranked.item_ids == ("b", "a")
    with pytest.raises(ValueError, match="items"):
        service.get_personalized_ranking(CAMPAIGN, "u1", [])


def test_get_action_recommendations(service: PersonalizeService, stubs) -> None:
    stubs.runtime.add_response(
        "get_action_recommendations",
        {
            "actionList": [{"actionId": "club", "score": 0.8}, {"actionId": "gift"}],
            "recommendationId": "RID-3",
        },
        {"campaignArn": CAMPAIGN, "userId": "u1", "numResults": 5},
    )
    got = service.get_action_recommendations(CAMPAIGN, "u1")
    assert got.item_ids == ("club", "gift") and got.recommendation_id == "RID-3"
    assert [a.score for a in got.items] == [0.8, None]
    with pytest.raises(ValueError, match="between 1 and 100"):
        service.get_action_recommendations(CAMPAIGN, "u1", num_results=101)


def test_put_events_sends_batches_of_ten(service: PersonalizeService, stubs) -> None:
    events = [
        Event("click", sent_at=at(i), item_id=f"i{i}", properties={"numberOfRatings": 3})
        for i in range(12)
    ]

    def wire(e: Event) -> dict:
        return {
            "eventType": "click",
            "sentAt": e.sent_at,
            "itemId": e.item_id,
            "properties": '{"numberOfRatings": 3}',
        }

    base = {"trackingId": "tid-1", "userId": "u1", "sessionId": "s1"}
    stubs.events.add_response(
        "put_events", {}, {**base, "eventList": [wire(e) for e in events[:10]]}
    )
    stubs.events.add_response(
        "put_events", {}, {**base, "eventList": [wire(e) for e in events[10:]]}
    )
    assert service.put_events("tid-1", "s1", events, user_id="u1") == 12
    with pytest.raises(ValueError, match="event"):
        service.put_events("tid-1", "s1", [])


# --- error mapping ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status", "error_type", "expected"),
    [
        ("ResourceNotFoundException", 400, errors.NotFound,
         "Campaign 'shop-recs' was not found: it may have been deleted. Refresh the page."),
        ("ResourceInUseException", 400, errors.Conflict, "Campaign 'shop-recs' is busy"),
        ("ResourceAlreadyExistsException", 400, errors.Conflict,
         "Campaign 'shop-recs' already exists: choose another name."),
        ("InvalidInputException", 400, errors.InvalidInput,
         "Personalize rejected UpdateCampaign: check the values"),
        ("AccessDeniedException", 400, errors.AccessDenied,
         "AWS denied personalize:UpdateCampaign: the role needs that permission."),
        ("ThrottlingException", 400, errors.Throttled,
         "Throttled by Personalize: try again in a few seconds."),
        ("LimitExceededException", 400, errors.LimitExceeded, "A Personalize quota was reached"),
        ("UnrecognizedClientException", 400, errors.AccessDenied, "rejected the credentials"),
        ("InternalServerError", 500, errors.ServiceError, "internal error on UpdateCampaign"),
    ],
)  # fmt: skip
def test_client_errors_map_to_service_errors(
    service: PersonalizeService, stubs, code, status, error_type, expected
) -> None:
    stubs.personalize.add_client_error(
        "update_campaign",
        service_error_code=code,
        service_message="details from AWS",
        http_status_code=status,
        expected_params={"campaignArn": CAMPAIGN, "solutionVersionArn": V2},
    )
    with pytest.raises(error_type) as caught:
        service.update_campaign(CAMPAIGN, V2)
    assert type(caught.value) is error_type
    assert expected in str(caught.value)
    assert (caught.value.code, caught.value.operation) == (code, "UpdateCampaign")
    assert caught.value.__cause__ is not None  # raised from the botocore error


def test_not_found_on_describe_names_the_resource(service: PersonalizeService, stubs) -> None:
    stubs.personalize.add_client_error(
        "describe_campaign", service_error_code="ResourceNotFoundException", http_status_code=400
    )
    with pytest.raises(errors.NotFound, match="^Campaign 'shop-recs' was not found"):
        service.describe_campaign(CAMPAIGN)


def test_runtime_not_found_is_mapped(service: PersonalizeService, stubs) -> None:
    stubs.runtime.add_client_error(
        "get_recommendations", service_error_code="ResourceNotFoundException", http_status_code=404
    )
    with pytest.raises(errors.NotFound, match="Campaign 'shop-recs'"):
        service.get_recommendations(CAMPAIGN, user_id="u1")


def test_error_on_second_page_is_mapped(service: PersonalizeService, stubs) -> None:
    stubs.personalize.add_response(
        "list_campaigns",
        {"campaigns": [{"name": "c", "campaignArn": CAMPAIGN, "status": "ACTIVE"}],
         "nextToken": "t"},
        PAGE,
    )  # fmt: skip
    stubs.personalize.add_client_error(
        "list_campaigns", service_error_code="ThrottlingException", http_status_code=400
    )
    with pytest.raises(errors.Throttled):
        service.list_campaigns()


def test_create_name_conflict_names_the_job(service: PersonalizeService, stubs) -> None:
    stubs.personalize.add_client_error(
        "create_dataset_import_job",
        service_error_code="ResourceAlreadyExistsException",
        http_status_code=400,
    )
    with pytest.raises(errors.Conflict, match="^Import job 'nightly' already exists"):
        service.create_dataset_import_job("nightly", DATASET, "s3://b/i.csv")


def test_invalid_parameter_is_invalid_input(clients) -> None:
    # botocore validates types before sending (no Stubber: it answers before validation)
    with pytest.raises(errors.InvalidInput, match="request for GetRecommendations is invalid"):
        PersonalizeService(clients).get_recommendations(CAMPAIGN, user_id=["not", "a", "str"])


@pytest.mark.parametrize(
    ("raised", "match"),
    [
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:4599/"),
         "Cannot reach Personalize at http://127.0.0.1:4599/"),
        (NoCredentialsError(), "No usable AWS credentials"),
    ],
)  # fmt: skip
def test_transport_failures_are_backend_unavailable(clients, raised, match) -> None:
    def fail(**_kwargs: object) -> None:
        raise raised

    clients.personalize.meta.events.register("before-send.personalize", fail)
    with pytest.raises(errors.BackendUnavailable, match=match) as caught:
        PersonalizeService(clients).describe_campaign(CAMPAIGN)
    assert caught.value.__cause__ is raised
