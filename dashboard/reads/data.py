"""A group's data read back (export-job snapshots on AWS, the engine's storage locally) and the
data alerts built from it."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard import deps
from dashboard.reads.page_read import page_read
from dashboard.reads.workspace import _datasets
from services.datasets.group_data import GroupData
from services.datasets.interaction_summary import InteractionSummary
from services.datasets.local_engine.import_repeats import ImportRepeats
from services.datasets.local_engine.snapshots import group_data_of, storage_summary
from services.i18n import N_, _, current_language
from services.workspace.alerts import Alert
from services.workspace.data_health import data_alerts as build_data_alerts
from services.workspace.overview import DatasetGroupOverview

SNAPSHOT_TTL = 600  # seconds: data snapshots are dataset export jobs (minutes on AWS)
DATA_ALERTS_TTL = 300


# A resource, not data: the frames can hold millions of rows, which cache_data would serialise
# and copy on every page run. Pages only read them.
@st.cache_resource(ttl=SNAPSHOT_TTL, show_spinner=False)
def _group_data(group_arn: str) -> GroupData:
    return group_data_of(deps.snapshots(), group_arn, [d for d, _ in _datasets(group_arn)])


def _interaction_summary(group_arn: str) -> InteractionSummary:
    summary = storage_summary(deps.snapshots(), group_arn)
    # None where only export jobs read data (AWS, HTTP): share the Data page's snapshot.
    return _group_data(group_arn).summary if summary is None else summary


@st.cache_data(ttl=DATA_ALERTS_TTL, show_spinner=False)
def _data_alerts(group: DatasetGroupOverview, language: str) -> list[Alert]:
    # ``language``: part of the cache key, since the alerts' messages are in it
    summary = _interaction_summary(group.group.arn)
    return build_data_alerts(group, summary, deps.service(), datetime.now(UTC))


@page_read(N_("the data back (dataset export jobs)"))
def group_data(group_arn: str) -> GroupData:
    """The group's interactions and items, cached ``SNAPSHOT_TTL`` s: export jobs on AWS and
    over HTTP; in process, small reads of the engine's storage (aggregates on demand)."""
    with st.spinner(_("Reading the group's data…")):
        return _group_data(group_arn)


# A finished job's record never changes; a job still running is left out of the key's ARNs
# by the caller, so its record is read once it has one.
@st.cache_data(ttl=3600, show_spinner=False)
def _import_repeats(job_arns: tuple[str, ...]) -> dict[str, ImportRepeats]:
    source = deps.import_repeats()
    return dict(source(job_arns)) if source is not None and job_arns else {}


@page_read(N_("how many imported rows were already stored"))
def import_repeats(job_arns: tuple[str, ...]) -> dict[str, ImportRepeats]:
    """Per finished Interactions import job: rows stored and how many the dataset already
    held (the in-process engine's record; empty where nobody records it: AWS, HTTP)."""
    return _import_repeats(job_arns)


def data_alerts(group: DatasetGroupOverview) -> list[Alert] | None:
    """Alerts that need the data (counts, the newest PutEvents event and the most recent
    users: aggregates read from the local engine's storage, or on AWS from the export-job
    snapshots shared with the Data page) and a few GetRecommendations calls per personalised
    campaign; cached five minutes."""
    what = _("the data checks of {group}").format(group=group.group.name)
    with st.spinner(_("Checking the data and sampling recommendations…")):
        return page_read(what)(_data_alerts)(group, current_language())
