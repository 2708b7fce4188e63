"""Every read the pages make, cached here (``st.cache_data``), and the one ``invalidate()``.

A read returns its value, or ``None`` when the backend failed. Then it has already drawn,
where it was called, a message naming what could not be read and what to do
(``components.errors.show_failure``), and the caller skips only what needed the value: the
rest of the page still renders. So no page needs a ``try`` around a read, and the pickers
cannot crash a page. Failures are never cached (``st.cache_data`` keeps only returned
values): the next run asks again.

Reads compose through the private cached functions (``_name``), which raise ServiceError, so
one failure is reported once, by the read the page called. Every action calls
``invalidate()`` so the next run sees its effect.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ParamSpec, TypeVar

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard import deps
from dashboard.components.errors import show_failure
from services.config import ConfigError
from services.costs import IDLE_DAYS, CostReport, Prices, cost_report, prices_for
from services.costs.ingestion import INGESTION_DAYS, ImportedJob, ingested_bytes
from services.costs.source import request_source, size_source
from services.datasets.group_data import GroupData, read_group_data
from services.datasets.interaction_summary import InteractionSummary
from services.datasets.local_engine.snapshots import LocalSnapshots
from services.errors import ServiceError
from services.evaluation.online_metrics import (
    ONLINE_DAYS,
    OnlineView,
    deployed,
    online_report,
    switch_times,
    window_now,
)
from services.evaluation.online_source import attribution_source
from services.evaluation.version_data import VersionData
from services.experiments.attributed import AttributedOutcomes, attributed_outcomes
from services.experiments.records import Experiment
from services.i18n import N_, _, current_language
from services.personalize.account import Account, current_account
from services.personalize.listed import described
from services.personalize.models import (
    Dataset,
    DatasetGroup,
    Filter,
    ImportJob,
    Schema,
    SolutionVersion,
)
from services.pipeline import RefreshRun
from services.pipeline.freshness import RefreshState, refresh_states
from services.setup_file.drift import SetupReport
from services.setup_file.drift import setup_report as build_setup_report
from services.workspace import overview as workspace_overview
from services.workspace.alerts import Alert
from services.workspace.catalog import Catalog, build_catalog
from services.workspace.data_health import data_alerts as build_data_alerts
from services.workspace.new_solution import RecipeOption
from services.workspace.new_solution import recipe_options as build_recipe_options
from services.workspace.overview import DatasetGroupOverview
from services.workspace.version_campaigns import VersionInfo, versions_with_campaigns

_log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

LIST_TTL = 30  # seconds: lists and describes of resources that change
SNAPSHOT_TTL = 600  # seconds: data snapshots are dataset export jobs (minutes on AWS)
DATA_ALERTS_TTL = 300
COST_TTL = 300  # CloudWatch's 5-minute windows: a fresher read adds nothing
ACCOUNT_TTL = 3600  # the account behind the credentials does not change while we run
_DATASET_ORDER = {"INTERACTIONS": 0, "ITEMS": 1, "USERS": 2}


def _read(what: str) -> Callable[[Callable[P, T]], Callable[P, T | None]]:
    """Make ``fn`` a page read: a ServiceError is drawn as "Could not read <what>: …" and the
    read returns None. Anything else is a bug and propagates."""

    def wrap(fn: Callable[P, T]) -> Callable[P, T | None]:
        @functools.wraps(fn)
        def read(*args: P.args, **kwargs: P.kwargs) -> T | None:
            try:
                return fn(*args, **kwargs)
            except ServiceError as err:
                show_failure(_("Could not read {what}").format(what=_(what)), err)
                return None

        return read

    return wrap


# --- cached reads (raise ServiceError; composed here, guarded below) -------------------------


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _dataset_groups() -> list[DatasetGroup]:
    return deps.service().list_dataset_groups()


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _datasets(group_arn: str) -> list[tuple[Dataset, Schema | None]]:
    svc = deps.service()
    found = described(svc.describe_dataset, [d.arn for d in svc.list_datasets(group_arn)])
    schema_arns = sorted({d.schema_arn for d in found if d.schema_arn})
    schemas = {s.arn: s for s in described(svc.describe_schema, schema_arns)}
    out = [(d, schemas.get(d.schema_arn or "")) for d in found]
    return sorted(out, key=lambda pair: _DATASET_ORDER.get(pair[0].dataset_type, 9))


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _import_jobs(dataset_arn: str) -> list[ImportJob]:
    return deps.service().list_import_jobs(dataset_arn)


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _event_trackers(group_arn: str) -> list[tuple[str, str | None]]:
    svc = deps.service()
    listed = [t.arn for t in svc.list_event_trackers(group_arn)]
    return [(t.name, t.tracking_id) for t in described(svc.describe_event_tracker, listed)]


# A resource, not data: the frames can hold millions of rows, which cache_data would serialise
# and copy on every page run. Pages only read them.
@st.cache_resource(ttl=SNAPSHOT_TTL, show_spinner=False)
def _group_data(group_arn: str) -> GroupData:
    datasets = [d for d, _ in _datasets(group_arn)]
    source = deps.snapshots()
    if isinstance(source, LocalSnapshots):  # small reads of the engine's storage
        return source.group_data(group_arn, datasets)
    return read_group_data(datasets, source)


# Spinners are drawn by the public reads below, in the session's language: a cached
# function's show_spinner text is fixed when the module is imported.
@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _overview() -> list[DatasetGroupOverview]:
    return workspace_overview.build_overview(deps.service())


def _interaction_summary(group_arn: str) -> InteractionSummary:
    source = deps.snapshots()
    if isinstance(source, LocalSnapshots):
        # a few aggregates straight from the engine's storage, not every interaction
        return source.interaction_summary(group_arn)
    # On AWS only export jobs read data: share the Data page's snapshot.
    return _group_data(group_arn).summary


@st.cache_data(ttl=DATA_ALERTS_TTL, show_spinner=False)
def _data_alerts(group: DatasetGroupOverview, language: str) -> list[Alert]:
    # ``language``: part of the cache key, since the alerts' messages are in it
    summary = _interaction_summary(group.group.arn)
    return build_data_alerts(group, summary, deps.service(), datetime.now(UTC))


@st.cache_data(ttl=60, show_spinner=False)
def _catalog(group_arn: str) -> Catalog:
    return build_catalog(deps.service(), group_arn)


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _filters(group_arn: str) -> list[Filter]:
    return deps.service().list_filters(group_arn)


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


@st.cache_data(ttl=ACCOUNT_TTL, show_spinner=False)
def account() -> Account:
    """Backend, account and region for the sidebar badge (never fails: an unknown account
    carries the reason)."""
    return current_account(deps.settings())


def _prices() -> Prices:
    settings = deps.settings()
    try:
        return prices_for(settings.region, settings.prices)
    except ConfigError as err:
        raise ServiceError(str(err)) from err


@st.cache_data(ttl=COST_TTL, show_spinner=False)
def _cost_report(language: str) -> CostReport:
    # ``language``: part of the cache key, since the findings' actions are in it
    prices = _prices()
    groups = _overview()
    campaigns = [c.campaign for group in groups for c in group.campaigns]
    recommenders = [r for group in groups for r in group.recommenders]
    now = datetime.now(UTC)
    traffic, problem = None, None
    source = request_source(deps.settings())
    arns = [c.arn for c in campaigns] + [r.arn for r in recommenders if r.status == "ACTIVE"]
    if arns:
        start = now - timedelta(days=IDLE_DAYS)
        try:
            traffic = source.requests(arns, start, now)
        except ServiceError as err:  # costs still show; only the traffic findings are missing
            problem = str(err)
    ingested = None
    jobs = [
        ImportedJob(group.group.arn, d.dataset.arn, job.arn)
        for group in groups
        for d in group.datasets
        for job in deps.service().list_import_jobs(d.dataset.arn)
        if job.status == "ACTIVE"
    ]
    try:
        window = now - timedelta(days=INGESTION_DAYS)
        ingested = ingested_bytes(size_source(deps.settings()), jobs, window, now)
    except ServiceError as err:  # the other costs still show
        problem = problem or str(err)
    return cost_report(campaigns, prices, traffic, now, IDLE_DAYS, problem, recommenders, ingested)


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _setup_report(path: str) -> SetupReport:
    return build_setup_report(deps.clients().personalize, Path(path), _prices())


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _online_reports(group_arn: str) -> list[OnlineView]:
    svc = deps.service()
    settings = deps.settings()
    group = next((g for g in _overview() if g.group.arn == group_arn), None)
    campaigns = [c.campaign for c in group.campaigns] if group else []
    recommenders = [r for r in (group.recommenders if group else ()) if r.status == "ACTIVE"]
    serving, offline = deployed(campaigns, recommenders)
    end = window_now()
    start = end - timedelta(days=ONLINE_DAYS)
    found = []
    for listed in svc.list_metric_attributions(group_arn):
        attribution = svc.describe_metric_attribution(listed.arn)
        if attribution.status != "ACTIVE":
            continue
        metrics = svc.list_metric_attribution_metrics(attribution.arn)
        requests, problem = None, None
        if serving:
            try:
                series = request_source(settings).requests(list(serving), start, end)
                requests = {arn: sum(n for _, n in s) for arn, s in series.items()}
            except ServiceError as err:  # the totals still show; only the rates are missing
                problem = str(err)
        report = online_report(
            attribution,
            metrics,
            attribution_source(settings),
            deps.objects(),
            start,
            end,
            requests,
            problem,
        )
        found.append(OnlineView(report, serving, offline, switch_times(campaigns, start, end)))
    return found


# --- what pages call ---------------------------------------------------------------------------


@_read(N_("the dataset groups"))
def dataset_groups() -> list[DatasetGroup]:
    """Every dataset group (ListDatasetGroups)."""
    return _dataset_groups()


@_read(N_("the group's datasets"))
def datasets(group_arn: str) -> list[tuple[Dataset, Schema | None]]:
    """The group's datasets (described) with their schemas, Interactions first."""
    return _datasets(group_arn)


