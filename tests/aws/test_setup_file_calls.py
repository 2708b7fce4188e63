"""Applying a setup file to AWS: the calls apply makes, in order, for a new dataset group,
each request checked against the service model by botocore's Stubber."""

from __future__ import annotations

import re

from services.costs.pricing import prices_for
from services.polling import Polling
from services.setup_file.apply import Applier
from services.setup_file.export import to_toml
from services.setup_file.plan import make_plan
from services.setup_file.reading import parse
from services.setup_file.state import read_account
from tests.aws.conftest import AwsStubs

A = "arn:aws:personalize:us-east-1:123456789012"
GROUP, SCHEMA = f"{A}:dataset-group/shop", f"{A}:schema/shop-interactions"
DATASET, TRACKER = f"{A}:dataset/shop/INTERACTIONS", f"{A}:event-tracker/abc"
FILTER, SOLUTION = f"{A}:filter/no-views", f"{A}:solution/pop"
VERSION, CAMPAIGN = f"{SOLUTION}/1a2b3c4d", f"{A}:campaign/pop"
RECIPE = "arn:aws:personalize:::recipe/aws-popularity-count"
AVRO = '{"type": "record", "name": "Interactions", "fields": []}'
EXPRESSION = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view")'
FILE = f"""
version = 1
[[schemas]]
name = "shop-interactions"
definition = '{AVRO}'
[[dataset_groups]]
name = "shop"
[[datasets]]
name = "shop-interactions"
dataset_group = "shop"
type = "Interactions"
schema = "shop-interactions"
[[event_trackers]]
name = "shop-tracker"
dataset_group = "shop"
[[filters]]
name = "no-views"
dataset_group = "shop"
expression = '{EXPRESSION}'
[[solutions]]
name = "pop"
dataset_group = "shop"
recipe = "aws-popularity-count"
auto_training = false
[[campaigns]]
name = "pop"
solution = "pop"
min_tps = 2
"""


def test_apply_creates_a_new_dataset_group_in_dependency_order(aws: AwsStubs) -> None:
    ok = {"status": "ACTIVE"}
    aws.respond("personalize", "list_schemas", {"schemas": []}, {})
    aws.respond("personalize", "list_dataset_groups", {"datasetGroups": []}, {})
    aws.respond(
        "personalize",
        "create_schema",
        {"schemaArn": SCHEMA},
        {"name": "shop-interactions", "schema": AVRO},
    )
    aws.respond("personalize", "create_dataset_group", {"datasetGroupArn": GROUP}, {"name": "shop"})
    aws.respond(
        "personalize", "describe_dataset_group", {"datasetGroup": ok}, {"datasetGroupArn": GROUP}
    )
    aws.respond(
        "personalize",
        "create_dataset",
        {"datasetArn": DATASET},
        {
            "name": "shop-interactions",
            "schemaArn": SCHEMA,
            "datasetGroupArn": GROUP,
            "datasetType": "Interactions",
        },
    )
    aws.respond(
        "personalize",
        "create_event_tracker",
        {"eventTrackerArn": TRACKER, "trackingId": "t-1"},
        {"name": "shop-tracker", "datasetGroupArn": GROUP},
    )
    # level 1 (the dataset and the tracker) started together, then read in one round
    aws.respond("personalize", "describe_dataset", {"dataset": ok}, {"datasetArn": DATASET})
    aws.respond(
        "personalize", "describe_event_tracker", {"eventTracker": ok}, {"eventTrackerArn": TRACKER}
    )
    aws.respond(
        "personalize",
        "create_filter",
        {"filterArn": FILTER},
        {"name": "no-views", "datasetGroupArn": GROUP, "filterExpression": EXPRESSION},
    )
    aws.respond(
        "personalize",
        "create_solution",
        {"solutionArn": SOLUTION},
        {
            "name": "pop",
            "datasetGroupArn": GROUP,
            "recipeArn": RECIPE,
            "performHPO": False,
            "performAutoTraining": False,
        },
    )
    # level 2 (the filter and the solution, after the dataset is ACTIVE) likewise
    aws.respond("personalize", "describe_filter", {"filter": ok}, {"filterArn": FILTER})
    aws.respond("personalize", "describe_solution", {"solution": ok}, {"solutionArn": SOLUTION})
    aws.respond(
        "personalize",
        "list_solution_versions",
        {"solutionVersions": []},
        {"solutionArn": SOLUTION},
    )
    aws.respond(
        "personalize",
        "create_solution_version",
        {"solutionVersionArn": VERSION},
        {"solutionArn": SOLUTION, "trainingMode": "FULL"},
    )
    aws.respond(
        "personalize",
        "describe_solution_version",
        {"solutionVersion": ok},
        {"solutionVersionArn": VERSION},
    )
    aws.respond(
        "personalize",
        "create_campaign",
        {"campaignArn": CAMPAIGN},
        {"name": "pop", "solutionVersionArn": VERSION, "minProvisionedTPS": 2},
    )
    aws.respond("personalize", "describe_campaign", {"campaign": ok}, {"campaignArn": CAMPAIGN})

    p = aws.client("personalize")
    setup, account = parse(FILE), read_account(p)
    plan = make_plan(setup, account, prices_for("us-east-1"))
    assert [c.action for c in plan.pending] == ["create"] * 7
    assert plan.cost.training_runs == 1 and plan.cost.tps_after == 2
    done = Applier(p, setup, account, polling=Polling(0.0, 5.0), say=lambda _: None).apply(plan)
    assert done == [
        "schemas/shop-interactions",
        "dataset_groups/shop",
        "datasets/shop-interactions",
        "event_trackers/shop-tracker",
        "filters/no-views",
        "solutions/pop",
        "campaigns/pop",
    ]


