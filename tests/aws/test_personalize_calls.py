"""Every Personalize call of the facade, answered by a model-shaped Stubber response.

Each case drives one ``PersonalizeService`` method, checks the exact request botocore sends
(and that it fits the input shape), and checks that the value the page gets carries what
the answer said. Answers carry only the members the code reads; ``shapes`` fills the rest
and refuses anything the output shape does not allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from services.personalize.facade import PersonalizeService
from services.personalize.models import Event
from tests.aws.conftest import AwsStubs, Bundle

A = "arn:aws:personalize:us-east-1:123456789012"
GROUP = f"{A}:dataset-group/shop"
DATASET = f"{A}:dataset/shop/INTERACTIONS"
SCHEMA = f"{A}:schema/shop-interactions"
SOLUTION = f"{A}:solution/shop-up"
VERSION = f"{SOLUTION}/5548c91f"
CAMPAIGN = f"{A}:campaign/shop-recs"
TRACKER = f"{A}:event-tracker/d2e7ccdc"
FILTER = f"{A}:filter/in-stock"
RECOMMENDER = f"{A}:recommender/best"
ATTRIBUTION = f"{A}:metric-attribution/m"
BEST_SELLERS = "arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-purchases"
RECIPE = "arn:aws:personalize:::recipe/aws-user-personalization"
IMPORT = f"{A}:dataset-import-job/nightly"
EXPORT = f"{A}:dataset-export-job/snap"
BATCH = f"{A}:batch-inference-job/preview"
ROLE = "arn:aws:iam::123456789012:role/PersonalizeS3"
PAGE = {"maxResults": 100}
T0 = datetime(2024, 1, 1, tzinfo=UTC)
AVRO = (
    '{"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema",'
    '"fields":[{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},'
    '{"name":"TIMESTAMP","type":"long"}],"version":"1.0"}'
)


def batch_request(name: str, source: str, num_results: int) -> dict[str, Any]:
    """The request of CreateBatchInferenceJob / CreateBatchSegmentJob written out in full."""
    return {
        "jobName": name,
        "solutionVersionArn": VERSION,
        "jobInput": {"s3DataSource": {"path": source}},
        "jobOutput": {"s3DataDestination": {"path": "s3://b/out/"}},
        "roleArn": ROLE,
        "numResults": num_results,
    }


@dataclass(frozen=True)
class Case:
    service: str
    method: str
    answer: dict[str, Any]
    request: dict[str, Any]
    call: Callable[[PersonalizeService], Any]
    check: Callable[[Any], bool]
    extra: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)


CASES = [
    Case(
        "personalize",
        "list_dataset_groups",
        {"datasetGroups": [{"name": "shop", "datasetGroupArn": GROUP, "status": "ACTIVE"}]},
        PAGE,
        lambda s: s.list_dataset_groups(),
        lambda r: [(g.arn, g.status) for g in r] == [(GROUP, "ACTIVE")],
    ),
    Case(
        "personalize",
        "describe_dataset_group",
        {"datasetGroup": {"datasetGroupArn": GROUP, "name": "shop", "domain": "ECOMMERCE"}},
        {"datasetGroupArn": GROUP},
        lambda s: s.describe_dataset_group(GROUP),
        lambda r: r.domain == "ECOMMERCE",
    ),
    Case(
        "personalize",
        "list_schemas",
        {"schemas": [{"name": "shop-interactions", "schemaArn": SCHEMA}]},
        PAGE,
        lambda s: s.list_schemas(),
        lambda r: [x.arn for x in r] == [SCHEMA],
    ),
    Case(
        "personalize",
        "describe_schema",
        {"schema": {"schemaArn": SCHEMA, "name": "shop-interactions", "schema": AVRO}},
        {"schemaArn": SCHEMA},
        lambda s: s.describe_schema(SCHEMA),
        lambda r: [f.name for f in r.fields] == ["USER_ID", "ITEM_ID", "TIMESTAMP"],
    ),
    Case(
        "personalize",
        "list_datasets",
        {"datasets": [{"datasetArn": DATASET, "datasetType": "Interactions", "status": "ACTIVE"}]},
        {**PAGE, "datasetGroupArn": GROUP},
        lambda s: s.list_datasets(GROUP),
        lambda r: [x.arn for x in r] == [DATASET],
    ),
    Case(
        "personalize",
        "describe_dataset",
        {"dataset": {"datasetArn": DATASET, "schemaArn": SCHEMA, "status": "ACTIVE"}},
        {"datasetArn": DATASET},
        lambda s: s.describe_dataset(DATASET),
        lambda r: r.schema_arn == SCHEMA,
    ),
    Case(
        "personalize",
        "list_dataset_import_jobs",
        {
            "datasetImportJobs": [
                {"datasetImportJobArn": IMPORT, "jobName": "nightly", "importMode": "INCREMENTAL"}
            ]
        },
        {**PAGE, "datasetArn": DATASET},
        lambda s: s.list_import_jobs(DATASET),
        lambda r: [(j.arn, j.import_mode) for j in r] == [(IMPORT, "INCREMENTAL")],
    ),
    Case(
        "personalize",
        "describe_dataset_import_job",
        {
            "datasetImportJob": {
                "datasetImportJobArn": IMPORT,
                "status": "CREATE FAILED",
                "failureReason": "row 3: TIMESTAMP is not a long",
                "dataSource": {"dataLocation": "s3://b/k.csv"},
            }
        },
        {"datasetImportJobArn": IMPORT},
        lambda s: s.describe_import_job(IMPORT),
        lambda r: (
            (r.location, r.failure_reason) == ("s3://b/k.csv", "row 3: TIMESTAMP is not a long")
        ),
    ),
    Case(
        "personalize",
        "create_dataset_import_job",
        {"datasetImportJobArn": IMPORT},
        {
            "jobName": "nightly",
            "datasetArn": DATASET,
            "dataSource": {"dataLocation": "s3://b/k.csv"},
            "roleArn": ROLE,
            "importMode": "FULL",
        },
        lambda s: s.create_dataset_import_job("nightly", DATASET, "s3://b/k.csv", role_arn=ROLE),
        lambda r: r == IMPORT,
    ),
    Case(
        "personalize",
        "list_event_trackers",
        {"eventTrackers": [{"name": "t", "eventTrackerArn": TRACKER, "status": "ACTIVE"}]},
        {**PAGE, "datasetGroupArn": GROUP},
        lambda s: s.list_event_trackers(GROUP),
        lambda r: [t.arn for t in r] == [TRACKER],
    ),
    Case(
        "personalize",
        "describe_event_tracker",
        {"eventTracker": {"eventTrackerArn": TRACKER, "trackingId": "b0b5e6ee-1"}},
        {"eventTrackerArn": TRACKER},
        lambda s: s.describe_event_tracker(TRACKER),
        lambda r: r.tracking_id == "b0b5e6ee-1",
    ),
    Case(
        "personalize",
        "list_filters",
        {"Filters": [{"name": "in-stock", "filterArn": FILTER, "status": "ACTIVE"}]},
        {**PAGE, "datasetGroupArn": GROUP},
        lambda s: s.list_filters(GROUP),
        lambda r: [f.arn for f in r] == [FILTER],
    ),
    Case(
        "personalize",
        "describe_filter",
        {
            "filter": {
                "filterArn": FILTER,
                "filterExpression": 'EXCLUDE ItemID WHERE Items.X IN ("a")',
            }
        },
        {"filterArn": FILTER},
        lambda s: s.describe_filter(FILTER),
        lambda r: r.expression.startswith("EXCLUDE"),
    ),
    Case(
        "personalize",
        "list_recipes",
        {"recipes": [{"name": "aws-user-personalization", "recipeArn": RECIPE}]},
        PAGE,
        lambda s: s.list_recipes(),
        lambda r: [x.arn for x in r] == [RECIPE],
    ),
    Case(
        "personalize",
        "describe_recipe",
        {"recipe": {"recipeArn": RECIPE, "recipeType": "USER_PERSONALIZATION"}},
        {"recipeArn": RECIPE},
        lambda s: s.describe_recipe(RECIPE),
        lambda r: r.recipe_type == "USER_PERSONALIZATION",
    ),
    Case(
        "personalize",
        "describe_algorithm",
        {
            "algorithm": {
                "algorithmArn": "arn:aws:personalize:::algorithm/aws-sims",
                "defaultHyperParameters": {"min_cointeraction_count": "3"},
                "defaultHyperParameterRanges": {
                    "integerHyperParameterRanges": [
                        {
                            "name": "min_cointeraction_count",
                            "minValue": 0,
                            "maxValue": 10,
                            "isTunable": True,
                        }
                    ]
                },
            }
        },
        {"algorithmArn": "arn:aws:personalize:::algorithm/aws-sims"},
        lambda s: s.describe_algorithm("arn:aws:personalize:::algorithm/aws-sims"),
        lambda r: (
            [(p.name, p.kind, p.default, p.low, p.high, p.tunable) for p in r.hyperparameters]
            == [("min_cointeraction_count", "integer", "3", 0.0, 10.0, True)]
        ),
    ),
    Case(
        "personalize",
        "describe_feature_transformation",
        {
            "featureTransformation": {
                "featureTransformationArn": "arn:aws:personalize:::feature-transformation/x",
                "defaultParameters": {"trend_discovery_frequency": "2 hours"},
            }
        },
        {"featureTransformationArn": "arn:aws:personalize:::feature-transformation/x"},
        lambda s: s.describe_feature_transformation(
            "arn:aws:personalize:::feature-transformation/x"
        ),
        lambda r: dict(r.defaults) == {"trend_discovery_frequency": "2 hours"},
    ),
    Case(
        "personalize",
        "create_solution",
        {"solutionArn": SOLUTION},
        {"name": "s", "datasetGroupArn": GROUP, "recipeArn": RECIPE, "performHPO": False},
        lambda s: s.create_solution(
            {"name": "s", "datasetGroupArn": GROUP, "recipeArn": RECIPE, "performHPO": False}
        ),
        lambda r: r == SOLUTION,
    ),
    Case(
        "personalize",
        "list_solutions",
        {"solutions": [{"name": "shop-up", "solutionArn": SOLUTION, "recipeArn": RECIPE}]},
        {**PAGE, "datasetGroupArn": GROUP},
        lambda s: s.list_solutions(GROUP),
        lambda r: [(x.arn, x.recipe_arn) for x in r] == [(SOLUTION, RECIPE)],
    ),
    Case(
        "personalize",
        "describe_solution",
        {
            "solution": {
                "solutionArn": SOLUTION,
                "performAutoTraining": False,
                "eventType": "buy",
                "solutionConfig": {"autoTrainingConfig": {"schedulingExpression": "rate(3 days)"}},
            }
        },
        {"solutionArn": SOLUTION},
        lambda s: s.describe_solution(SOLUTION),
        lambda r: (
            (r.perform_auto_training, r.event_type, r.auto_training_schedule)
            == (False, "buy", "rate(3 days)")
        ),
    ),
    Case(
        "personalize",
        "list_solution_versions",
        {"solutionVersions": [{"solutionVersionArn": VERSION, "trainingMode": "UPDATE"}]},
        {**PAGE, "solutionArn": SOLUTION},
        lambda s: s.list_solution_versions(SOLUTION),
        lambda r: [(v.arn, v.training_mode) for v in r] == [(VERSION, "UPDATE")],
    ),
    Case(
        "personalize",
        "describe_solution_version",
        {"solutionVersion": {"solutionVersionArn": VERSION, "trainingHours": 1.5}},
        {"solutionVersionArn": VERSION},
        lambda s: s.describe_solution_version(VERSION),
        lambda r: r.training_hours == 1.5,
    ),
    Case(
        "personalize",
        "get_solution_metrics",
        {"metrics": {"precision_at_10": 0.125, "coverage": 0.5}},
        {"solutionVersionArn": VERSION},
        lambda s: s.get_solution_metrics(VERSION),
        lambda r: r == {"precision_at_10": 0.125, "coverage": 0.5},
    ),
    Case(
        "personalize",
        "create_solution_version",
        {"solutionVersionArn": VERSION},
        {"solutionArn": SOLUTION, "trainingMode": "UPDATE"},
        lambda s: s.create_solution_version(SOLUTION, "UPDATE"),
        lambda r: r == VERSION,
    ),
    Case(
        "personalize",
        "stop_solution_version_creation",
        {},
        {"solutionVersionArn": VERSION},
        lambda s: s.stop_solution_version(VERSION),
        lambda r: r is None,
    ),
    Case(
        "personalize",
        "list_campaigns",
        {"campaigns": [{"name": "shop-recs", "campaignArn": CAMPAIGN, "status": "ACTIVE"}]},
        {**PAGE, "solutionArn": SOLUTION},
        lambda s: s.list_campaigns(SOLUTION),
        lambda r: [c.arn for c in r] == [CAMPAIGN],
    ),
    Case(
        "personalize",
        "describe_campaign",
        {
            "campaign": {
                "campaignArn": CAMPAIGN,
                "solutionVersionArn": VERSION,
                "minProvisionedTPS": 3,
                "latestCampaignUpdate": {"status": "CREATE IN_PROGRESS", "minProvisionedTPS": 1},
            }
        },
        {"campaignArn": CAMPAIGN},
        lambda s: s.describe_campaign(CAMPAIGN),
        lambda r: (r.min_provisioned_tps, r.pending_update.min_provisioned_tps) == (3, 1),
    ),
    Case(
        "personalize",
        "update_campaign",
        {"campaignArn": CAMPAIGN},
        {"campaignArn": CAMPAIGN, "solutionVersionArn": VERSION, "minProvisionedTPS": 2},
        lambda s: s.update_campaign(CAMPAIGN, VERSION, 2),
        lambda r: r == CAMPAIGN,
    ),
    Case(
        "personalize",
        "update_campaign",
        {"campaignArn": CAMPAIGN},
        {
            "campaignArn": CAMPAIGN,
            "campaignConfig": {
                "enableMetadataWithRecommendations": True,
                "itemExplorationConfig": {
                    "explorationWeight": "0.5",
                    "explorationItemAgeCutOff": "7",
                },
            },
        },
        lambda s: s.update_campaign_config(
            CAMPAIGN,
            {
                "enableMetadataWithRecommendations": True,
                "itemExplorationConfig": {
                    "explorationWeight": "0.5",
                    "explorationItemAgeCutOff": "7",
                },
            },
        ),
        lambda r: r == CAMPAIGN,
    ),
    Case(
        "personalize",
        "create_batch_segment_job",
        {"batchSegmentJobArn": f"{A}:batch-segment-job/who"},
        batch_request("who", "s3://b/segment.json", 100),
        lambda s: s.create_batch_segment_job(
            "who", VERSION, "s3://b/segment.json", "s3://b/out/", ROLE, 100
        ),
        lambda r: r == f"{A}:batch-segment-job/who",
    ),
    Case(
        "personalize",
        "describe_batch_segment_job",
        {
            "batchSegmentJob": {
                "batchSegmentJobArn": f"{A}:batch-segment-job/who",
                "jobName": "who",
                "status": "ACTIVE",
                "numResults": 100,
                "jobOutput": {"s3DataDestination": {"path": "s3://b/out/"}},
            }
        },
        {"batchSegmentJobArn": f"{A}:batch-segment-job/who"},
        lambda s: s.describe_batch_segment_job(f"{A}:batch-segment-job/who"),
        lambda r: (r.status, r.num_results, r.output_path) == ("ACTIVE", 100, "s3://b/out/"),
    ),
    Case(
        "personalize",
        "create_filter",
        {"filterArn": FILTER},
        {
            "name": "in-stock",
            "datasetGroupArn": GROUP,
            "filterExpression": 'EXCLUDE ItemID WHERE Items.CATEGORY IN ("텐트")',
        },
        lambda s: s.create_filter(
            "in-stock", GROUP, 'EXCLUDE ItemID WHERE Items.CATEGORY IN ("텐트")'
        ),
        lambda r: r == FILTER,
    ),
    Case(
        "personalize",
        "create_batch_inference_job",
        {"batchInferenceJobArn": BATCH},
        batch_request("preview", "s3://b/in.json", 10),
        lambda s: s.create_batch_inference_job(
            "preview", VERSION, "s3://b/in.json", "s3://b/out/", ROLE, num_results=10
        ),
        lambda r: r == BATCH,
    ),
    Case(
        "personalize",
        "describe_batch_inference_job",
        {
            "batchInferenceJob": {
                "batchInferenceJobArn": BATCH,
                "status": "ACTIVE",
                "jobOutput": {"s3DataDestination": {"path": "s3://b/out/"}},
            }
        },
        {"batchInferenceJobArn": BATCH},
        lambda s: s.describe_batch_inference_job(BATCH),
        lambda r: (r.status, r.output_path) == ("ACTIVE", "s3://b/out/"),
    ),
    Case(
        "personalize",
        "list_batch_inference_jobs",
        {"batchInferenceJobs": [{"batchInferenceJobArn": BATCH, "jobName": "preview"}]},
        {**PAGE, "solutionVersionArn": VERSION},
        lambda s: s.list_batch_inference_jobs(VERSION),
        lambda r: [j.arn for j in r] == [BATCH],
    ),
    Case(
        "personalize",
        "create_dataset_export_job",
        {"datasetExportJobArn": EXPORT},
        {
            "jobName": "snap",
            "datasetArn": DATASET,
            "ingestionMode": "PUT",
            "roleArn": ROLE,
            "jobOutput": {"s3DataDestination": {"path": "s3://b/exports/"}},
        },
        lambda s: s.create_dataset_export_job("snap", DATASET, "s3://b/exports/", ROLE, "PUT"),
        lambda r: r == EXPORT,
    ),
    Case(
        "personalize",
        "describe_dataset_export_job",
        {"datasetExportJob": {"datasetExportJobArn": EXPORT, "status": "CREATE FAILED"}},
        {"datasetExportJobArn": EXPORT},
        lambda s: s.describe_dataset_export_job(EXPORT),
        lambda r: r.status == "CREATE FAILED",
    ),
    Case(
        "personalize-runtime",
        "get_recommendations",
        {"itemList": [{"itemId": "i1", "score": 0.75}], "recommendationId": "RID-1"},
        {"campaignArn": CAMPAIGN, "userId": "u1", "numResults": 5},
        lambda s: s.get_recommendations(CAMPAIGN, user_id="u1", num_results=5),
        lambda r: (
            ([(x.item_id, x.score) for x in r.items], r.recommendation_id)
            == ([("i1", 0.75)], "RID-1")
        ),
    ),
    Case(
        "personalize-runtime",
        "get_recommendations",
        {
            "itemList": [
                {"itemId": "i2", "metadata": {"PRICE": "9.5"}, "reason": ["Popular item"]}
            ],
            "recommendationId": "RID-2",
        },
        {
            "recommenderArn": RECOMMENDER,
            "userId": "u1",
            "numResults": 50,
            "metadataColumns": {"ITEMS": ["PRICE"]},
        },
        lambda s: s.get_recommendations(
            RECOMMENDER, user_id="u1", num_results=50, metadata_columns=["PRICE"]
        ),
        lambda r: (
            [(x.item_id, dict(x.metadata), x.reason) for x in r.items]
            == [("i2", {"PRICE": "9.5"}, "Popular item")]
        ),
    ),
    Case(
        "personalize-runtime",
        "get_recommendations",
        {
            "itemList": [{"itemId": "i3", "promotionName": "sale"}, {"itemId": "i4"}],
            "recommendationId": "RID-3",
        },
        {
            "campaignArn": CAMPAIGN,
            "userId": "u1",
            "numResults": 2,
            "filterArn": FILTER,
            "filterValues": {"CATEGORY": '"텐트"'},
            "promotions": [
                {"name": "sale", "percentPromotedItems": 50, "filterArn": f"{A}:filter/sale"}
            ],
        },
        lambda s: s.get_recommendations(
            CAMPAIGN,
            user_id="u1",
            num_results=2,
            filter_arn=FILTER,
            filter_values={"CATEGORY": ["텐트"]},
            promotions=[
                {"name": "sale", "percentPromotedItems": 50, "filterArn": f"{A}:filter/sale"}
            ],
        ),
        lambda r: (
            [(x.item_id, x.promotion_name) for x in r.items] == [("i3", "sale"), ("i4", None)]
        ),
    ),
    Case(
        "personalize",
        "list_metric_attributions",
        {"metricAttributions": [{"name": "m", "metricAttributionArn": ATTRIBUTION}]},
        {**PAGE, "datasetGroupArn": GROUP},
        lambda s: s.list_metric_attributions(GROUP),
        lambda r: [(x.arn, x.name) for x in r] == [(ATTRIBUTION, "m")],
    ),
    Case(
        "personalize",
        "describe_metric_attribution",
        {
            "metricAttribution": {
                "metricAttributionArn": ATTRIBUTION,
                "status": "ACTIVE",
                "metricsOutputConfig": {
                    "roleArn": ROLE,
                    "s3DataDestination": {"path": "s3://b/metrics/"},
                },
            }
        },
        {"metricAttributionArn": ATTRIBUTION},
        lambda s: s.describe_metric_attribution(ATTRIBUTION),
        lambda r: (r.status, r.output_path) == ("ACTIVE", "s3://b/metrics/"),
    ),
    Case(
        "personalize",
        "list_metric_attribution_metrics",
        {
            "metrics": [
                {"eventType": "Purchase", "metricName": "revenue", "expression": "SUM(Items.PRICE)"}
            ]
        },
        {**PAGE, "metricAttributionArn": ATTRIBUTION},
        lambda s: s.list_metric_attribution_metrics(ATTRIBUTION),
        lambda r: (
            [(m.event_type, m.name, m.expression) for m in r]
            == [("Purchase", "revenue", "SUM(Items.PRICE)")]
        ),
    ),
    Case(
        "personalize",
        "list_recommenders",
        {
            "recommenders": [
                {
                    "name": "best",
                    "recommenderArn": RECOMMENDER,
                    "recipeArn": BEST_SELLERS,
                    "status": "ACTIVE",
                }
            ]
        },
        {**PAGE, "datasetGroupArn": GROUP},
        lambda s: s.list_recommenders(GROUP),
        lambda r: (
            [(x.arn, x.use_case) for x in r]
            == [(RECOMMENDER, "aws-ecomm-popular-items-by-purchases")]
        ),
    ),
    Case(
        "personalize",
        "describe_recommender",
        {
            "recommender": {
                "recommenderArn": RECOMMENDER,
                "status": "ACTIVE",
                "recommenderConfig": {
                    "minRecommendationRequestsPerSecond": 2,
                    "enableMetadataWithRecommendations": True,
                },
                "modelMetrics": {"coverage": 0.5},
                "latestRecommenderUpdate": {"status": "CREATE PENDING"},
            }
        },
        {"recommenderArn": RECOMMENDER},
        lambda s: s.describe_recommender(RECOMMENDER),
        lambda r: (
            (r.min_requests_per_second, r.enable_metadata, dict(r.model_metrics), r.pending_status)
            == (2, True, {"coverage": 0.5}, "CREATE PENDING")
        ),
    ),
    Case(
        "personalize-runtime",
        "get_personalized_ranking",
        {"personalizedRanking": [{"itemId": "b"}, {"itemId": "a"}]},
        {"campaignArn": CAMPAIGN, "userId": "u1", "inputList": ["a", "b"]},
        lambda s: s.get_personalized_ranking(CAMPAIGN, "u1", ["a", "b"]),
        lambda r: [x.item_id for x in r.items] == ["b", "a"],
    ),
    Case(
        "personalize-runtime",
        "get_action_recommendations",
        {"actionList": [{"actionId": "act-2", "score": 0.6}], "recommendationId": "RID-A"},
        {"campaignArn": CAMPAIGN, "userId": "u1", "numResults": 3},
        lambda s: s.get_action_recommendations(CAMPAIGN, "u1", num_results=3),
        lambda r: (
            ([(x.item_id, x.score) for x in r.items], r.recommendation_id)
            == ([("act-2", 0.6)], "RID-A")
        ),
    ),
    Case(
        "personalize-events",
        "put_events",
        {},
        {
            "trackingId": "t-1",
            "sessionId": "s1",
            "userId": "u1",
            "eventList": [{"eventType": "view", "sentAt": T0, "itemId": "i1"}],
        },
        lambda s: s.put_events("t-1", "s1", [Event("view", T0, item_id="i1")], user_id="u1"),
        lambda r: r == 1,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.service}.{c.method}")
def test_facade_call_against_the_model(aws: AwsStubs, case: Case) -> None:
    aws.respond(case.service, case.method, case.answer, case.request)
    result = case.call(PersonalizeService(Bundle(aws)))
    assert case.check(result), result


def test_not_found_answer_becomes_a_page_message(aws: AwsStubs) -> None:
    from services.errors import NotFound

    aws.fail("personalize", "describe_campaign", "ResourceNotFoundException")
    with pytest.raises(NotFound, match="Campaign 'shop-recs' was not found"):
        PersonalizeService(Bundle(aws)).describe_campaign(CAMPAIGN)


def test_exploration_goes_to_a_recommender_with_the_rest_of_its_config(aws: AwsStubs) -> None:
    """The playground's apply on AWS: UpdateRecommender receives the described
    recommenderConfig with only itemExplorationConfig changed (the update replaces the config,
    and other trainingDataConfig columns would start a full retraining)."""
    from services.evaluation import playground as pg

    training = {"excludedDatasetColumns": {"Items": ["DESCRIPTION"]}}
    aws.respond(
        "personalize",
        "describe_recommender",
        {
            "recommender": {
                "recommenderArn": RECOMMENDER,
                "status": "ACTIVE",
                "recommenderConfig": {
                    "minRecommendationRequestsPerSecond": 2,
                    "itemExplorationConfig": {
                        "explorationWeight": "0.3",
                        "explorationItemAgeCutOff": "30",
                    },
                    "trainingDataConfig": training,
                },
            }
        },
        {"recommenderArn": RECOMMENDER},
    )
    aws.respond(
        "personalize",
        "update_recommender",
        {"recommenderArn": RECOMMENDER},
        {
            "recommenderArn": RECOMMENDER,
            "recommenderConfig": {
                "minRecommendationRequestsPerSecond": 2,
                "itemExplorationConfig": {
                    "explorationWeight": "0.1",
                    "explorationItemAgeCutOff": "7",
                },
                "trainingDataConfig": training,
            },
        },
    )
    service = PersonalizeService(Bundle(aws))
    assert pg.apply_exploration(service, RECOMMENDER, 0.1, 7) == RECOMMENDER
