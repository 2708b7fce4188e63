"""Dataset snapshots straight from the in-process local engine's storage, without an export.

On AWS the only way to read a dataset back is a dataset export job (minutes, a full copy in
S3). The embedded engine keeps bulk rows in Parquet and streamed rows in SQL, so when it runs
in this process the same frames are read directly: no job, no CSV round trip, no write
transaction. The frames have the shape an export's CSV has (``services.datasets.snapshot``),
so pages cannot tell the two apart. Over HTTP (``PERSONALIZE_ENDPOINT_URL``) and on AWS the
export path stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from services.config import Settings
from services.datasets.group_data import GroupData, active_dataset, read_group_data
from services.datasets.interaction_summary import InteractionSummary, summary_of_activity
from services.datasets.local_engine.group_data import StorageGroupData, bulk_activity, storage_read
from services.datasets.snapshot import (
    MODES,
    ExportSource,
    Snapshot,
    SnapshotSource,
    build_snapshots,
)
from services.errors import ServiceError
from services.personalize.models import Dataset

if TYPE_CHECKING:
    from services.local.engine import LocalEngine

_SOURCES = {"BULK": ("bulk",), "PUT": ("put",), "ALL": ("bulk", "put")}


class LocalSnapshots:
    """``DatasetSnapshots``' interface over the local engine's storage (see module doc)."""

    def __init__(self, engine: LocalEngine) -> None:
        self._engine = engine

    def take(self, dataset_arn: str, mode: str = "ALL") -> Snapshot:
        """One dataset's rows (BULK imports, PUT events/items, or ALL)."""
        return self.take_many([(dataset_arn, mode)])[0]

    def take_many(self, requests: Sequence[tuple[str, str]]) -> list[Snapshot]:
        """Each (dataset ARN, mode)'s rows, read now.

        Raises:
            ServiceError: a dataset does not exist (deleted since the page listed it), or a
                file of its data is corrupt or missing.
        """
        from services.local.data.storage.frames import export_frame

        engine = self._engine
        out = []
        for arn, mode in requests:
            if mode not in MODES:
                raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
            with engine.reading() as res:
                dataset = res.find(arn)
            if dataset is None:
                raise ServiceError(
                    f"Dataset {arn} does not exist.", code="ResourceNotFoundException"
                )
            with storage_read():
                frame = export_frame(
                    engine.read_db,
                    engine.bulk,
                    dataset["datasetGroupArn"],
                    dataset["datasetType"],
                    _SOURCES[mode],
                )
            out.append(Snapshot(arn, mode, frame, "", datetime.now(UTC)))
        return out

    def interaction_summary(self, group_arn: str) -> InteractionSummary:
        """The group's interaction summary from two columns of the bulk files (USER_ID,
        TIMESTAMP, aggregated by pyarrow) and one SQL aggregate of the streamed events: no
        frame of every interaction is built. An unknown group has an empty summary.

        Raises:
            ServiceError: a bulk file is corrupt or missing.
        """
        import sqlalchemy as sa

        from services.local.data.storage import tables as t

        engine = self._engine
        bulk = bulk_activity(engine, group_arn)
        activities = [] if bulk is None else [bulk]
        c = t.interactions.c
        with engine.read_db.connect() as conn:
            put = conn.execute(
                sa.select(c.user_id, sa.func.count(), sa.func.max(c.ts))
                .where(c.group_arn == group_arn, c.source == "put")
                .group_by(c.user_id)
            ).all()
        latest_put = None
        if put:
            activities.append(pd.DataFrame(put, columns=["user", "count", "latest"]))
            latest_put = int(max(r[2] for r in put))
        return summary_of_activity(activities, latest_put)

    def group_data(self, group_arn: str, datasets: Sequence[Dataset]) -> StorageGroupData:
        """The group's data for the pages as small reads of storage (``StorageGroupData``):
        streamed events and items as frames, interaction views aggregated on demand.

        Raises:
            ServiceError: a dataset does not exist (deleted since the page listed it), or a
                bulk file of the group is missing or truncated.
        """
        with storage_read():  # a damaged file is named now, not when a chart reads it
            self._engine.bulk.check(self._engine.read_db, group_arn)
        interactions = active_dataset(datasets, "INTERACTIONS")
        items = active_dataset(datasets, "ITEMS")
        requests = [(interactions.arn, "PUT")] if interactions else []
        requests += [(items.arn, "ALL")] if items else []
        by_arn = {s.dataset_arn: s for s in self.take_many(requests)}
        return StorageGroupData(
            put=by_arn[interactions.arn].frame if interactions else pd.DataFrame(),
            items=by_arn[items.arn].frame if items else None,
            taken=datetime.now(UTC),
            has_interactions=interactions is not None,
            engine=self._engine,
            group_arn=group_arn,
        )


def snapshot_source(
    service: ExportSource, settings: Settings, s3_client: Any | None = None
) -> SnapshotSource:
    """The in-process local engine's storage, read directly; otherwise (HTTP endpoint, AWS)
    dataset export jobs (``build_snapshots``, which raises ConfigMissing when AWS mode lacks
    a setting)."""
    if settings.is_local and not settings.endpoint_url:
        from services.local.engine import get_engine

        return LocalSnapshots(get_engine(settings))
    return build_snapshots(service, settings, s3_client)


def group_data_of(source: SnapshotSource, group_arn: str, datasets: Sequence[Dataset]) -> GroupData:
    """The group's data for the pages: small reads of the in-process engine's storage
    (``LocalSnapshots.group_data``), otherwise one dataset export job per (dataset, mode)
    (``read_group_data``). ``datasets``: the group's, as DescribeDataset gives them.

    Raises:
        ServiceError: a dataset does not exist, a file of its data is damaged, or an export
            job failed or timed out.
    """
    if isinstance(source, LocalSnapshots):
        return source.group_data(group_arn, datasets)
    return read_group_data(datasets, source)


def storage_summary(source: SnapshotSource, group_arn: str) -> InteractionSummary | None:
    """The group's interaction summary as a few aggregates of the in-process engine's
    storage; None where only the group's data itself (export jobs: ``group_data_of(...)
    .summary``) can give it, so the caller shares the read it already keeps.

    Raises:
        ServiceError: a bulk file of the group is corrupt or missing.
    """
    if isinstance(source, LocalSnapshots):
        return source.interaction_summary(group_arn)
    return None
