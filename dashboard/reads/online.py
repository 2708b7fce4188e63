"""Online metrics read from the group's metric attributions: the Solutions page's report and an
experiment's per-arm sums."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard import deps
from dashboard.reads.page_read import page_read
from dashboard.reads.workspace import LIST_TTL, _overview
from services.costs.source import request_source
from services.datasets.local_engine.attribution import EngineAttribution
from services.errors import ServiceError
from services.evaluation.online_metrics import (
    ONLINE_DAYS,
    AttributionSource,
    OnlineView,
    PointsQuery,
    deployed,
    in_window,
    online_report,
    switch_times,
    window_now,
)
from services.evaluation.online_source import attribution_source
from services.experiments.attributed import AttributedOutcomes, attributed_outcomes
from services.experiments.records import Experiment
from services.i18n import N_, _
from services.personalize.models import AttributedMetric, MetricAttribution

# The engine's figures of a few attributions at once (each version's replaces the last one's).
KEPT_POINTS = 8


# Computing an attribution's figures from every PutEvents row took 0.8-1.6 s of a Solutions
# page run on the demo shop each time the report's LIST_TTL ran out. The rows are kept under
# the engine's data version (``data_versions.attribution_version``), asked on every read: a new
# event, list, import or PutItems changes it, so the next read computes them again. A resource,
# not data: its readers only read it (``in_window`` filters a copy).
@st.cache_resource(max_entries=KEPT_POINTS, show_spinner=False)
def _engine_points(
    _source: EngineAttribution,
    _attribution: MetricAttribution,
    _metrics: tuple[AttributedMetric, ...],
    key: tuple[str, str, tuple[tuple[str, str, str], ...]],
    version: tuple[int, int, float],
) -> pd.DataFrame:
    # ``key`` (ARN, creation time, metrics) and ``version`` name what the figures are of
    return _source.all_points(_attribution, _metrics)


class _KeptPoints:
    """The engine's ``AttributionSource`` with its figures kept per data version."""

    def __init__(self, source: EngineAttribution) -> None:
        self._source = source

    def points(self, query: PointsQuery) -> pd.DataFrame:
        a = query.attribution
        key = (
            a.arn,
            a.created.isoformat() if a.created else "",
            tuple((m.event_type, m.name, m.expression) for m in query.metrics),
        )
        version = self._source.version(a.dataset_group_arn or "")
        rows = _engine_points(self._source, a, query.metrics, key, version)
        return in_window(rows, query.start, query.end)


def _attribution_source() -> AttributionSource:
    source = attribution_source(deps.settings())
    return _KeptPoints(source) if isinstance(source, EngineAttribution) else source


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
            _attribution_source(),
            deps.objects(),
            start,
            end,
            requests,
            problem,
        )
        found.append(OnlineView(report, serving, offline, switch_times(campaigns, start, end)))
    return found


@page_read(N_("the online metrics (the metric attribution's report)"))
def online_reports(group_arn: str) -> list[OnlineView]:
    """Each ACTIVE metric attribution of the group with its figures over the last
    ``ONLINE_DAYS`` days (empty when the group has none)."""
    with st.spinner(_("Reading the online metrics…")):
        return _online_reports(group_arn)


@page_read(N_("the experiment's figures from the metric attribution"))
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
