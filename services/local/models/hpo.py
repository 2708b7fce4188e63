"""performHPO's search space and budget from a solution's ``hpoConfig``.

API reference HPOConfig: ``algorithmHyperParameterRanges`` are "the hyperparameters and their
allowable ranges" (integer, continuous, categorical); ``hpoResourceConfig`` caps the search:
``maxNumberOfTrainingJobs`` (at most 40) trials, ``maxParallelTrainingJobs`` (at most 10) at
once; ``hpoObjective`` is not configurable ("Amazon Personalize doesn't support configuring the
hpoObjective at this time"), so a request that sets it is refused. The engine tries the given
ranges' low, middle and high values (each value of a categorical range), one hyperparameter at a
time around the middle of every range, and runs its trials one after another (within any
``maxParallelTrainingJobs``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MAX_TRAINING_JOBS = 40
MAX_PARALLEL_JOBS = 10


def hpo_ranges(hpo_config: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Candidate values (strings, as hyperparameters are given) per ranged hyperparameter,
    middle value first."""
    ranges = hpo_config.get("algorithmHyperParameterRanges") or {}
    out: dict[str, tuple[str, ...]] = {}
    for entry in ranges.get("integerHyperParameterRanges") or []:
        low, high = int(entry["minValue"]), int(entry["maxValue"])
        out[entry["name"]] = tuple(dict.fromkeys(str(v) for v in ((low + high) // 2, low, high)))
    for entry in ranges.get("continuousHyperParameterRanges") or []:
        bottom, top = float(entry["minValue"]), float(entry["maxValue"])
        values = ((bottom + top) / 2, bottom, top)
        out[entry["name"]] = tuple(dict.fromkeys(str(v) for v in values))
    for entry in ranges.get("categoricalHyperParameterRanges") or []:
        out[entry["name"]] = tuple(dict.fromkeys(str(v) for v in entry.get("values") or []))
    return {name: values for name, values in out.items() if values}


def search_grid(
    ranges: Mapping[str, Sequence[str]],
    defaults: Sequence[Mapping[str, str]],
    max_trials: int | None,
) -> list[dict[str, str]]:
    """The trials of one HPO run: the recipe's own ``defaults`` grid without ranges; with
    ranges, the middle of every range, then each other value of one range at a time. At most
    ``max_trials`` trials (the first ones)."""
    if ranges:
        middle = {name: values[0] for name, values in ranges.items()}
        grid = [middle] + [
            {**middle, name: value} for name, values in ranges.items() for value in values[1:]
        ]
    else:
        grid = [dict(trial) for trial in defaults]
    return grid[:max_trials] if max_trials else grid


def resource_problems(hpo_config: Mapping[str, Any]) -> list[str]:
    """Why ``hpoObjective`` or ``hpoResourceConfig`` cannot be taken (empty when they can)."""
    problems = []
    if hpo_config.get("hpoObjective") is not None:
        problems.append(
            "solutionConfig.hpoConfig.hpoObjective: Amazon Personalize doesn't support "
            "configuring the hpoObjective."
        )
    resources = hpo_config.get("hpoResourceConfig") or {}
    counts = {}
    for key, limit in (
        ("maxNumberOfTrainingJobs", MAX_TRAINING_JOBS),
        ("maxParallelTrainingJobs", MAX_PARALLEL_JOBS),
    ):
        raw = resources.get(key)
        if raw is None:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= limit:
            problems.append(
                f"solutionConfig.hpoConfig.hpoResourceConfig.{key} '{raw}' must be a whole "
                f"number from 1 to {limit}."
            )
        else:
            counts[key] = int(raw)
    if counts.get("maxParallelTrainingJobs", 0) > counts.get("maxNumberOfTrainingJobs", 40):
        problems.append(
            "solutionConfig.hpoConfig.hpoResourceConfig.maxParallelTrainingJobs exceeds "
            "maxNumberOfTrainingJobs."
        )
    return problems