@_read(N_("the import jobs"))
def import_jobs(dataset_arn: str) -> list[ImportJob]:
    """A dataset's import jobs, newest first."""
    return _import_jobs(dataset_arn)


@_read(N_("the event trackers"))
def event_trackers(group_arn: str) -> list[tuple[str, str | None]]:
    """(name, trackingId) of the group's event trackers."""
    return _event_trackers(group_arn)


@_read(N_("the data back (dataset export jobs)"))
def group_data(group_arn: str) -> GroupData:
    """The group's interactions and items, cached ``SNAPSHOT_TTL`` s: export jobs on AWS and
    over HTTP; in process, small reads of the engine's storage (aggregates on demand)."""
    with st.spinner(_("Reading the group's data…")):
        return _group_data(group_arn)


@_read(N_("the workspace"))
def overview() -> list[DatasetGroupOverview]:
    """Every dataset group with datasets, solutions and campaign deployment state."""
    with st.spinner(_("Reading the workspace…")):
        return _overview()


@_read(N_("the recipes"))
def recipe_options(dataset_types: tuple[str, ...]) -> list[RecipeOption]:
    """Every custom recipe with its parameters; those ``dataset_types`` fit first."""
    with st.spinner(_("Reading the recipes…")):
        return _recipe_options(dataset_types)


