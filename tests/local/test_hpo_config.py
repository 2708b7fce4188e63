"""solutionConfig.hpoConfig honoured or refused (API reference HPOConfig, HPOResourceConfig,
HPOObjective): performHPO searches the given algorithmHyperParameterRanges, at most
maxNumberOfTrainingJobs trials; hpoObjective (not configurable on Personalize), resource
limits out of range, and an hpoConfig without performHPO are InvalidInputException."""

from __future__ import annotations

from typing import Any

import pytest

from services.local.models.hpo import search_grid
from tests.local.refusals import TRANSPORTS, World, refused
from tests.local.workspace import trained

UP = "arn:aws:personalize:::recipe/aws-user-personalization"
BPTT = {"integerHyperParameterRanges": [{"name": "bptt", "minValue": 2, "maxValue": 10}]}


def _create(w: World, name: str, config: dict[str, Any], hpo: bool = True) -> str:
    return w.clients.personalize.create_solution(
        name=name,
        datasetGroupArn=w.ws["group"],
        recipeArn=UP,
        performHPO=hpo,
        solutionConfig=config,
    )["solutionArn"]


def test_the_search_is_the_ranges_middle_then_each_end() -> None:
    ranges = {"bptt": ("6", "2", "10"), "recency_mask": ("true", "false")}
    grid = search_grid(ranges, [{"lambda": "50"}], None)
    assert grid == [
        {"bptt": "6", "recency_mask": "true"},
        {"bptt": "2", "recency_mask": "true"},
        {"bptt": "10", "recency_mask": "true"},
        {"bptt": "6", "recency_mask": "false"},
    ]
    assert search_grid(ranges, [], 2) == grid[:2]
    assert search_grid({}, [{}, {"lambda": "50"}], 1) == [{}]  # no ranges: the recipe's grid


@pytest.mark.parametrize(("jobs", "allowed"), [("1", {"6"}), ("3", {"6", "2", "10"})])
def test_hpo_searches_the_given_range_within_the_job_budget(
    world: World, jobs: str, allowed: set[str]
) -> None:
    config = {
        "hpoConfig": {
            "algorithmHyperParameterRanges": BPTT,
            "hpoResourceConfig": {"maxNumberOfTrainingJobs": jobs, "maxParallelTrainingJobs": "1"},
        }
    }
    solution = _create(world, f"hpo-{jobs}", config)
    p = world.clients.personalize
    version = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    tuned = trained(world.clients, version)["tunedHPOParams"]["algorithmHyperParameters"]
    assert tuned["bptt"] in allowed, tuned  # one trial: the range's middle, (2 + 10) // 2


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("hpo", "performed", "needle"),
    [
        ({"hpoObjective": {"type": "Maximize", "metricName": "ndcg"}}, True, "hpoObjective"),
        ({"hpoResourceConfig": {"maxNumberOfTrainingJobs": "41"}}, True, "from 1 to 40"),
        ({"hpoResourceConfig": {"maxParallelTrainingJobs": "11"}}, True, "from 1 to 10"),
        ({"hpoResourceConfig": {"maxNumberOfTrainingJobs": "ten"}}, True, "whole number"),
        (
            {"hpoResourceConfig": {"maxNumberOfTrainingJobs": "2", "maxParallelTrainingJobs": "3"}},
            True,
            "exceeds",
        ),
        ({"algorithmHyperParameterRanges": BPTT}, False, "performHPO"),
    ],
)
def test_hpo_config_refusals(
    world: World, transport: str, hpo: dict[str, Any], performed: bool, needle: str
) -> None:
    w = world.over(transport)
    refused(
        w,
        "InvalidInputException",
        lambda: _create(w, f"hpo-bad-{transport}", {"hpoConfig": hpo}, performed),
        needle,
    )
