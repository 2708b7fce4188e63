"""Every modelled error reaches boto3 as ``client.exceptions.<Name>``, and bad input changes
nothing: each case snapshots the engine's tables before and after the call."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from services.clients import Clients, build_clients
from services.config import Settings
from services.local import tables as t
from services.local.engine import LocalEngine, get_engine, reset_engines
from tests.local.workspace import create_group, train, wait_for

REGION_ACCOUNT = "arn:aws:personalize:us-east-1:000000000000"


@dataclass
class World:
    clients: Clients
    engine: LocalEngine
    data_dir: Path
    ws: dict[str, str]
    solution: str
    version: str
    campaign: str
    tracking_id: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("errors") / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    ws = create_group(clients, data_dir)
    solution, version = train(clients, ws["group"], "pop", "aws-popularity-count")
    p = clients.personalize
    campaign = p.create_campaign(name="c", solutionVersionArn=version)["campaignArn"]
    tracker = p.create_event_tracker(name="tr", datasetGroupArn=ws["group"])
    yield World(
        clients,
        get_engine(settings),
        data_dir,
        ws,
        solution,
        version,
        campaign,
        tracker["trackingId"],
    )
    reset_engines()


def snapshot(engine: LocalEngine, *, ignore_import_jobs: bool = False) -> str:
    """A digest of everything the engine stores (import jobs optionally left out)."""
    parts: list[Any] = []
    with engine.db.connect() as conn:
        query = select(t.resources.c.arn, t.resources.c.doc).order_by(t.resources.c.arn)
        if ignore_import_jobs:
            query = query.where(t.resources.c.kind != "dataset-import-job")
        parts.append([(r.arn, r.doc) for r in conn.execute(query)])
        for table in (t.interactions, t.items, t.users):
            parts.append(conn.execute(select(func.count()).select_from(table)).scalar_one())
        parts.append(
            [tuple(r) for r in conn.execute(select(t.bulk_files).order_by(t.bulk_files.c.id))]
        )
        parts.append(conn.execute(select(func.max(t.interactions.c.id))).scalar_one())
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def raises_unchanged(world: World, error: str, call: Callable[[], Any], needle: str) -> None:
    before = snapshot(world.engine)
    client_errors = {
        **{
            n: getattr(world.clients.personalize.exceptions, n)
            for n in (
                "InvalidInputException",
                "ResourceNotFoundException",
                "ResourceInUseException",
                "ResourceAlreadyExistsException",
                "LimitExceededException",
                "InvalidNextTokenException",
            )
        },
    }
    runtime_errors = world.clients.runtime.exceptions
    events_errors = world.clients.events.exceptions
    expected = tuple(
        getattr(ns, error)
        for ns in (world.clients.personalize.exceptions, runtime_errors, events_errors)
        if hasattr(ns, error)
    ) or (client_errors[error],)
    with pytest.raises(expected) as info:
        call()
    message = info.value.response["Error"]["Message"]
    assert needle.lower() in message.lower(), message
    assert snapshot(world.engine) == before


def p(world: World) -> Any:
    return world.clients.personalize


CASES: list[tuple[str, str, Callable[[World], Any], str]] = [
    (
        "bad name",
        "InvalidInputException",
        lambda w: p(w).create_dataset_group(name="bad name!"),
        "regular expression",
    ),
    (
        "name too long",
        "InvalidInputException",
        lambda w: p(w).create_dataset_group(name="a" * 64),
        "less than or equal to 63",
    ),
    (
        "arn of wrong type",
        "InvalidInputException",
        lambda w: p(w).describe_campaign(campaignArn=w.solution),
        "not the ARN of a campaign",
    ),
    (
        "numResults 0",
        "InvalidInputException",
        lambda w: w.clients.runtime.get_recommendations(
            campaignArn=w.campaign, userId="u1", numResults=0
        ),
        "between 1 and 500",
    ),
    (
        "numResults 501",
        "InvalidInputException",
        lambda w: w.clients.runtime.get_recommendations(
            campaignArn=w.campaign, userId="u1", numResults=501
        ),
        "between 1 and 500",
    ),
    (
        "11 events",
        "InvalidInputException",
        lambda w: w.clients.events.put_events(
            trackingId=w.tracking_id,
            sessionId="s",
            eventList=[{"eventType": "view", "itemId": "i1", "sentAt": 1_700_000_000}] * 11,
        ),
        "less than or equal to 10",
    ),
    (
        "unknown trackingId",
        "InvalidInputException",
        lambda w: w.clients.events.put_events(
            trackingId="no-such-tracker",
            sessionId="s",
            eventList=[{"eventType": "view", "itemId": "i1", "sentAt": 1_700_000_000}],
        ),
        "no event tracker",
    ),
    (
        "event property not in schema",
        "InvalidInputException",
        lambda w: w.clients.events.put_events(
            trackingId=w.tracking_id,
            sessionId="s",
            eventList=[
                {
                    "eventType": "view",
                    "itemId": "i1",
                    "sentAt": 1_700_000_000,
                    "properties": json.dumps({"discountCode": "X"}),
                }
            ],
        ),
        "DISCOUNT_CODE",
    ),
    (
        "import into missing dataset",
        "ResourceNotFoundException",
        lambda w: p(w).create_dataset_import_job(
            jobName="j-missing",
            datasetArn=f"{REGION_ACCOUNT}:dataset/shop/ITEMS",
            dataSource={"dataLocation": "s3://bucket/shop/interactions.csv"},
        ),
        "does not exist",
    ),
    (
        "import of a missing file",
        "InvalidInputException",
        lambda w: p(w).create_dataset_import_job(
            jobName="j-nofile",
            datasetArn=w.ws["dataset"],
            dataSource={"dataLocation": "s3://bucket/shop/nothing.csv"},
        ),
        "no file",
    ),
    (
        "unknown dataset type",
        "InvalidInputException",
        lambda w: p(w).create_dataset(
            name="d",
            schemaArn=w.ws["schema"],
            datasetGroupArn=w.ws["group"],
            datasetType="Purchases",
        ),
        "Purchases",
    ),
    (
        "second interactions dataset",
        "InvalidInputException",
        lambda w: p(w).create_dataset(
            name="d2",
            schemaArn=w.ws["schema"],
            datasetGroupArn=w.ws["group"],
            datasetType="INTERACTIONS",
        ),
        "one dataset of each type",
    ),
    (
        "schema that is not JSON",
        "InvalidInputException",
        lambda w: p(w).create_schema(name="broken", schema="{not json"),
        "schema",
    ),
    (
        "unknown recipe",
        "InvalidInputException",
        lambda w: p(w).create_solution(
            name="s2",
            datasetGroupArn=w.ws["group"],
            recipeArn="arn:aws:personalize:::recipe/aws-magic",
        ),
        "aws-magic",
    ),
    (
        "bad filter expression",
        "InvalidInputException",
        lambda w: p(w).create_filter(
            name="f",
            datasetGroupArn=w.ws["group"],
            filterExpression="EXCLUDE ItemID WHERE Items.X IN (",
        ),
        "filterExpression",
    ),
    (
        "exploration weight above 1",
        "InvalidInputException",
        lambda w: p(w).create_campaign(
            name="c2",
            solutionVersionArn=w.version,
            campaignConfig={"itemExplorationConfig": {"explorationWeight": "1.5"}},
        ),
        "explorationWeight",
    ),
    (
        "duplicate dataset group",
        "ResourceAlreadyExistsException",
        lambda w: p(w).create_dataset_group(name="shop"),
        "already exists",
    ),
    (
        "second event tracker",
        "LimitExceededException",
        lambda w: p(w).create_event_tracker(name="tr2", datasetGroupArn=w.ws["group"]),
        "already has an event tracker",
    ),
    (
        "delete a group that has datasets",
        "ResourceInUseException",
        lambda w: p(w).delete_dataset_group(datasetGroupArn=w.ws["group"]),
        "delete",
    ),
    (
        "delete a solution a campaign serves",
        "ResourceInUseException",
        lambda w: p(w).delete_solution(solutionArn=w.solution),
        "campaign",
    ),
    (
        "metrics of a missing version",
        "ResourceNotFoundException",
        lambda w: p(w).get_solution_metrics(solutionVersionArn=f"{w.solution}/deadbeef"),
        "does not exist",
    ),
    (
        "recommendations from a missing campaign",
        "ResourceNotFoundException",
        lambda w: w.clients.runtime.get_recommendations(
            campaignArn=f"{REGION_ACCOUNT}:campaign/nope", userId="u1"
        ),
        "does not exist",
    ),
    (
        "forged nextToken",
        "InvalidNextTokenException",
        lambda w: p(w).list_dataset_groups(nextToken="bm90LWEtdG9rZW4="),
        "nextToken",
    ),
    (
        "UPDATE training of a popularity solution",
        "InvalidInputException",
        lambda w: p(w).create_solution_version(solutionArn=w.solution, trainingMode="UPDATE"),
        "User-Personalization",
    ),
]


@pytest.mark.parametrize(("case", "error", "call", "needle"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_and_changes_nothing(
    world: World, case: str, error: str, call: Callable[[World], Any], needle: str
) -> None:
    raises_unchanged(world, error, lambda: call(world), needle)


BAD_FILES: list[tuple[str, bytes, str]] = [
    (
        "milliseconds.csv",
        b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n"
        + b"".join(
            b"u%d,i%d,%d,view\n" % (n % 50, n % 70, 1_700_000_000_000 + n) for n in range(1200)
        ),
        "milliseconds",
    ),
    (
        "missing_column.csv",
        b"USER_ID,TIMESTAMP,EVENT_TYPE\n"
        + b"".join(b"u%d,%d,view\n" % (n % 50, 1_700_000_000 + n) for n in range(1200)),
        "ITEM_ID",
    ),
    ("empty.csv", b"", "empty"),
    (
        "latin1.csv",
        b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n"
        + "".join(f"u{n % 50},caf\xe9{n},{1_700_000_000 + n},view\n" for n in range(1200)).encode(
            "latin-1"
        ),
        "utf-8",
    ),
    (
        "timestamp_text.csv",
        b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n"
        + b"".join(b"u%d,i%d,%d,view\n" % (n % 50, n % 70, 1_700_000_000 + n) for n in range(600))
        + b"u1,i1,yesterday,view\n"
        + b"".join(b"u%d,i%d,%d,view\n" % (n % 50, n % 70, 1_700_000_000 + n) for n in range(600)),
        "TIMESTAMP",
    ),
    (
        "too_few_rows.csv",
        b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n"
        + b"".join(b"u%d,i%d,%d,view\n" % (n % 50, n % 70, 1_700_000_000 + n) for n in range(20)),
        "1000",
    ),
]


@pytest.mark.parametrize(("name", "content", "needle"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_import_fails_and_imports_nothing(
    world: World, name: str, content: bytes, needle: str
) -> None:
    path = world.data_dir / "s3" / "bucket" / "bad" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    before = snapshot(world.engine, ignore_import_jobs=True)
    job = p(world).create_dataset_import_job(
        jobName=f"bad-{name.split('.')[0].replace('_', '-')}",
        datasetArn=world.ws["dataset"],
        dataSource={"dataLocation": f"s3://bucket/bad/{name}"},
        importMode="INCREMENTAL",
    )["datasetImportJobArn"]
    done = wait_for(
        lambda: p(world).describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
    )
    assert done["status"] == "CREATE FAILED"
    assert needle.lower() in done["failureReason"].lower(), done["failureReason"]
    assert snapshot(world.engine, ignore_import_jobs=True) == before


def test_failure_reason_names_row_and_column(world: World) -> None:
    path = world.data_dir / "s3" / "bucket" / "bad" / "row.csv"
    rows = [f"u{n % 50},i{n % 70},{1_700_000_000 + n},view" for n in range(1500)]
    rows[41] = "u1,i1,12x,view"  # data row 42, line 43 of the file
    path.write_text("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n" + "\n".join(rows) + "\n")
    job = p(world).create_dataset_import_job(
        jobName="bad-row",
        datasetArn=world.ws["dataset"],
        dataSource={"dataLocation": "s3://bucket/bad/row.csv"},
    )["datasetImportJobArn"]
    done = wait_for(
        lambda: p(world).describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
    )
    reason = done["failureReason"]
    assert done["status"] == "CREATE FAILED"
    assert "TIMESTAMP" in reason and "42" in reason and "12x" in reason, reason


def test_campaign_update_while_pending_is_in_use(world: World) -> None:
    engine = world.engine
    engine.lifecycle_seconds = 60.0
    try:
        p(world).update_campaign(campaignArn=world.campaign, solutionVersionArn=world.version)
        raises_unchanged(
            world,
            "ResourceInUseException",
            lambda: p(world).update_campaign(
                campaignArn=world.campaign, solutionVersionArn=world.version
            ),
            "already being updated",
        )
    finally:
        engine.lifecycle_seconds = 0.0
        engine.clock = lambda: 1e12  # far future: the pending update completes
        p(world).describe_campaign(campaignArn=world.campaign)
        import time

        engine.clock = time.time
