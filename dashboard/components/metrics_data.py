"""What Solutions & metrics shows of a version, and its tables (the reads are in
``dashboard.reads``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from dashboard.components.formatting import duration, short_id
from services.models import Solution, SolutionVersion, is_terminal, short_arn

BASELINE_RECIPES = frozenset({"aws-popularity-count"})


@dataclass(frozen=True)
class VersionInfo:
    """One solution version with what the page shows next to it."""

    solution: Solution
    version: SolutionVersion
    deployed_in: tuple[str, ...]  # names of campaigns serving it

    @property
    def recipe(self) -> str:
        arn = self.version.recipe_arn or self.solution.recipe_arn
        return short_arn(arn) if arn else "AutoML"

    @property
    def label(self) -> str:
        return f"{self.solution.name}/{short_id(self.version.arn)}"

    @property
    def is_baseline(self) -> bool:
        return self.recipe in BASELINE_RECIPES

    @property
    def training_time(self) -> timedelta | None:
        v = self.version
        if is_terminal(v.status) and v.created and v.updated:
            return v.updated - v.created
        return None


def versions_frame(infos: list[VersionInfo]) -> pd.DataFrame:
    """The versions table: one row per version."""
    rows = [
        {
            "solution": i.solution.name,
            "recipe": i.recipe,
            "version": short_id(i.version.arn),
            "mode": i.version.training_mode,
            "status": i.version.status,
            "created": i.version.created,
            "training": duration(i.training_time) if i.training_time else None,
            "training hours": i.version.training_hours,
            "deployed in": ", ".join(i.deployed_in),
            "failure reason": i.version.failure_reason,
            "ARN": i.version.arn,
        }
        for i in infos
    ]
    return pd.DataFrame(rows)


def metrics_frame(infos: list[VersionInfo], metrics: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Long format: one row per (version, metric key) with recipe and baseline flag."""
    rows = [
        {
            "label": i.label,
            "version_arn": i.version.arn,
            "solution": i.solution.name,
            "recipe": i.recipe,
            "baseline": i.is_baseline,
            "created": i.version.created,
            "metric": key,
            "value": value,
        }
        for i in infos
        if i.version.arn in metrics
        for key, value in metrics[i.version.arn].items()
    ]
    columns = ["label", "version_arn", "solution", "recipe", "baseline", "created"]
    return pd.DataFrame(rows, columns=[*columns, "metric", "value"])
