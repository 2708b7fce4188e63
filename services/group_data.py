"""What a dataset group's data looks like now: bulk imports, PutEvents and the item catalog.

Personalize has no "read my data" call, so the frames come from dataset export jobs
(``services.dataset_snapshot``), one per (dataset, ingestion mode), started side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from services.dataset_snapshot import DatasetSnapshots
from services.models import Dataset


@dataclass(frozen=True)
class GroupData:
    """A group's interactions (BULK and PUT apart) and items, as exported at ``taken``."""

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


def active_dataset(datasets: Sequence[Dataset], dataset_type: str) -> Dataset | None:
    """The ACTIVE dataset of a type (INTERACTIONS, ITEMS, USERS) among a group's datasets."""
    for dataset in datasets:
        if dataset.dataset_type == dataset_type and dataset.status == "ACTIVE":
            return dataset
    return None


def read_group_data(datasets: Sequence[Dataset], snapshots: DatasetSnapshots) -> GroupData:
    """Export the group's Interactions (BULK and PUT) and Items side by side and read them.

    Raises:
        ServiceError: an export could not be started, failed, or its files could not be read.
    """
    interactions = active_dataset(datasets, "INTERACTIONS")
    items = active_dataset(datasets, "ITEMS")
    requests = []
    if interactions:
        requests += [(interactions.arn, "BULK"), (interactions.arn, "PUT")]
    if items:
        requests.append((items.arn, "ALL"))
    if not requests:
        return GroupData()
    taken = snapshots.take_many(requests)
    by_key = {(s.dataset_arn, s.mode): s for s in taken}
    return GroupData(
        bulk=by_key[(interactions.arn, "BULK")].frame if interactions else pd.DataFrame(),
        put=by_key[(interactions.arn, "PUT")].frame if interactions else pd.DataFrame(),
        items=by_key[(items.arn, "ALL")].frame if items else None,
        taken=min(s.taken for s in taken),
        has_interactions=interactions is not None,
    )
