"""Solutions and their versions: versions listed and described, metrics (snapshotted to the
store), what each version was scored on, the recipes a new solution may use."""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard import deps
from dashboard.reads.page_read import page_read
from dashboard.reads.workspace import ACCOUNT_TTL, LIST_TTL
from services.evaluation.known_users import TrainedUsers
from services.evaluation.version_data import VersionData
from services.i18n import N_, _
from services.personalize.models import SolutionVersion
from services.workspace.new_solution import RecipeOption
from services.workspace.new_solution import recipe_options as build_recipe_options
from services.workspace.overview import DatasetGroupOverview
from services.workspace.version_campaigns import VersionInfo, versions_with_campaigns

_log = logging.getLogger(__name__)


@st.cache_data(ttl=15, show_spinner=False)
def _solution_versions(solution_arn: str) -> list[SolutionVersion]:
    return deps.service().list_solution_versions(solution_arn)


@st.cache_data(ttl=3600, max_entries=2000, show_spinner=False)
def _finished_version(version_arn: str) -> SolutionVersion:
    # A finished version never changes (recipe, training hours), so it is kept an hour.
    return deps.service().describe_solution_version(version_arn)


@st.cache_data(max_entries=2000, show_spinner=False)
def _solution_metrics(version_arn: str) -> dict[str, float]:
    metrics = deps.service().get_solution_metrics(version_arn)
    store = deps.store()
    try:
        if metrics and not store.metric_history(version_arn):
            store.save_metrics(version_arn, metrics)
    except SQLAlchemyError:  # history is a bonus: a busy or read-only store must not hide metrics
        _log.warning("could not snapshot the metrics of %s", version_arn, exc_info=True)
    return metrics


@st.cache_data(ttl=ACCOUNT_TTL, show_spinner=False)
def _recipe_options(dataset_types: tuple[str, ...]) -> list[RecipeOption]:
    # Recipes, algorithms and feature transformations are the service's catalogue: they do
    # not change while the dashboard runs, so an hour is safe.
    return build_recipe_options(deps.service(), dataset_types)


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _version_data(arns: tuple[str, ...]) -> dict[str, VersionData]:
    source = deps.version_data()
    return {} if source is None else source(arns)


@page_read(N_("the solution versions"))
def solution_versions(solution_arn: str) -> list[SolutionVersion]:
    """A solution's versions, newest first."""
    return _solution_versions(solution_arn)


@page_read(N_("the solution versions"))
def group_versions(group: DatasetGroupOverview) -> list[VersionInfo]:
    """Every version of every solution in the group (finished ones described), newest first
    within a solution, with the campaigns serving it."""
    return versions_with_campaigns(group, _finished_version)


def solution_metrics(version_arn: str, label: str) -> dict[str, float] | None:
    """GetSolutionMetrics of an ACTIVE version (``label`` names it in a failure), saved to the
    store on first read; metrics never change, so they are cached for the process."""
    return page_read(_("the metrics of {version}").format(version=label))(_solution_metrics)(
        version_arn
    )


@page_read(N_("what each version was scored on"))
def version_data(arns: tuple[str, ...]) -> dict[str, VersionData]:
    """Test users scored and the training data's time range, by version ARN, for the versions
    the engine kept a record of (none on AWS: ``version_data_reported`` is False)."""
    return _version_data(arns)


def version_data_reported() -> bool:
    """Whether the backend reports what versions were scored on (the in-process engine)."""
    return deps.version_data() is not None


# A resource: a version's users never change once it is ACTIVE, and a large shop's list is
# millions of IDs that cache_data would copy on every page run. Pages only read it.
@st.cache_resource(max_entries=8, show_spinner=False)
def _trained_users(version_arn: str) -> TrainedUsers | None:
    source = deps.trained_users()
    return None if source is None else source(version_arn)


@page_read(N_("the users the version was trained with"))
def trained_users(version_arn: str) -> TrainedUsers | None:
    """The users ``version_arn`` was trained with (the in-process engine's model file), or
    None: nobody lists them (AWS, over HTTP), the model keeps no user index, or the read
    failed (then drawn)."""
    return _trained_users(version_arn)


@page_read(N_("the recipes"))
def recipe_options(dataset_types: tuple[str, ...]) -> list[RecipeOption]:
    """Every custom recipe with its parameters; those ``dataset_types`` fit first."""
    with st.spinner(_("Reading the recipes…")):
        return _recipe_options(dataset_types)
