"""What an account (or the local engine) holds, read into the setup file's own shape.

``read_account`` lists and describes every dataset group and what it holds, through a boto3
``personalize`` client only, so it works the same on AWS and on the engine. The result is a
:class:`~services.setup_file.model.SetupFile` (what ``export`` writes and what ``plan``
compares the file with) plus each resource's ARN and status and each solution's ACTIVE
versions. Sources: the List*/Describe* operations of the Personalize API reference
(ListDatasetGroups … ListMetricAttributionMetrics, ListTagsForResource for the kinds whose
Create* takes ``tags``); paginated lists use boto3 paginators.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from services.setup_file.model import (
    AttributedMetricSpec,
    CampaignSpec,
    CategoricalRangeSpec,
    ContinuousRangeSpec,
    DatasetGroupSpec,
    DatasetSpec,
    EventParameterSpec,
    EventTrackerSpec,
    FilterSpec,
    HpoSpec,
    IntegerRangeSpec,
    MetricAttributionSpec,
    ObjectiveSpec,
    RecommenderSpec,
    SchemaSpec,
    SetupFile,
    SolutionSpec,
)

Key = tuple[str, str]
GONE = ("DELETE PENDING", "DELETE IN_PROGRESS")  # being deleted: as good as absent
DEFAULT_SCHEDULE = "rate(7 days)"  # autoTrainingConfig's default (CreateSolution)


@dataclass
class Account:
    """The account as a setup file, with what the file does not say.

    ``arns``/``status``: per ``(kind, name)``; ``active_versions``: solution name -> its
    ACTIVE solution version ARNs, newest first; ``training_hours``: solution name -> billed
    training hours of its newest ACTIVE version (for the plan's cost)."""

    setup: SetupFile
    arns: dict[Key, str] = field(default_factory=dict)
    status: dict[Key, str] = field(default_factory=dict)
    active_versions: dict[str, list[str]] = field(default_factory=dict)
    training_hours: dict[str, float] = field(default_factory=dict)
    imported: dict[str, bool] = field(default_factory=dict)  # dataset -> has an ACTIVE import


def recipe_name(arn: str) -> str:
    """``arn:aws:personalize:::recipe/aws-sims`` -> ``aws-sims``."""
    return arn.rsplit("/", 1)[-1]


def wire_value(value: object) -> str:
    """A hyperparameter as Personalize's string map holds it (``true``, ``64``, ``0.1``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pages(p: Any, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    for page in p.get_paginator(operation).paginate(**params):
        yield from page[key]


def read_account(p: Any) -> Account:
    """Read every dataset group of the account and what it holds (schemas: every schema the
    account has). Raises botocore's ClientError / BotoCoreError as the calls do."""
    acc = Account(setup=SetupFile(version=1))
    kinds: dict[str, list[Any]] = {k: [] for k in SetupFile.model_fields if k != "version"}
    schema_names: dict[str, str] = {}
    for summary in _pages(p, "list_schemas", "schemas"):
        doc = p.describe_schema(schemaArn=summary["schemaArn"])["schema"]
        spec = SchemaSpec(name=doc["name"], domain=doc.get("domain"), definition=doc["schema"])
        schema_names[doc["schemaArn"]] = doc["name"]
        _add(acc, kinds, "schemas", spec, doc["schemaArn"], "ACTIVE")
    for summary in _pages(p, "list_dataset_groups", "datasetGroups"):
        if summary.get("status") in GONE:
            continue
        group_arn = summary["datasetGroupArn"]
        doc = p.describe_dataset_group(datasetGroupArn=group_arn)["datasetGroup"]
        group = doc["name"]
        _add(
            acc,
            kinds,
            "dataset_groups",
            DatasetGroupSpec(name=group, domain=doc.get("domain")),
            group_arn,
            doc["status"],
        )
        _read_group(p, acc, kinds, group, group_arn, schema_names)
    for kind, specs in kinds.items():
        kinds[kind] = [_with_tags(p, spec, acc.arns[(kind, spec.name)]) for spec in specs]
    acc.setup = SetupFile(version=1, **kinds)
    return acc


def _with_tags(p: Any, spec: Any, arn: str) -> Any:
    """``spec`` with the resource's tags (ListTagsForResource), for kinds that take tags;
    None when it has none, as a file that leaves ``tags`` out."""
    if "tags" not in type(spec).model_fields:
        return spec
    tags = {t["tagKey"]: t["tagValue"] for t in p.list_tags_for_resource(resourceArn=arn)["tags"]}
    return spec.model_copy(update={"tags": tags or None})


def _add(
    acc: Account, kinds: dict[str, list[Any]], kind: str, spec: Any, arn: str, status: str
) -> None:
    kinds[kind].append(spec)
    acc.arns[(kind, spec.name)] = arn
    acc.status[(kind, spec.name)] = status


def _read_group(
    p: Any,
    acc: Account,
    kinds: dict[str, list[Any]],
    group: str,
    group_arn: str,
    schema_names: dict[str, str],
) -> None:
    for summary in _pages(p, "list_datasets", "datasets", datasetGroupArn=group_arn):
        if summary.get("status") in GONE:
            continue
        doc = p.describe_dataset(datasetArn=summary["datasetArn"])["dataset"]
        source, imported = _last_import(p, doc["datasetArn"])
        acc.imported[doc["name"]] = imported
        spec: Any = DatasetSpec.model_validate(
            {
                "name": doc["name"],
                "dataset_group": group,
                "type": doc["datasetType"],
                "schema": schema_names.get(doc["schemaArn"], recipe_name(doc["schemaArn"])),
                "import_from": source,
            }
        )
        _add(acc, kinds, "datasets", spec, doc["datasetArn"], doc["status"])
    for summary in _pages(p, "list_event_trackers", "eventTrackers", datasetGroupArn=group_arn):
        if summary.get("status") in GONE:
            continue
        spec = EventTrackerSpec(name=summary["name"], dataset_group=group)
        _add(acc, kinds, "event_trackers", spec, summary["eventTrackerArn"], summary["status"])
    for summary in _pages(p, "list_filters", "Filters", datasetGroupArn=group_arn):
        if summary.get("status") in GONE:
            continue
        doc = p.describe_filter(filterArn=summary["filterArn"])["filter"]
        spec = FilterSpec(name=doc["name"], dataset_group=group, expression=doc["filterExpression"])
        _add(acc, kinds, "filters", spec, doc["filterArn"], doc["status"])
    for summary in _pages(p, "list_solutions", "solutions", datasetGroupArn=group_arn):
        if summary.get("status") in GONE:
            continue
        doc = p.describe_solution(solutionArn=summary["solutionArn"])["solution"]
        _add(acc, kinds, "solutions", _solution(doc, group), doc["solutionArn"], doc["status"])
        _read_versions(p, acc, doc["name"], doc["solutionArn"])
        for camp in _pages(p, "list_campaigns", "campaigns", solutionArn=doc["solutionArn"]):
            if camp.get("status") in GONE:
                continue
            cdoc = p.describe_campaign(campaignArn=camp["campaignArn"])["campaign"]
            spec = _campaign(cdoc, doc["name"])
            _add(acc, kinds, "campaigns", spec, cdoc["campaignArn"], cdoc["status"])
    for summary in _pages(p, "list_recommenders", "recommenders", datasetGroupArn=group_arn):
        if summary.get("status") in GONE:
            continue
        doc = p.describe_recommender(recommenderArn=summary["recommenderArn"])["recommender"]
        rps = (doc.get("recommenderConfig") or {}).get("minRecommendationRequestsPerSecond")
        spec = RecommenderSpec(
            name=doc["name"],
            dataset_group=group,
            use_case=recipe_name(doc["recipeArn"]),
            min_rps=1 if rps is None else rps,
        )
        _add(acc, kinds, "recommenders", spec, doc["recommenderArn"], doc["status"])
    for summary in _pages(
        p, "list_metric_attributions", "metricAttributions", datasetGroupArn=group_arn
    ):
        if summary.get("status") in GONE:
            continue
        arn = summary["metricAttributionArn"]
        doc = p.describe_metric_attribution(metricAttributionArn=arn)["metricAttribution"]
        output = doc.get("metricsOutputConfig") or {}
        metrics = [
            AttributedMetricSpec(
                event_type=m["eventType"], name=m["metricName"], expression=m["expression"]
            )
            for m in _pages(
                p, "list_metric_attribution_metrics", "metrics", metricAttributionArn=arn
            )
        ]
        spec = MetricAttributionSpec(
            name=doc["name"],
            dataset_group=group,
            role_arn=output.get("roleArn", ""),
            output_path=(output.get("s3DataDestination") or {}).get("path", ""),
            metrics=metrics,
        )
        _add(acc, kinds, "metric_attributions", spec, arn, doc["status"])


def _last_import(p: Any, dataset_arn: str) -> tuple[str | None, bool]:
    """The location of the newest ACTIVE import of a dataset (None without one), and whether
    it has one."""
    for job in _pages(p, "list_dataset_import_jobs", "datasetImportJobs", datasetArn=dataset_arn):
        if job["status"] != "ACTIVE":
            continue  # ListDatasetImportJobs lists newest first
        doc = p.describe_dataset_import_job(datasetImportJobArn=job["datasetImportJobArn"])
        return doc["datasetImportJob"]["dataSource"]["dataLocation"], True
    return None, False


def _solution(doc: dict[str, Any], group: str) -> SolutionSpec:
    config = doc.get("solutionConfig") or {}
    auto = bool(doc.get("performAutoTraining", True))
    schedule = (config.get("autoTrainingConfig") or {}).get("schedulingExpression")
    return SolutionSpec(
        name=doc["name"],
        dataset_group=group,
        recipe=recipe_name(doc.get("recipeArn") or "aws-automl"),
        event_type=doc.get("eventType") or None,
        perform_hpo=bool(doc.get("performHPO", False)),
        auto_training=auto,
        auto_training_schedule=(schedule or DEFAULT_SCHEDULE) if auto else None,
        hyperparameters=dict(config.get("algorithmHyperParameters") or {}),
        featurization=dict(config.get("featureTransformationParameters") or {}),
        optimization_objective=_objective(config.get("optimizationObjective")),
        events=[
            EventParameterSpec(
                event_type=e["eventType"],
                weight=e.get("weight"),
                value_threshold=e.get("eventValueThreshold"),
            )
            for e in (config.get("eventsConfig") or {}).get("eventParametersList") or []
        ],
        hpo=_hpo(config.get("hpoConfig")),
    )


def _objective(doc: dict[str, Any] | None) -> ObjectiveSpec | None:
    if not doc or not doc.get("itemAttribute"):
        return None
    return ObjectiveSpec(
        item_attribute=doc["itemAttribute"], sensitivity=doc.get("objectiveSensitivity")
    )


def _campaign(doc: dict[str, Any], solution: str) -> CampaignSpec:
    config = doc.get("campaignConfig") or {}
    explore = config.get("itemExplorationConfig") or {}
    weight = explore.get("explorationWeight")
    age = explore.get("explorationItemAgeCutOff")
    return CampaignSpec(
        name=doc["name"],
        solution=solution,
        min_tps=int(doc.get("minProvisionedTPS") or 1),
        exploration_weight=float(weight) if weight is not None else None,
        exploration_item_age_cut_off=float(age) if age is not None else None,
        enable_metadata=bool(config.get("enableMetadataWithRecommendations", False)),
        sync_with_latest=bool(config.get("syncWithLatestSolutionVersion", False)),
    )


def _read_versions(p: Any, acc: Account, solution: str, solution_arn: str) -> None:
    active = [
        v
        for v in _pages(p, "list_solution_versions", "solutionVersions", solutionArn=solution_arn)
        if v["status"] == "ACTIVE"
    ]
    active.sort(key=lambda v: v["creationDateTime"], reverse=True)
    acc.active_versions[solution] = [v["solutionVersionArn"] for v in active]
    if active:
        doc = p.describe_solution_version(solutionVersionArn=active[0]["solutionVersionArn"])
        hours = doc["solutionVersion"].get("trainingHours")
        if hours is not None:
            acc.training_hours[solution] = float(hours)


def schema_body(definition: str) -> Any:
    """An Avro schema's JSON, parsed, for comparing two schemas by content."""
    return json.loads(definition)


def _hpo(config: dict[str, Any] | None) -> HpoSpec | None:
    """DescribeSolution's ``solutionConfig.hpoConfig`` as the file writes it (None when it
    says nothing the file can say). An ``hpoObjective`` is left out: the file cannot set one
    (Personalize does not support configuring it), so one the service reports is its own."""
    if not config:
        return None
    resources = config.get("hpoResourceConfig") or {}
    ranges = config.get("algorithmHyperParameterRanges") or {}
    jobs, parallel = (
        resources.get("maxNumberOfTrainingJobs"),
        resources.get("maxParallelTrainingJobs"),
    )
    spec = HpoSpec(
        max_training_jobs=int(jobs) if jobs else None,
        max_parallel_jobs=int(parallel) if parallel else None,
        integer_ranges=[
            IntegerRangeSpec(name=r["name"], min=int(r["minValue"]), max=int(r["maxValue"]))
            for r in ranges.get("integerHyperParameterRanges") or []
        ],
        continuous_ranges=[
            ContinuousRangeSpec(name=r["name"], min=float(r["minValue"]), max=float(r["maxValue"]))
            for r in ranges.get("continuousHyperParameterRanges") or []
        ],
        categorical_ranges=[
            CategoricalRangeSpec(name=r["name"], values=[str(v) for v in r.get("values") or []])
            for r in ranges.get("categoricalHyperParameterRanges") or []
        ],
    )
    return None if spec == HpoSpec() else spec