DOMAIN_GROUP = f"{A}:dataset-group/eshop"
RECOMMENDER, ATTRIBUTION = f"{A}:recommender/best", f"{A}:metric-attribution/m"
USE_CASE = "arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-purchases"
ROLE = "arn:aws:iam::123456789012:role/PersonalizeS3"
WHOLE = (
    FILE
    + f"""
[[schemas]]
name = "shop-interactions-v2"
definition = '{AVRO}'
[[dataset_groups]]
name = "eshop"
domain = "ECOMMERCE"
[[recommenders]]
name = "best"
dataset_group = "eshop"
use_case = "aws-ecomm-popular-items-by-purchases"
min_rps = 1
[[metric_attributions]]
name = "m"
dataset_group = "shop"
role_arn = "{ROLE}"
output_path = "s3://shop/metrics/"
metrics = [{{ event_type = "View", name = "views", expression = "SAMPLECOUNT()" }}]
"""
)
ARNS = {
    ("schemas", "shop-interactions"): SCHEMA,
    ("schemas", "shop-interactions-v2"): f"{SCHEMA}-v2",
    ("dataset_groups", "shop"): GROUP,
    ("dataset_groups", "eshop"): DOMAIN_GROUP,
    ("datasets", "shop-interactions"): DATASET,
    ("event_trackers", "shop-tracker"): TRACKER,
    ("filters", "no-views"): FILTER,
    ("solutions", "pop"): SOLUTION,
    ("campaigns", "pop"): CAMPAIGN,
    ("recommenders", "best"): RECOMMENDER,
    ("metric_attributions", "m"): ATTRIBUTION,
}


def _account(text: str):
    from services.setup_file.state import Account

    return Account(setup=parse(text), arns=dict(ARNS), active_versions={"pop": [VERSION]})


def _apply(aws: AwsStubs, wanted: str, account, prune: bool = False) -> list[str]:
    setup = parse(wanted)
    plan = make_plan(setup, account, prices_for("us-east-1"), prune=prune)
    p = aws.client("personalize")
    return Applier(p, setup, account, polling=Polling(0.0, 5.0), say=lambda _: None).apply(plan)


