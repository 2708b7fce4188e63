"""Builds small, structured workspaces for engine tests through the public boto3 API."""

from __future__ import annotations

import csv
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from services.personalize.clients import Clients


def interactions_schema(*extra: dict[str, Any], event_type: bool = True) -> str:
    """An Interactions schema: USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE (unless
    ``event_type`` is false) and the ``extra`` fields."""
    fields: list[dict[str, Any]] = [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
    ]
    if event_type:
        fields.append({"name": "EVENT_TYPE", "type": "string"})
    record = {
        "type": "record",
        "name": "Interactions",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [*fields, *extra],
        "version": "1.0",
    }
    return json.dumps(record)


INTERACTIONS_SCHEMA = interactions_schema()
ITEMS_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Items",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "ITEM_ID", "type": "string"},
            {"name": "CATEGORY", "type": "string", "categorical": True},
            {"name": "PRICE", "type": "float"},
            {"name": "CREATION_TIMESTAMP", "type": "long"},
        ],
        "version": "1.0",
    }
)
START = 1_700_000_000
CLUSTERS = 3


def cluster_of_item(item: int, items: int) -> int:
    """Items are split into equal consecutive blocks, one per cluster."""
    return item * CLUSTERS // items


def write_events(path: Path, rows: Iterable[tuple[str, str, int, str]]) -> int:
    """An interactions CSV (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE) of ``rows``, its folder
    made if missing. Returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"])
        for row in rows:
            out.writerow(row)
            count += 1
    return count


def write_interactions(
    path: Path, users: int = 60, items: int = 90, per_user: int = 30, seed: int = 0
) -> int:
    """A CSV where user u mostly views items of cluster u % 3. Returns the row count."""
    rng = np.random.default_rng(seed)

    def views() -> Iterator[tuple[str, str, int, str]]:
        for u in range(users):
            cluster = u % CLUSTERS
            block = [i for i in range(items) if cluster_of_item(i, items) == cluster]
            for k in range(per_user):
                own = rng.random() < 0.9
                item = int(rng.choice(block)) if own else int(rng.integers(items))
                yield f"u{u}", f"i{item}", START + u * 1000 + k * 10, "view"

    return write_events(path, views())


def write_items(path: Path, items: int = 90) -> None:
    """Items with a category per cluster, a price and a creation time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["ITEM_ID", "CATEGORY", "PRICE", "CREATION_TIMESTAMP"])
        for i in range(items):
            out.writerow(
                [f"i{i}", f"cat{cluster_of_item(i, items)}", 5 + i % 20, START - 365 * 86400]
            )


def wait_for(
    describe: Callable[[], dict[str, Any]],
    key: str,
    *,
    timeout: float = 60,
    done: tuple[str, ...] = ("ACTIVE", "CREATE FAILED", "CREATE STOPPED"),
) -> dict:
    """Poll a Describe call until ``doc[key]['status']`` is terminal."""
    deadline = time.monotonic() + timeout
    while True:
        doc = describe()[key]
        if doc["status"] in done:
            return doc
        if time.monotonic() > deadline:
            raise AssertionError(f"{key} still {doc['status']} after {timeout}s")
        time.sleep(0.05)


def import_file(clients: Clients, dataset: str, job_name: str, location: str) -> str:
    """A FULL import of ``location`` into ``dataset``, waited for; returns the job's ARN."""
    p = clients.personalize
    job = p.create_dataset_import_job(
        jobName=job_name, datasetArn=dataset, dataSource={"dataLocation": location}
    )["datasetImportJobArn"]
    done = wait_for(
        lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
    )
    assert done["status"] == "ACTIVE", done.get("failureReason")
    return job