# The running-work poll: one snapshot per interval for the whole process, however many tabs
# (and sessions) poll, so open Operations tabs cost no more calls than one.
LIVE_TTL = 2


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def _live_overview() -> list[DatasetGroupOverview]:
    return workspace_overview.build_overview(deps.service())


@_read(N_("the workspace"))
def live_overview() -> list[DatasetGroupOverview]:
    """``overview()`` at most ``LIVE_TTL`` seconds old: for the running-work poll."""
    return _live_overview()


def data_alerts(group: DatasetGroupOverview) -> list[Alert] | None:
    """Alerts that need the data (counts, the newest PutEvents event and the most recent
    users: aggregates read from the local engine's storage, or on AWS from the export-job
    snapshots shared with the Data page) and a few GetRecommendations calls per personalised
    campaign; cached five minutes."""
    what = _("the data checks of {group}").format(group=group.group.name)
    with st.spinner(_("Checking the data and sampling recommendations…")):
        return _read(what)(_data_alerts)(group, current_language())


@_read(N_("the campaigns and trained versions"))
def catalog(group_arn: str) -> Catalog:
    """Campaigns and ACTIVE versions of a group, each with its recipe and recipe type."""
    return _catalog(group_arn)


@_read(N_("the filters"))
def active_filters(group_arn: str) -> list[Filter]:
    """The group's ACTIVE filters (the ones GetRecommendations takes), by name; cached
    ``LIST_TTL`` s and dropped by ``invalidate()``, so a filter saved by an action is offered on
    the next run. Personalize source: ListFilters (``FilterSummary``: name, ARN, status)."""
    return sorted((f for f in _filters(group_arn) if f.status == "ACTIVE"), key=lambda f: f.name)


@_read(N_("the solution versions"))
def solution_versions(solution_arn: str) -> list[SolutionVersion]:
    """A solution's versions, newest first."""
    return _solution_versions(solution_arn)


@_read(N_("the solution versions"))
def group_versions(group: DatasetGroupOverview) -> list[VersionInfo]:
    """Every version of every solution in the group (finished ones described), newest first
    within a solution, with the campaigns serving it."""
    return versions_with_campaigns(group, _solution_versions, _finished_version)


def solution_metrics(version_arn: str, label: str) -> dict[str, float] | None:
    """GetSolutionMetrics of an ACTIVE version (``label`` names it in a failure), saved to the
    store on first read; metrics never change, so they are cached for the process."""
    return _read(_("the metrics of {version}").format(version=label))(_solution_metrics)(
        version_arn
    )


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _version_data(arns: tuple[str, ...]) -> dict[str, VersionData]:
    source = deps.version_data()
    return {} if source is None else source(arns)


