"""The workspace as the pages list it: dataset groups, datasets, import jobs, event trackers,
filters, the overview (and its live poll), the recommendations catalogue, the account."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import deps
from dashboard.reads.page_read import page_read
from services.i18n import N_, _
from services.personalize.account import Account, current_account
from services.personalize.listed import described
from services.personalize.models import Dataset, DatasetGroup, Filter, ImportJob, Schema
from services.workspace import overview as workspace_overview
from services.workspace.catalog import Catalog, build_catalog
from services.workspace.overview import DatasetGroupOverview

LIST_TTL = 30  # seconds: lists and describes of resources that change
ACCOUNT_TTL = 3600  # the account behind the credentials does not change while we run
_DATASET_ORDER = {"INTERACTIONS": 0, "ITEMS": 1, "USERS": 2}


@st.cache_data(ttl=ACCOUNT_TTL, show_spinner=False)
def account() -> Account:
    """Backend, account and region for the sidebar badge (never fails: an unknown account
    carries the reason)."""
    return current_account(deps.settings())


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _dataset_groups() -> list[DatasetGroup]:
    return deps.service().list_dataset_groups()


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _schemas() -> list[Schema]:
    return deps.service().list_schemas()


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


# The running-work poll: one snapshot per interval for the whole process, however many tabs
# (and sessions) poll, so open Operations tabs cost no more calls than one.
LIVE_TTL = 2


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def _live_overview() -> list[DatasetGroupOverview]:
    return workspace_overview.build_overview(deps.service())


# Spinners are drawn by the public reads below, in the session's language: a cached
# function's show_spinner text is fixed when the module is imported.
@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _overview() -> list[DatasetGroupOverview]:
    # The running-work poll's snapshot (at most LIVE_TTL s old) kept for LIST_TTL: a page that
    # shows both (Operations) builds the workspace once on its first load, not twice (issue #21).
    return _live_overview()


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _catalog(group_arn: str) -> Catalog:
    # from the workspace snapshot the pages share; a group made since it was taken is not in
    # it: the snapshot is then taken again (at most once a LIVE_TTL)
    for snapshot in (_overview, _live_overview):
        group = next((g for g in snapshot() if g.group.arn == group_arn), None)
        if group is not None:
            return build_catalog(deps.service(), group)
        snapshot.clear()
    return Catalog((), ())


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _filters(group_arn: str) -> list[Filter]:
    return deps.service().list_filters(group_arn)


@st.cache_data(ttl=3600, show_spinner=False)
def _described_filter(arn: str) -> Filter:
    # A filter's expression never changes (there is no UpdateFilter): kept until an action
    # (a filter deleted and made again under its name is a new filter) or an hour passes.
    return deps.service().describe_filter(arn)


@page_read(N_("the filters"))
def described_filters(group_arn: str) -> list[Filter]:
    """The group's filters with their expressions (ListFilters, then DescribeFilter once per
    filter), each with the status the list reports now; a filter deleted in between is left
    out."""
    status = {f.arn: f.status for f in _filters(group_arn)}
    return [replace(f, status=status[f.arn]) for f in described(_described_filter, status)]


@page_read(N_("the dataset groups"))
def dataset_groups() -> list[DatasetGroup]:
    """Every dataset group (ListDatasetGroups)."""
    return _dataset_groups()


@page_read(N_("the schemas"))
def schemas() -> list[Schema]:
    """Every schema of the account (ListSchemas: names and domains, no fields)."""
    return _schemas()


@page_read(N_("the group's datasets"))
def datasets(group_arn: str) -> list[tuple[Dataset, Schema | None]]:
    """The group's datasets (described) with their schemas, Interactions first."""
    return _datasets(group_arn)


@page_read(N_("the import jobs"))
def import_jobs(dataset_arn: str) -> list[ImportJob]:
    """A dataset's import jobs, newest first."""
    return _import_jobs(dataset_arn)


@page_read(N_("the event trackers"))
def event_trackers(group_arn: str) -> list[tuple[str, str | None]]:
    """(name, trackingId) of the group's event trackers."""
    return _event_trackers(group_arn)


@page_read(N_("the workspace"))
def overview() -> list[DatasetGroupOverview]:
    """Every dataset group with datasets, solutions and campaign deployment state."""
    with st.spinner(_("Reading the workspace…")):
        return _overview()


@page_read(N_("the workspace"))
def live_overview() -> list[DatasetGroupOverview]:
    """``overview()`` at most ``LIVE_TTL`` seconds old: for the running-work poll."""
    return _live_overview()


@page_read(N_("the campaigns and trained versions"))
def catalog(group_arn: str) -> Catalog:
    """Campaigns and ACTIVE versions of a group, each with its recipe and recipe type."""
    return _catalog(group_arn)


@page_read(N_("the filters"))
def active_filters(group_arn: str) -> list[Filter]:
    """The group's ACTIVE filters (the ones GetRecommendations takes), by name; cached
    ``LIST_TTL`` s and dropped by ``invalidate()``, so a filter saved by an action is offered on
    the next run. Personalize source: ListFilters (``FilterSummary``: name, ARN, status)."""
    return sorted((f for f in _filters(group_arn) if f.status == "ACTIVE"), key=lambda f: f.name)
