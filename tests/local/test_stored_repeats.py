"""An import job records how many of its rows the dataset already held, and the group's
distinct interactions (what training counts) follow from those records.

Expected values are counted by hand from the CSV rows with Python sets of (user, item, time)
tuples, not with the engine's pyarrow code under test.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from services.config import Settings
from services.datasets.group_data import GroupData
from services.datasets.local_engine.snapshots import LocalSnapshots
from services.local.data.storage.stored_repeats import IMPORTED_ROWS, REPEATED_ROWS
from services.local.engine import get_engine
from services.personalize.clients import Clients, build_clients
from services.personalize.facade import PersonalizeService
from tests.local.workspace import START, create_group, wait_for, write_events

Row = tuple[str, str, int, str]


def _rows(path: Path) -> list[Row]:
    with path.open(newline="") as fh:
        return [(r[0], r[1], int(r[2]), r[3]) for r in list(csv.reader(fh))[1:]]


def _import(clients: Clients, dataset: str, name: str, location: str, mode: str) -> dict:
    p = clients.personalize
    job = p.create_dataset_import_job(
        jobName=name,
        datasetArn=dataset,
        dataSource={"dataLocation": location},
        importMode=mode,
    )["datasetImportJobArn"]
    done = wait_for(
        lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
    )
    assert done["status"] == "ACTIVE", done.get("failureReason")
    return done


def _recorded(settings: Settings, job_arn: str) -> tuple[int, int]:
    with get_engine(settings).reading() as res:
        doc = res.find(job_arn)
    assert doc is not None
    return doc[IMPORTED_ROWS], doc[REPEATED_ROWS]


def _group_data(settings: Settings, clients: Clients, group: str) -> tuple[GroupData, GroupData]:
    """The page's storage-backed data and the same data as full export frames."""
    service = PersonalizeService(clients)
    datasets = [service.describe_dataset(d.arn) for d in service.list_datasets(group)]
    snaps = LocalSnapshots(get_engine(settings))
    small = snaps.group_data(group, datasets)
    interactions = next(d for d in datasets if d.dataset_type == "INTERACTIONS")
    bulk, put = snaps.take_many([(interactions.arn, "BULK"), (interactions.arn, "PUT")])
    return small, GroupData(bulk.frame, put.frame, has_interactions=True)


def test_the_same_file_imported_incremental_again_is_stored_twice_and_counted_once(
    settings: Settings,
) -> None:
    clients = build_clients(settings)
    ws = create_group(clients, settings.data_dir)
    s3 = settings.data_dir / "s3" / "bucket" / "shop"
    first = _rows(s3 / "interactions.csv")
    assert len(first) == len(set((u, i, t) for u, i, t, _ in first)) == 60 * 30

    again = _import(
        clients, ws["dataset"], "again", "s3://bucket/shop/interactions.csv", "INCREMENTAL"
    )
    assert _recorded(settings, again["datasetImportJobArn"]) == (1800, 1800)
    assert _recorded(settings, ws["import_job"]) == (1800, 0)  # the FULL one: nothing before

    # Half of a night's file repeats stored rows, half is new (times after everything stored).
    new = [(f"u{k % 60}", f"i{k % 90}", START + 10_000_000 + k, "view") for k in range(1000)]
    write_events(s3 / "night.csv", first[:1000] + new)
    night = _import(clients, ws["dataset"], "night", "s3://bucket/shop/night.csv", "INCREMENTAL")
    assert _recorded(settings, night["datasetImportJobArn"]) == (2000, 1000)

    # A streamed event repeating a bulk row, and one that is new.
    tracker = clients.personalize.create_event_tracker(name="t", datasetGroupArn=ws["group"])
    user, item, when, _ = first[5]
    now = int(time.time())
    clients.events.put_events(
        trackingId=tracker["trackingId"],
        userId=user,
        sessionId="s",
        eventList=[
            {"eventType": "view", "itemId": item, "sentAt": when},
            {"eventType": "view", "itemId": "i1", "sentAt": now},
        ],
    )
    stored = first + first + first[:1000] + new
    streamed = {(user, item, when), (user, "i1", now)}
    distinct = {(u, i, t) for u, i, t, _ in stored} | streamed
    small, full = _group_data(settings, clients, ws["group"])
    assert small.interaction_count == full.interaction_count == len(stored) + 2 == 5602
    assert small.distinct_interaction_count == full.distinct_interaction_count
    assert small.distinct_interaction_count == len(distinct) == 1800 + 1000 + 1


def test_a_folder_of_two_copies_imported_full_counts_the_second_copy_as_repeats(
    settings: Settings,
) -> None:
    clients = build_clients(settings)
    ws = create_group(clients, settings.data_dir)
    s3 = settings.data_dir / "s3" / "bucket"
    rows = _rows(s3 / "shop" / "interactions.csv")
    write_events(s3 / "twice" / "a.csv", rows)
    write_events(s3 / "twice" / "b.csv", rows)
    done = _import(clients, ws["dataset"], "twice", "s3://bucket/twice/", "FULL")
    assert _recorded(settings, done["datasetImportJobArn"]) == (3600, 1800)
    small, full = _group_data(settings, clients, ws["group"])
    assert small.interaction_count == 3600
    assert small.distinct_interaction_count == full.distinct_interaction_count == 1800


def test_imports_recorded_before_the_count_was_kept_are_counted_in_full(
    settings: Settings,
) -> None:
    clients = build_clients(settings)
    ws = create_group(clients, settings.data_dir)
    again = _import(
        clients, ws["dataset"], "again", "s3://bucket/shop/interactions.csv", "INCREMENTAL"
    )
    engine = get_engine(settings)
    with engine.tx() as res:  # as an engine before this change left the job
        doc = res.find(again["datasetImportJobArn"])
        assert doc is not None
        del doc[REPEATED_ROWS]
        res.save(again["datasetImportJobArn"], doc)
    small, _full = _group_data(settings, clients, ws["group"])
    assert small.interaction_count == 3600 and small.distinct_interaction_count == 1800
