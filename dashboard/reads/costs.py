"""What the campaigns and recommenders cost: the price table, traffic and ingestion, findings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from dashboard import deps
from dashboard.reads.page_read import page_read
from dashboard.reads.workspace import _overview
from services.config import ConfigError
from services.costs import IDLE_DAYS, CostReport, Prices, cost_report, prices_for
from services.costs.ingestion import INGESTION_DAYS, ImportedJob, ingested_bytes
from services.costs.source import request_source, size_source
from services.errors import ServiceError
from services.i18n import N_, _, current_language

COST_TTL = 300  # CloudWatch's 5-minute windows: a fresher read adds nothing


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


@page_read(N_("the campaign costs"))
def campaign_costs() -> CostReport:
    """Every campaign's cost at its minimum TPS, its traffic over ``IDLE_DAYS`` days and the
    idle / over-provisioned findings; cached ``COST_TTL`` s."""
    with st.spinner(_("Reading campaign traffic…")):
        return _cost_report(current_language())


@page_read(N_("the price table"))
def prices() -> Prices:
    """List prices for the configured region (PERSONALIZE_PRICES overrides them)."""
    return _prices()