def test_prune_deletes_dependents_first_and_waits_for_each(aws: AwsStubs) -> None:
    gone = "ResourceNotFoundException"

    def attribution() -> None:
        aws.respond(
            "personalize", "delete_metric_attribution", {}, {"metricAttributionArn": ATTRIBUTION}
        )
        aws.fail(
            "personalize",
            "describe_metric_attribution",
            gone,
            404,
            {"metricAttributionArn": ATTRIBUTION},
        )

    def recommender() -> None:
        aws.respond("personalize", "delete_recommender", {}, {"recommenderArn": RECOMMENDER})
        aws.fail("personalize", "describe_recommender", gone, 404, {"recommenderArn": RECOMMENDER})

    def campaign() -> None:
        aws.respond("personalize", "delete_campaign", {}, {"campaignArn": CAMPAIGN})
        aws.fail("personalize", "describe_campaign", gone, 404, {"campaignArn": CAMPAIGN})

    def solution() -> None:
        aws.respond("personalize", "delete_solution", {}, {"solutionArn": SOLUTION})
        aws.fail("personalize", "describe_solution", gone, 404, {"solutionArn": SOLUTION})

    def filter_() -> None:
        aws.respond("personalize", "delete_filter", {}, {"filterArn": FILTER})
        aws.fail("personalize", "describe_filter", gone, 404, {"filterArn": FILTER})

    def tracker() -> None:
        aws.respond("personalize", "delete_event_tracker", {}, {"eventTrackerArn": TRACKER})
        aws.fail("personalize", "describe_event_tracker", gone, 404, {"eventTrackerArn": TRACKER})

    def dataset() -> None:
        aws.respond("personalize", "delete_dataset", {}, {"datasetArn": DATASET})
        aws.fail("personalize", "describe_dataset", gone, 404, {"datasetArn": DATASET})

    def group(arn: str) -> None:
        aws.respond("personalize", "delete_dataset_group", {}, {"datasetGroupArn": arn})
        aws.fail("personalize", "describe_dataset_group", gone, 404, {"datasetGroupArn": arn})

    def schema(arn: str) -> None:
        aws.respond("personalize", "delete_schema", {}, {"schemaArn": arn})
        aws.fail("personalize", "describe_schema", gone, 404, {"schemaArn": arn})

    for queue in (attribution, recommender, campaign, solution, filter_, tracker, dataset):
        queue()
    group(GROUP)
    group(DOMAIN_GROUP)
    schema(SCHEMA)
    schema(f"{SCHEMA}-v2")
    done = _apply(aws, "version = 1", _account(WHOLE), prune=True)
    assert done == [
        "metric_attributions/m",
        "recommenders/best",
        "campaigns/pop",
        "solutions/pop",
        "filters/no-views",
        "event_trackers/shop-tracker",
        "datasets/shop-interactions",
        "dataset_groups/shop",
        "dataset_groups/eshop",
        "schemas/shop-interactions",
        "schemas/shop-interactions-v2",
    ]