def create_group(
    clients: Clients,
    data_dir: Path,
    name: str = "shop",
    *,
    with_items: bool = False,
    schema_text: str = INTERACTIONS_SCHEMA,
    write: Callable[[Path], object] = write_interactions,
) -> dict[str, str]:
    """Schema → group → Interactions (and Items) dataset → FULL imports, all ACTIVE;
    ``write`` makes the interactions CSV (of ``schema_text``) at the path it is given."""
    p = clients.personalize
    out: dict[str, str] = {}
    schema = p.create_schema(name=f"{name}-interactions", schema=schema_text)["schemaArn"]
    group = p.create_dataset_group(name=name)["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=group), "datasetGroup")
    dataset = p.create_dataset(
        name=f"{name}-interactions",
        schemaArn=schema,
        datasetGroupArn=group,
        datasetType="Interactions",
    )["datasetArn"]
    wait_for(lambda: p.describe_dataset(datasetArn=dataset), "dataset")
    write(data_dir / "s3" / "bucket" / name / "interactions.csv")
    job = import_file(clients, dataset, f"{name}-import-1", f"s3://bucket/{name}/interactions.csv")
    out.update(group=group, dataset=dataset, schema=schema, import_job=job)
    if with_items:
        items_schema = p.create_schema(name=f"{name}-items", schema=ITEMS_SCHEMA)["schemaArn"]
        items = p.create_dataset(
            name=f"{name}-items", schemaArn=items_schema, datasetGroupArn=group, datasetType="Items"
        )["datasetArn"]
        wait_for(lambda: p.describe_dataset(datasetArn=items), "dataset")
        write_items(data_dir / "s3" / "bucket" / name / "items.csv")
        import_file(clients, items, f"{name}-items-1", f"s3://bucket/{name}/items.csv")
        out["items_dataset"] = items
    return out


def create_solution(
    clients: Clients,
    group: str,
    name: str = "pop",
    recipe: str = "aws-popularity-count",
    **extra: Any,
) -> str:
    """CreateSolution of the recipe named ``recipe`` on ``group`` (more request fields in
    ``extra``); returns the solution's ARN."""
    return str(
        clients.personalize.create_solution(
            name=name,
            datasetGroupArn=group,
            recipeArn=f"arn:aws:personalize:::recipe/{recipe}",
            **extra,
        )["solutionArn"]
    )


def train(
    clients: Clients, group: str, name: str, recipe: str, *, timeout: float = 120, **extra: Any
) -> tuple[str, str]:
    """Create a solution and train its first version to ACTIVE (waiting up to ``timeout``
    seconds). Returns (solution, version)."""
    p = clients.personalize
    solution = create_solution(clients, group, name, recipe, **extra)
    wait_for(lambda: p.describe_solution(solutionArn=solution), "solution")
    version = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    trained(clients, version, timeout)
    return solution, version


def trained(clients: Clients, version: str, timeout: float = 120) -> dict[str, Any]:
    """Wait (≤ ``timeout`` s) for a solution version to finish training; it must be ACTIVE."""
    p = clients.personalize
    doc = wait_for(
        lambda: p.describe_solution_version(solutionVersionArn=version),
        "solutionVersion",
        timeout=timeout,
    )
    assert doc["status"] == "ACTIVE", doc.get("failureReason")
    return doc


def start_training(clients: Clients, group: str, name: str = "pop") -> str:
    """A popularity-count solution and its first version, returned once CREATE IN_PROGRESS."""
    p = clients.personalize
    solution = create_solution(clients, group, name)
    version = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    wait_for(
        lambda: p.describe_solution_version(solutionVersionArn=version),
        "solutionVersion",
        done=("CREATE IN_PROGRESS",),
    )
    return version


def worker_pid(data_dir: Path, arn: str, timeout: float = 30) -> int:
    """The process ID of the worker running ``arn``'s job (read from the engine's SQLite)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(data_dir / "engine.db") as db:
            row = db.execute("SELECT worker, state FROM jobs WHERE arn = ?", (arn,)).fetchone()
        if row and row[0] and row[1] == "running":
            return int(row[0].split(":")[1])
        time.sleep(0.05)
    raise AssertionError("no worker claimed the job")


def stream_event(clients: Clients, group: str, user: str = "u1", item: str = "i1") -> None:
    """Send one PutEvents event into ``group`` (through its event tracker, created if it has
    none): new data, e.g. for a trainingMode UPDATE to fold in."""
    p = clients.personalize
    trackers = p.list_event_trackers(datasetGroupArn=group)["eventTrackers"]
    if trackers:
        arn = trackers[0]["eventTrackerArn"]
    else:
        arn = p.create_event_tracker(name=f"tracker-{time.time_ns()}", datasetGroupArn=group)[
            "eventTrackerArn"
        ]
    tracker = wait_for(lambda: p.describe_event_tracker(eventTrackerArn=arn), "eventTracker")
    clients.events.put_events(
        trackingId=tracker["trackingId"],
        userId=user,
        sessionId=f"s-{user}",
        eventList=[{"eventType": "view", "itemId": item, "sentAt": START + 10**6}],
    )


def track_and_attribute(clients: Clients, group: str) -> tuple[str, str]:
    """Give ``group`` an event tracker and a metric attribution (clicks: SAMPLECOUNT(), reported
    to ``s3://bucket/attribution/``), the two resources that make the engine keep each answered
    list (for the tracker's events and the attribution's campaign report); not waited for.
    Returns (tracker ARN, attribution ARN)."""
    p = clients.personalize
    tracker = p.create_event_tracker(name="tr", datasetGroupArn=group)["eventTrackerArn"]
    attribution = p.create_metric_attribution(
        name="m",
        datasetGroupArn=group,
        metrics=[{"eventType": "click", "metricName": "clicks", "expression": "SAMPLECOUNT()"}],
        metricsOutputConfig={
            "roleArn": "arn:aws:iam::000000000000:role/personalize",
            "s3DataDestination": {"path": "s3://bucket/attribution/"},
        },
    )["metricAttributionArn"]
    return tracker, attribution


def send_events(
    clients: Clients,
    tracking_id: str,
    sent: list[tuple[str, str, str, str | None]],
    sent_at: int,
    session_prefix: str = "s",
) -> None:
    """PutEvents each ``(user, item, event type, recommendationId or None)``, one call and
    session each, all at ``sent_at``."""
    for n, (user, item, kind, rid) in enumerate(sent):
        event: dict[str, Any] = {"eventType": kind, "itemId": item, "sentAt": sent_at}
        if rid:
            event["recommendationId"] = rid
        clients.events.put_events(
            trackingId=tracking_id,
            userId=user,
            sessionId=f"{session_prefix}{n}",
            eventList=[event],
        )
