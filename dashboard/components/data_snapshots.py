"""Cached reads for the Data and Recommendations pages: groups, datasets, dataset snapshots.

Snapshots come from dataset export jobs (minutes on AWS, seconds locally), so they are cached
for ``SNAPSHOT_TTL`` and refreshed only on request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard import deps
from dashboard.components.formatting import exact_time, relative_time
from services.dataset_snapshot import DatasetSnapshots, ObjectStore, build_snapshots, object_store
from services.models import Dataset, DatasetGroup, ImportJob, Schema

SNAPSHOT_TTL = 600  # seconds; each snapshot is a billed-free but slow export job
LIST_TTL = 30


@st.cache_resource(show_spinner=False)
def snapshots() -> DatasetSnapshots:
    """Export-and-read service for the configured backend (S3 client built once on AWS)."""
    return build_snapshots(deps.service(), deps.settings())


@st.cache_resource(show_spinner=False)
def objects() -> ObjectStore:
    """Local bucket folders or S3, for uploads and batch previews."""
    return object_store(deps.settings())


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def dataset_groups() -> list[DatasetGroup]:
    return deps.service().list_dataset_groups()


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def datasets(group_arn: str) -> list[tuple[Dataset, Schema | None]]:
    """The group's datasets (described) with their schemas, Interactions first."""
    svc = deps.service()
    out = []
    for summary in svc.list_datasets(group_arn):
        dataset = svc.describe_dataset(summary.arn)
        schema = svc.describe_schema(dataset.schema_arn) if dataset.schema_arn else None
        out.append((dataset, schema))
    order = {"INTERACTIONS": 0, "ITEMS": 1, "USERS": 2}
    return sorted(out, key=lambda pair: order.get(pair[0].dataset_type, 9))


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def import_jobs(dataset_arn: str) -> list[ImportJob]:
    return deps.service().list_import_jobs(dataset_arn)


def group_picker(key: str) -> DatasetGroup | None:
    """A dataset group selector (hidden when there is only one); None when there is none."""
    groups = dataset_groups()
    if not groups:
        st.info(
            "No dataset group yet: create one with its Interactions dataset and import data "
            "(see the readiness check on the Data page for the file)."
        )
        return None
    if len(groups) == 1:
        return groups[0]
    names = [g.name for g in groups]
    chosen = st.selectbox("Dataset group", names, key=key)
    return groups[names.index(chosen)]


def dataset_of(group_arn: str, dataset_type: str) -> Dataset | None:
    """The group's ACTIVE dataset of a type (INTERACTIONS, ITEMS, USERS)."""
    for dataset, _ in datasets(group_arn):
        if dataset.dataset_type == dataset_type and dataset.status == "ACTIVE":
            return dataset
    return None


@dataclass(frozen=True)
class GroupData:
    """What a group's data looks like now: bulk imports, PutEvents, and the item catalog."""

    bulk: pd.DataFrame = field(default_factory=pd.DataFrame)
    put: pd.DataFrame = field(default_factory=pd.DataFrame)
    items: pd.DataFrame | None = None
    taken: datetime | None = None
    has_interactions: bool = False

    @property
    def interactions(self) -> pd.DataFrame:
        """Every interaction, bulk and streamed."""
        frames = [f for f in (self.bulk, self.put) if not f.empty]
        if not frames:
            return self.bulk
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


@st.cache_data(ttl=SNAPSHOT_TTL, show_spinner=False)
def group_data(group_arn: str) -> GroupData:
    """Interactions (BULK and PUT separately) and Items of a group, exported side by side."""
    interactions = dataset_of(group_arn, "INTERACTIONS")
    items = dataset_of(group_arn, "ITEMS")
    requests = []
    if interactions:
        requests += [(interactions.arn, "BULK"), (interactions.arn, "PUT")]
    if items:
        requests.append((items.arn, "ALL"))
    if not requests:
        return GroupData()
    taken = snapshots().take_many(requests)
    by_key = {(s.dataset_arn, s.mode): s for s in taken}
    return GroupData(
        bulk=by_key[(interactions.arn, "BULK")].frame if interactions else pd.DataFrame(),
        put=by_key[(interactions.arn, "PUT")].frame if interactions else pd.DataFrame(),
        items=by_key[(items.arn, "ALL")].frame if items else None,
        taken=min(s.taken for s in taken),
        has_interactions=interactions is not None,
    )


def load_group_data(group_arn: str) -> GroupData:
    """``group_data`` with a spinner (the first load runs export jobs)."""
    with st.spinner("Reading the data back with dataset export jobs…"):
        return group_data(group_arn)


def refresh_row(data: GroupData, key: str) -> None:
    """'Snapshot taken 3 min ago' with a Refresh button that drops every cached snapshot."""
    left, right = st.columns([5, 1], vertical_alignment="center")
    taken = relative_time(data.taken) if data.taken else "never"
    left.caption(
        f"Data snapshot taken {taken} by dataset export jobs; cached {SNAPSHOT_TTL // 60} min.",
        help=exact_time(data.taken),
    )
    if right.button("Refresh", key=key, help="Run new export jobs and re-read the lists"):
        group_data.clear()
        datasets.clear()
        import_jobs.clear()
        st.rerun()