def test_updates_use_the_update_operations(aws: AwsStubs) -> None:
    wanted = (
        WHOLE.replace('schema = "shop-interactions"', 'schema = "shop-interactions-v2"')
        .replace("min_tps = 2", "min_tps = 4")
        .replace(
            "auto_training = false", 'auto_training = true\nauto_training_schedule = "rate(3 days)"'
        )
        .replace("min_rps = 1", "min_rps = 5")
        .replace('name = "views"', 'name = "clicks"')
    )
    ok = {"status": "ACTIVE"}
    aws.respond(
        "personalize",
        "update_dataset",
        {"datasetArn": DATASET},
        {"datasetArn": DATASET, "schemaArn": f"{SCHEMA}-v2"},
    )
    # UpdateRecommender replaces the whole config: what the file does not say is sent back
    explore = {"explorationWeight": "0.3", "explorationItemAgeCutOff": "30"}
    columns = {"excludedDatasetColumns": {"Items": ["PRICE"]}}
    config = {
        "minRecommendationRequestsPerSecond": 1,
        "itemExplorationConfig": explore,
        "trainingDataConfig": columns,
    }
    aws.respond(
        "personalize",
        "describe_recommender",
        {"recommender": {"recommenderArn": RECOMMENDER, "recommenderConfig": config}},
        {"recommenderArn": RECOMMENDER},
    )
    aws.respond(
        "personalize",
        "update_recommender",
        {"recommenderArn": RECOMMENDER},
        {
            "recommenderArn": RECOMMENDER,
            "recommenderConfig": {
                "minRecommendationRequestsPerSecond": 5,
                "itemExplorationConfig": explore,
                "trainingDataConfig": columns,
            },
        },
    )
    # level 1: the dataset's and the recommender's updates, then one round of reads
    aws.respond("personalize", "describe_dataset", {"dataset": ok}, {"datasetArn": DATASET})
    aws.respond(
        "personalize", "describe_recommender", {"recommender": ok}, {"recommenderArn": RECOMMENDER}
    )
    aws.respond(
        "personalize",
        "update_solution",
        {"solutionArn": SOLUTION},
        {
            "solutionArn": SOLUTION,
            "performAutoTraining": True,
            "solutionUpdateConfig": {
                "autoTrainingConfig": {"schedulingExpression": "rate(3 days)"}
            },
        },
    )
    views = {"eventType": "View", "metricName": "views", "expression": "SAMPLECOUNT()"}
    aws.respond(
        "personalize",
        "list_metric_attribution_metrics",
        {"metrics": [views]},
        {"metricAttributionArn": ATTRIBUTION},
    )
    aws.respond(
        "personalize",
        "update_metric_attribution",
        {"metricAttributionArn": ATTRIBUTION},
        {
            "metricAttributionArn": ATTRIBUTION,
            "metricsOutputConfig": {
                "roleArn": ROLE,
                "s3DataDestination": {"path": "s3://shop/metrics/"},
            },
            "removeMetrics": ["views"],
            "addMetrics": [{**views, "metricName": "clicks"}],
        },
    )
    # level 2: the solution's and the attribution's updates, then one round of reads
    aws.respond("personalize", "describe_solution", {"solution": ok}, {"solutionArn": SOLUTION})
    aws.respond(
        "personalize",
        "describe_metric_attribution",
        {"metricAttribution": ok},
        {"metricAttributionArn": ATTRIBUTION},
    )
    aws.respond(
        "personalize",
        "update_campaign",
        {"campaignArn": CAMPAIGN},
        {
            "campaignArn": CAMPAIGN,
            "minProvisionedTPS": 4,
            "campaignConfig": {
                "enableMetadataWithRecommendations": False,
                "syncWithLatestSolutionVersion": False,
            },
        },
    )
    aws.respond(
        "personalize",
        "describe_campaign",
        {"campaign": {"status": "ACTIVE", "latestCampaignUpdate": ok}},
        {"campaignArn": CAMPAIGN},
    )
    assert _apply(aws, wanted, _account(WHOLE)) == [
        "datasets/shop-interactions",
        "recommenders/best",  # its group has no dataset to wait for
        "solutions/pop",
        "metric_attributions/m",
        "campaigns/pop",
    ]


def test_a_new_recommender_and_metric_attribution(aws: AwsStubs) -> None:
    current = WHOLE[: WHOLE.index("[[recommenders]]")]
    ok = {"status": "ACTIVE"}
    aws.respond(
        "personalize",
        "create_recommender",
        {"recommenderArn": RECOMMENDER},
        {
            "name": "best",
            "datasetGroupArn": DOMAIN_GROUP,
            "recipeArn": USE_CASE,
            "recommenderConfig": {"minRecommendationRequestsPerSecond": 1},
        },
    )
    aws.respond(
        "personalize", "describe_recommender", {"recommender": ok}, {"recommenderArn": RECOMMENDER}
    )
    aws.respond(
        "personalize",
        "create_metric_attribution",
        {"metricAttributionArn": ATTRIBUTION},
        {
            "name": "m",
            "datasetGroupArn": GROUP,
            "metrics": [
                {"eventType": "View", "metricName": "views", "expression": "SAMPLECOUNT()"}
            ],
            "metricsOutputConfig": {
                "roleArn": ROLE,
                "s3DataDestination": {"path": "s3://shop/metrics/"},
            },
        },
    )
    aws.respond(
        "personalize",
        "describe_metric_attribution",
        {"metricAttribution": ok},
        {"metricAttributionArn": ATTRIBUTION},
    )
    account = _account(current)
    assert _apply(aws, WHOLE, account) == ["recommenders/best", "metric_attributions/m"]


