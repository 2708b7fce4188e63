"""The parameters of the Create*/Update* calls a setup file's apply sends, built from its
specs: solutionConfig, campaignConfig, eventsConfig entries, tags and a metric attribution's
metrics and output (shapes as in Personalize's API reference for each operation)."""

from __future__ import annotations

from typing import Any

from services.setup_file.hpo import hpo_config
from services.setup_file.state import wire_value

RECIPES = "arn:aws:personalize:::recipe/"


def solution_config(spec: Any) -> dict[str, Any]:
    """CreateSolution's ``solutionConfig`` for a solution spec (empty when it sets nothing):
    hyperparameters, featurization, auto-training schedule, optimization objective,
    eventsConfig and hpoConfig."""
    config: dict[str, Any] = {}
    if spec.hyperparameters:
        config["algorithmHyperParameters"] = {
            k: wire_value(v) for k, v in spec.hyperparameters.items()
        }
    if spec.featurization:
        config["featureTransformationParameters"] = {
            k: wire_value(v) for k, v in spec.featurization.items()
        }
    if spec.auto_training and spec.auto_training_schedule:
        config["autoTrainingConfig"] = {"schedulingExpression": spec.auto_training_schedule}
    if spec.optimization_objective:
        objective = spec.optimization_objective
        config["optimizationObjective"] = {"itemAttribute": objective.item_attribute}
        if objective.sensitivity:
            config["optimizationObjective"]["objectiveSensitivity"] = objective.sensitivity
    if spec.events:
        config["eventsConfig"] = {"eventParametersList": [event_parameters(e) for e in spec.events]}
    if spec.hpo is not None and hpo_config(spec.hpo):
        config["hpoConfig"] = hpo_config(spec.hpo)
    return config


def campaign_config(spec: Any) -> dict[str, Any]:
    """CreateCampaign/UpdateCampaign's ``campaignConfig`` for a campaign spec."""
    explore: dict[str, str] = {}
    if spec.exploration_weight is not None:
        explore["explorationWeight"] = wire_value(spec.exploration_weight)
    if spec.exploration_item_age_cut_off is not None:
        explore["explorationItemAgeCutOff"] = wire_value(spec.exploration_item_age_cut_off)
    config: dict[str, Any] = {}
    if explore:
        config["itemExplorationConfig"] = explore
    if spec.enable_metadata:
        config["enableMetadataWithRecommendations"] = True
    if spec.sync_with_latest:
        config["syncWithLatestSolutionVersion"] = True
    return config


def event_parameters(e: Any) -> dict[str, Any]:
    """EventParameters of an ``events`` entry (only the fields it sets)."""
    out: dict[str, Any] = {"eventType": e.event_type}
    if e.weight is not None:
        out["weight"] = e.weight
    if e.value_threshold is not None:
        out["eventValueThreshold"] = e.value_threshold
    return out


def create_tags(spec: Any) -> dict[str, Any]:
    """A Create* call's ``tags`` for the resource's ``tags`` in the file (none when it has
    none or leaves them out)."""
    tags = getattr(spec, "tags", None)
    if not tags:
        return {}
    return {"tags": [{"tagKey": k, "tagValue": v} for k, v in tags.items()]}


def metric_definition(m: Any) -> dict[str, str]:
    """One MetricAttribute of a metric attribution spec's ``metrics`` entry."""
    return {"eventType": m.event_type, "metricName": m.name, "expression": m.expression}


def metrics_output(spec: Any) -> dict[str, Any]:
    """A metric attribution's ``metricsOutputConfig``: its role and S3 destination."""
    return {"roleArn": spec.role_arn, "s3DataDestination": {"path": spec.output_path}}
