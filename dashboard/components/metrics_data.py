"""Cached reads behind Solutions & metrics: every version of a group and its offline metrics.

Metrics of an ACTIVE version never change, so they are cached for the process and a copy is
saved to the dashboard store the first time they are read (Personalize forgets them with the
version; the store keeps the history).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard import deps
from dashboard.components.formatting import duration, short_id
from services.models import Solution, SolutionVersion, is_terminal, short_arn
from services.overview import DatasetGroupOverview

_log = logging.getLogger(__name__)

VERSIONS_TTL_SECONDS = 15
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


@st.cache_data(ttl=VERSIONS_TTL_SECONDS, show_spinner=False)
def list_versions(solution_arn: str) -> list[SolutionVersion]:
    """A solution's versions, newest first."""
    return deps.service().list_solution_versions(solution_arn)


@st.cache_data(ttl=3600, max_entries=2000, show_spinner=False)
def describe_version(version_arn: str) -> SolutionVersion:
    """Describe a finished version (recipe, training hours); finished versions don't change."""
    return deps.service().describe_solution_version(version_arn)


@st.cache_data(max_entries=2000, show_spinner=False)
def load_metrics(version_arn: str) -> dict[str, float]:
    """GetSolutionMetrics of an ACTIVE version, snapshotted to the store on first read."""
    metrics = deps.service().get_solution_metrics(version_arn)
    store = deps.store()
    try:
        if metrics and not store.metric_history(version_arn):
            store.save_metrics(version_arn, metrics)
    except SQLAlchemyError:  # history is a bonus: a busy or read-only store must not hide metrics
        _log.warning("could not snapshot the metrics of %s", version_arn, exc_info=True)
    return metrics


def group_versions(group: DatasetGroupOverview) -> list[VersionInfo]:
    """Every version of every solution in the group, newest first within a solution."""
    served: dict[str, list[str]] = {}
    for c in group.campaigns:
        if c.served_version_arn:
            served.setdefault(c.served_version_arn, []).append(c.campaign.name)
    infos = []
    for status in group.solutions:
        for listed in list_versions(status.solution.arn):
            version = describe_version(listed.arn) if is_terminal(listed.status) else listed
            infos.append(VersionInfo(status.solution, version, tuple(served.get(listed.arn, ()))))
    return infos


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