def _one_group(aws: AwsStubs) -> None:
    """The reads of an account with no schema and one dataset group, "shop"."""
    aws.respond("personalize", "list_schemas", {"schemas": []}, {})
    aws.respond(
        "personalize",
        "list_dataset_groups",
        {"datasetGroups": [{"datasetGroupArn": GROUP, "status": "ACTIVE"}]},
        {},
    )
    aws.respond(
        "personalize",
        "describe_dataset_group",
        {"datasetGroup": {"name": "shop", "datasetGroupArn": GROUP, "status": "ACTIVE"}},
        {"datasetGroupArn": GROUP},
    )


def test_tags_are_read_with_list_tags_for_resource(aws: AwsStubs) -> None:
    _one_group(aws)
    for method, key in (
        ("list_datasets", "datasets"),
        ("list_event_trackers", "eventTrackers"),
        ("list_filters", "Filters"),
        ("list_solutions", "solutions"),
        ("list_recommenders", "recommenders"),
        ("list_metric_attributions", "metricAttributions"),
    ):
        aws.respond("personalize", method, {key: []}, {"datasetGroupArn": GROUP})
    aws.respond(
        "personalize",
        "list_tags_for_resource",
        {"tags": [{"tagKey": "team", "tagValue": "추천"}]},
        {"resourceArn": GROUP},
    )
    (group,) = read_account(aws.client("personalize")).setup.dataset_groups
    assert (group.name, group.tags) == ("shop", {"team": "추천"})


def test_tags_and_hpo_are_created_and_tags_changed_with_tag_and_untag(aws: AwsStubs) -> None:
    tagged = 'name = "no-views"\ndataset_group = "shop"\n'
    current = WHOLE.replace(tagged, tagged + 'tags = { team = "shop", old = "x" }\n')
    wanted = WHOLE.replace(tagged, tagged + 'tags = { team = "ads" }\n')
    wanted += """
[[solutions]]
name = "tuned"
perform_hpo = true
tags = { team = "ads" }
recipe = "aws-user-personalization"
dataset_group = "shop"
auto_training = false
[solutions.hpo]
max_training_jobs = 4
max_parallel_jobs = 2
integer_ranges = [{ name = "bptt", min = 4, max = 8 }]
categorical_ranges = [{ name = "recency_mask", values = [true, false] }]
"""
    aws.respond(
        "personalize",
        "tag_resource",
        {},
        {"resourceArn": FILTER, "tags": [{"tagKey": "team", "tagValue": "ads"}]},
    )
    aws.respond("personalize", "untag_resource", {}, {"resourceArn": FILTER, "tagKeys": ["old"]})
    tuned = f"{A}:solution/tuned"
    aws.respond(
        "personalize",
        "create_solution",
        {"solutionArn": tuned},
        {
            "name": "tuned",
            "datasetGroupArn": GROUP,
            "recipeArn": "arn:aws:personalize:::recipe/aws-user-personalization",
            "performHPO": True,
            "performAutoTraining": False,
            "solutionConfig": {
                "hpoConfig": {
                    "hpoResourceConfig": {
                        "maxNumberOfTrainingJobs": "4",
                        "maxParallelTrainingJobs": "2",
                    },
                    "algorithmHyperParameterRanges": {
                        "integerHyperParameterRanges": [
                            {"name": "bptt", "minValue": 4, "maxValue": 8}
                        ],
                        "categoricalHyperParameterRanges": [
                            {"name": "recency_mask", "values": ["true", "false"]}
                        ],
                    },
                }
            },
            "tags": [{"tagKey": "team", "tagValue": "ads"}],
        },
    )
    # the tags are set at once: only the new solution is waited for
    aws.respond(
        "personalize",
        "describe_solution",
        {"solution": {"status": "ACTIVE"}},
        {"solutionArn": tuned},
    )
    assert _apply(aws, wanted, _account(current)) == ["filters/no-views", "solutions/tuned"]