@_read(N_("what each version was scored on"))
def version_data(arns: tuple[str, ...]) -> dict[str, VersionData]:
    """Test users scored and the training data's time range, by version ARN, for the versions
    the engine kept a record of (none on AWS: ``version_data_reported`` is False)."""
    return _version_data(arns)


def version_data_reported() -> bool:
    """Whether the backend reports what versions were scored on (the in-process engine)."""
    return deps.version_data() is not None


@_read(N_("the campaign costs"))
def campaign_costs() -> CostReport:
    """Every campaign's cost at its minimum TPS, its traffic over ``IDLE_DAYS`` days and the
    idle / over-provisioned findings; cached ``COST_TTL`` s."""
    with st.spinner(_("Reading campaign traffic…")):
        return _cost_report(current_language())


@_read(N_("the price table"))
def prices() -> Prices:
    """List prices for the configured region (PERSONALIZE_PRICES overrides them)."""
    return _prices()


# Refresh runs are rows in the dashboard's own database: cheap, but a self-updating panel in
# many tabs still reads them at most once per REFRESH_TTL seconds.
REFRESH_TTL = 2


@st.cache_data(ttl=REFRESH_TTL, show_spinner=False)
def refresh_run(run_id: int) -> RefreshRun | None:
    """One refresh run with its steps."""
    return deps.runs().get(run_id)


@st.cache_data(ttl=REFRESH_TTL, show_spinner=False)
def running_refreshes() -> list[RefreshRun]:
    """Every RUNNING refresh run, with its steps (one store query per interval, any tabs)."""
    return deps.runs().running_runs()


@st.cache_data(ttl=REFRESH_TTL, show_spinner=False)
def refresh_history(group_arn: str | None = None, limit: int = 20) -> list[RefreshRun]:
    """The newest refresh runs (with steps, for the guardrail numbers), of a group or of all."""
    return deps.runs().history(group_arn, limit, with_steps=True)


@st.cache_data(ttl=REFRESH_TTL, show_spinner=False)
def refresh_states_of(group_arns: tuple[str, ...]) -> dict[str, RefreshState]:
    """Each group's last refresh run and last successful one."""
    return refresh_states(deps.runs(), group_arns)


@_read(N_("the online metrics (the metric attribution's report)"))
def online_reports(group_arn: str) -> list[OnlineView]:
    """Each ACTIVE metric attribution of the group with its figures over the last
    ``ONLINE_DAYS`` days (empty when the group has none)."""
    with st.spinner(_("Reading the online metrics…")):
        return _online_reports(group_arn)


@_read(N_("the experiment's figures from the metric attribution"))
def experiment_attribution(experiment: Experiment) -> list[AttributedOutcomes]:
    """Per ACTIVE metric attribution of the experiment's group, each arm's sums where the
    arm's name is the eventAttributionSource (AWS mode; not cached: one experiment's read)."""
    svc = deps.service()
    found = []
    for listed in svc.list_metric_attributions(experiment.dataset_group_arn):
        attribution = svc.describe_metric_attribution(listed.arn)
        if attribution.status != "ACTIVE":
            continue
        metrics = tuple(svc.list_metric_attribution_metrics(attribution.arn))
        source = attribution_source(deps.settings())
        found.append(
            attributed_outcomes(experiment, attribution, metrics, source, datetime.now(UTC))
        )
    return found


@_read(N_("the account, to compare it with the setup file"))
def setup_report() -> SetupReport | None:
    """The setup file (PERSONALIZE_SETUP_FILE) against the account: its problems or its plan;
    None when no file is set (or the read failed, and said so); cached ``LIST_TTL`` s."""
    path = deps.settings().setup_file
    if not path:
        return None
    with st.spinner(_("Comparing the account with the setup file…")):
        return _setup_report(str(path))


def invalidate(*, data: bool = False) -> None:
    """Forget every cached read an action can change, so the next run shows its effect.

    ``data=True`` also drops the data snapshots (export jobs: slow on AWS), for an import or
    an explicit Refresh. Metrics and finished versions never change and are kept.
    """
    for cached in (
        _dataset_groups,
        _datasets,
        _import_jobs,
        _event_trackers,
        _overview,
        _live_overview,
        _catalog,
        _filters,
        _solution_versions,
        _cost_report,
        refresh_run,
        running_refreshes,
        refresh_history,
        refresh_states_of,
        _online_reports,
        _setup_report,
    ):
        cached.clear()
    if data:
        _group_data.clear()
        _data_alerts.clear()
