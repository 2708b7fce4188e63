"""The pages' data as small reads of the local engine's storage equals the full-frame views."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pandas as pd
import pytest

from services.config import Settings
from services.datasets.group_data import GroupData
from services.datasets.local_engine.group_data import StorageGroupData
from services.datasets.local_engine.snapshots import (
    LocalSnapshots,
    group_data_of,
    storage_summary,
)
from services.datasets.snapshot import Snapshot
from services.local.engine import get_engine
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from tests.local.workspace import INTERACTIONS_SCHEMA, START, create_group


def test_storage_reads_equal_the_views_of_the_full_frames(engine_settings: Settings) -> None:
    clients = build_clients(engine_settings)
    ws = create_group(clients, engine_settings.data_dir, with_items=True)
    tracker = clients.personalize.create_event_tracker(name="t", datasetGroupArn=ws["group"])
    sent = int(time.time())
    clients.events.put_events(
        trackingId=tracker["trackingId"],
        userId="u1",  # a bulk user with streamed events on top
        sessionId="s",
        eventList=[{"eventType": "buy", "itemId": f"i{k}", "sentAt": sent + k} for k in (5, 6, 7)],
    )
    service = PersonalizeService(clients)
    datasets = [service.describe_dataset(d.arn) for d in service.list_datasets(ws["group"])]
    snaps = LocalSnapshots(get_engine(engine_settings))
    small = snaps.group_data(ws["group"], datasets)
    bulk, put, items = snaps.take_many(
        [(ws["dataset"], "BULK"), (ws["dataset"], "PUT"), (ws["items_dataset"], "ALL")]
    )
    full = GroupData(bulk.frame, put.frame, items.frame, has_interactions=True)

    assert small.bulk.empty  # nothing built up front
    assert small.interaction_count == full.interaction_count == 60 * 30 + 3
    pd.testing.assert_frame_equal(small.volume[0], full.volume[0], check_dtype=False)
    assert small.volume[1] == full.volume[1] == "week"  # 2023 imports, events sent today
    pd.testing.assert_frame_equal(small.user_activity, full.user_activity, check_dtype=False)
    tail, want = small.long_tail, full.long_tail
    assert dict(zip(tail["item"], tail["interactions"], strict=True)) == dict(
        zip(want["item"], want["interactions"], strict=True)
    )
    assert tail["interactions"].is_monotonic_decreasing and tail["rank"].tolist() == list(
        range(1, len(tail) + 1)
    )
    assert tail["cumulative share"].iloc[-1] == pytest.approx(1.0)
    # most interactions first, ties by item ID (an independent sort of the full frame's counts)
    by_hand = sorted(want.itertuples(), key=lambda r: (-r.interactions, r.item))
    assert tail["item"].tolist() == [r.item for r in by_hand]
    users = ["u1", "u7", "nobody"]
    assert small.recent_history(users, k=4) == full.recent_history(users, k=4)
    # by hand: u1's streamed events are the newest; u7's last bulk view is at START + 7,290
    assert small.recent_history(["u1"], k=3) == {"u1": ["i7", "i6", "i5"]}
    last = bulk.frame[(bulk.frame["USER_ID"] == "u7") & (bulk.frame["TIMESTAMP"] == START + 7290)]
    assert small.recent_history(["u7"], k=1) == {"u7": last["ITEM_ID"].tolist()}
    pd.testing.assert_frame_equal(
        small.interactions.reset_index(drop=True),
        full.interactions.sort_values("TIMESTAMP", kind="stable").reset_index(drop=True),
        check_dtype=False,
    )


def test_a_group_with_only_streamed_events_or_none(engine_settings: Settings) -> None:
    clients = build_clients(engine_settings)
    p = clients.personalize
    group = p.create_dataset_group(name="streamed")["datasetGroupArn"]
    schema = p.create_schema(name="s", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    p.create_dataset(name="ds", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions")
    service = PersonalizeService(clients)
    datasets = [service.describe_dataset(d.arn) for d in service.list_datasets(group)]
    snaps = LocalSnapshots(get_engine(engine_settings))
    empty = snaps.group_data(group, datasets)
    assert empty.interaction_count == 0 and empty.volume[0].empty
    assert empty.long_tail.empty and empty.user_activity.empty
    assert empty.recent_history(["u1"]) == {"u1": []}

    tracker = p.create_event_tracker(name="t", datasetGroupArn=group)
    clients.events.put_events(
        trackingId=tracker["trackingId"],
        userId="u1",
        sessionId="s",
        eventList=[
            {"eventType": "view", "itemId": item, "sentAt": START + k}
            for k, item in enumerate(["a", "b", "a"])
        ],
    )
    data = snaps.group_data(group, datasets)
    # by hand: three views of u1 within a minute; "a" twice
    assert data.interaction_count == 3
    volume, unit = data.volume
    assert unit == "hour" and volume["interactions"].tolist() == [3]
    assert volume["EVENT_TYPE"].tolist() == ["view"]
    assert dict(zip(data.long_tail["item"], data.long_tail["interactions"], strict=True)) == {
        "a": 2,
        "b": 1,
    }
    assert data.user_activity.to_dict("records") == [
        {"user": "u1", "count": 3, "latest": START + 2}
    ]
    assert data.recent_history(["u1"]) == {"u1": ["a", "b", "a"]}


class _ExportedSnapshots:
    """A ``SnapshotSource`` that only takes snapshots, as export jobs do (AWS, HTTP): the
    engine's storage read through ``take_many`` and nothing else."""

    def __init__(self, snaps: LocalSnapshots) -> None:
        self._snaps = snaps

    def take(self, dataset_arn: str, mode: str = "ALL") -> Snapshot:
        return self._snaps.take(dataset_arn, mode)

    def take_many(self, requests: Sequence[tuple[str, str]]) -> list[Snapshot]:
        return self._snaps.take_many(requests)


def test_the_backend_decides_how_the_group_is_read(engine_settings: Settings) -> None:
    """In process, the group is read as small storage reads and its summary as aggregates;
    from a source that only takes snapshots, as frames of every row, with no summary of its
    own (the pages share the frames' summary)."""
    clients = build_clients(engine_settings)
    ws = create_group(clients, engine_settings.data_dir, with_items=True)
    service = PersonalizeService(clients)
    datasets = [service.describe_dataset(d.arn) for d in service.list_datasets(ws["group"])]
    snaps = LocalSnapshots(get_engine(engine_settings))
    exported = _ExportedSnapshots(snaps)

    small = group_data_of(snaps, ws["group"], datasets)
    full = group_data_of(exported, ws["group"], datasets)
    assert isinstance(small, StorageGroupData) and small.bulk.empty  # nothing built up front
    assert not isinstance(full, StorageGroupData) and len(full.bulk) == 60 * 30
    # by hand: create_group imports 60 users × 30 views, and no event was streamed
    assert small.interaction_count == full.interaction_count == 60 * 30

    summary = storage_summary(snaps, ws["group"])
    assert summary is not None and summary == full.summary
    assert summary.latest_put is None
    assert storage_summary(exported, ws["group"]) is None
