"""What Solutions & metrics shows of a version, and its tables (the reads are in
``dashboard.reads``)."""

from __future__ import annotations

import pandas as pd

from dashboard.components.formatting import billed_hours, run_time, short_id
from services.workspace.version_campaigns import VersionInfo


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
            "training time": run_time(i.training_time) if i.training_time else None,
            "billed training": (
                billed_hours(i.version.training_hours)
                if i.version.training_hours is not None
                else None
            ),
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