def test_apply_says_what_it_still_waits_for(aws: AwsStubs) -> None:
    aws.respond("personalize", "list_schemas", {"schemas": []}, {})
    aws.respond("personalize", "list_dataset_groups", {"datasetGroups": []}, {})
    aws.respond("personalize", "create_dataset_group", {"datasetGroupArn": GROUP}, {"name": "shop"})
    for status in ("CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"):
        aws.respond(
            "personalize",
            "describe_dataset_group",
            {"datasetGroup": {"status": status}},
            {"datasetGroupArn": GROUP},
        )
    p = aws.client("personalize")
    setup = parse('version = 1\n[[dataset_groups]]\nname = "shop"\n')
    account = read_account(p)
    plan = make_plan(setup, account, prices_for("us-east-1"))
    lines: list[str] = []
    applier = Applier(p, setup, account, polling=Polling(0.0, 5.0), say=lines.append, progress_s=0)
    assert applier.apply(plan) == ["dataset_groups/shop"]
    assert lines[0] == "creating dataset_groups/shop"
    assert [re.sub(r"\d+s", "Ns", line) for line in lines[1:]] == [
        "waiting Ns so far for dataset_groups/shop (CREATE PENDING)",
        "waiting Ns so far for dataset_groups/shop (CREATE IN_PROGRESS)",
    ]


def test_an_hpo_objective_the_service_reports_is_not_exported(aws: AwsStubs) -> None:
    _one_group(aws)
    for method, key in (("list_datasets", "datasets"), ("list_event_trackers", "eventTrackers")):
        aws.respond("personalize", method, {key: []}, {"datasetGroupArn": GROUP})
    aws.respond("personalize", "list_filters", {"Filters": []}, {"datasetGroupArn": GROUP})
    aws.respond(
        "personalize",
        "list_solutions",
        {"solutions": [{"solutionArn": SOLUTION, "status": "ACTIVE"}]},
        {"datasetGroupArn": GROUP},
    )
    hpo = {
        "hpoObjective": {"type": "Maximize", "metricName": "precision_at_25"},
        "hpoResourceConfig": {"maxNumberOfTrainingJobs": "8"},
    }
    aws.respond(
        "personalize",
        "describe_solution",
        {
            "solution": {
                "name": "tuned",
                "solutionArn": SOLUTION,
                "recipeArn": "arn:aws:personalize:::recipe/aws-user-personalization",
                "performHPO": True,
                "performAutoTraining": False,
                "solutionConfig": {"hpoConfig": hpo},
                "status": "ACTIVE",
            }
        },
        {"solutionArn": SOLUTION},
    )
    aws.respond(
        "personalize", "list_solution_versions", {"solutionVersions": []}, {"solutionArn": SOLUTION}
    )
    aws.respond("personalize", "list_campaigns", {"campaigns": []}, {"solutionArn": SOLUTION})
    for method, key in (("list_recommenders", "recommenders"),
                        ("list_metric_attributions", "metricAttributions")):  # fmt: skip
        aws.respond("personalize", method, {key: []}, {"datasetGroupArn": GROUP})
    for arn in (GROUP, SOLUTION):
        aws.respond("personalize", "list_tags_for_resource", {"tags": []}, {"resourceArn": arn})
    setup = read_account(aws.client("personalize")).setup
    (solution,) = setup.solutions
    assert solution.hpo is not None and solution.hpo.max_training_jobs == 8
    assert solution.hpo.objective is None
    assert parse(to_toml(setup)).solutions == setup.solutions  # the export reads back
