"""A solution's hyperparameter optimisation in the setup file (``perform_hpo`` with ``hpo``):
what the file alone shows wrong with it, and its ``hpoConfig`` on the wire (read back by
``state``; its ranges checked against the account by ``ranges``).

Sources: CreateSolution (``performHPO``, ``solutionConfig.hpoConfig``) and the botocore
shapes HPOConfig, HPOResourceConfig (``maxNumberOfTrainingJobs``, ``maxParallelTrainingJobs``:
strings on the wire), HyperParameterRanges and HPOObjective, whose API reference page says
"Amazon Personalize doesn't support configuring the hpoObjective at this time". The ranges are
checked against DescribeAlgorithm's ``defaultHyperParameterRanges``: a ranged hyperparameter
must be one the recipe marks ``isTunable``, in the list of its kind, inside its range.

The local engine tunes what it accepts (services/local/models/hpo.py): each range's low,
middle and high values (every categorical value), at most ``max_training_jobs`` trials, one at
a time (within any ``max_parallel_jobs``), and trains the version with the best validation
score.
"""

from __future__ import annotations

from typing import Any

from services.setup_file.model import HpoSpec, SetupFile
from services.setup_file.state import wire_value

# file list -> (the wire list, DescribeAlgorithm's kind)
RANGE_LISTS = {
    "integer_ranges": ("integerHyperParameterRanges", "integer"),
    "continuous_ranges": ("continuousHyperParameterRanges", "continuous"),
    "categorical_ranges": ("categoricalHyperParameterRanges", "categorical"),
}


def file_problems(setup: SetupFile) -> list[str]:
    """What the file alone shows wrong with its solutions' ``hpo``, one message each with its
    path: an objective (not configurable), ``hpo`` without ``perform_hpo`` (CreateSolution:
    InvalidInputException), more parallel jobs than jobs, a range whose min is above its max,
    a hyperparameter ranged twice."""
    problems: list[str] = []
    for i, solution in enumerate(setup.solutions):
        hpo, where = solution.hpo, f"solutions[{i}].hpo"
        if hpo is None:
            continue
        if not solution.perform_hpo:
            problems.append(f"{where}: used only with perform_hpo = true")
        if hpo.objective is not None:
            problems.append(
                f"{where}.objective: Personalize does not support configuring the HPO "
                "objective (HPOObjective); leave it out"
            )
        jobs, parallel = hpo.max_training_jobs, hpo.max_parallel_jobs
        if jobs is not None and parallel is not None and parallel > jobs:
            problems.append(
                f"{where}.max_parallel_jobs: {parallel} is more than max_training_jobs ({jobs})"
            )
        seen: set[str] = set()
        for listed in RANGE_LISTS:
            for j, entry in enumerate(getattr(hpo, listed)):
                path = f"{where}.{listed}[{j}]"
                if entry.name in seen:
                    problems.append(f"{path}.name: '{entry.name}' is ranged twice")
                seen.add(entry.name)
                if listed != "categorical_ranges" and entry.min > entry.max:
                    problems.append(f"{path}: min {entry.min} is above max {entry.max}")
    return problems


def hpo_config(hpo: HpoSpec) -> dict[str, Any]:
    """CreateSolution's ``solutionConfig.hpoConfig`` for ``hpo`` (only what it sets)."""
    out: dict[str, Any] = {}
    resources = {
        key: str(value)
        for key, value in (
            ("maxNumberOfTrainingJobs", hpo.max_training_jobs),
            ("maxParallelTrainingJobs", hpo.max_parallel_jobs),
        )
        if value is not None
    }
    if resources:
        out["hpoResourceConfig"] = resources
    ranges: dict[str, list[dict[str, Any]]] = {}
    for entry in hpo.integer_ranges:
        ranges.setdefault("integerHyperParameterRanges", []).append(
            {"name": entry.name, "minValue": entry.min, "maxValue": entry.max}
        )
    for cont in hpo.continuous_ranges:
        ranges.setdefault("continuousHyperParameterRanges", []).append(
            {"name": cont.name, "minValue": cont.min, "maxValue": cont.max}
        )
    for cat in hpo.categorical_ranges:
        ranges.setdefault("categoricalHyperParameterRanges", []).append(
            {"name": cat.name, "values": [wire_value(v) for v in cat.values]}
        )
    if ranges:
        out["algorithmHyperParameterRanges"] = ranges
    return out
