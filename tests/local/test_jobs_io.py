"""Dataset export and batch inference: Personalize's file formats on local folders."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from services.config import Settings
from services.personalize.clients import Clients
from tests.local.test_next_best_action import ACTIONS_SCHEMA
from tests.local.workspace import create_group, interactions_schema, train, wait_for

ROLE = "arn:aws:iam::000000000000:role/local"


def _export(p: Any, dataset: str, name: str, **mode: str) -> dict[str, Any]:
    """CreateDatasetExportJob to s3://exports/shop/ (``mode``: an ingestionMode, or none for
    the default), waited for; the job as DescribeDatasetExportJob answers it."""
    job = p.create_dataset_export_job(
        jobName=name,
        datasetArn=dataset,
        roleArn=ROLE,
        jobOutput={"s3DataDestination": {"path": "s3://exports/shop/"}},
        **mode,
    )["datasetExportJobArn"]
    done: dict[str, Any] = wait_for(
        lambda: p.describe_dataset_export_job(datasetExportJobArn=job), "datasetExportJob"
    )
    return done


def test_export_put_events_and_bulk(clients: Clients, settings: Settings) -> None:
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    tracker = p.create_event_tracker(name="t", datasetGroupArn=ws["group"])
    clients.events.put_events(
        trackingId=tracker["trackingId"],
        userId="newbie",
        sessionId="s1",
        eventList=[
            {"eventType": "click", "itemId": "i3", "sentAt": 1_800_000_000 + k} for k in range(3)
        ],
    )
    for mode, expected in (("PUT", 3), ("BULK", 1800), ("ALL", 1803)):
        done = _export(p, ws["dataset"], f"export-{mode.lower()}", ingestionMode=mode)
        assert done["status"] == "ACTIVE", done.get("failureReason")
        out = settings.data_dir / "s3" / "exports" / "shop" / f"export-{mode.lower()}"
        with (out / "part-00000.csv").open() as fh:
            rows = list(csv.DictReader(fh))
        # 60 users × 30 events in the bulk file (tests/local/workspace.py), plus 3 streamed.
        assert len(rows) == expected
        if mode == "PUT":
            assert {r["USER_ID"] for r in rows} == {"newbie"}
            assert [r["EVENT_TYPE"] for r in rows] == ["click"] * 3


def _write_bulk(path: Path) -> None:
    """The 1,000 rows an import needs at least (none of them is exported in PUT mode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [f"u{k % 50},i{k % 40},{1_700_000_000 + k},view,," for k in range(1000)]
    path.write_text(
        "\n".join(["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,RECOMMENDATION_ID", *rows])
        + "\n"
    )


def test_export_writes_the_schemas_columns(clients: Clients, settings: Settings) -> None:
    """The export job writes the schema's fields, in its order: a PutEvents recommendationId
    appears as RECOMMENDATION_ID (a schema field); the impression and eventAttributionSource
    this schema has no field for are left out."""
    p = clients.personalize
    schema = interactions_schema(
        {"name": "EVENT_VALUE", "type": ["null", "float"]},
        {"name": "RECOMMENDATION_ID", "type": ["null", "string"]},
    )
    ws = create_group(clients, settings.data_dir, schema_text=schema, write=_write_bulk)
    tracker = p.create_event_tracker(name="t", datasetGroupArn=ws["group"])
    clients.events.put_events(
        trackingId=tracker["trackingId"],
        userId="김민준",
        sessionId="s1",
        eventList=[
            {
                "eventType": "click",
                "itemId": "i1",
                "sentAt": 1_800_000_000,
                "recommendationId": "RID-1",
                "impression": ["i1", "i2"],
                "metricAttribution": {"eventAttributionSource": "B"},
            },
            {"eventType": "buy", "itemId": "i1", "sentAt": 1_800_000_010, "eventValue": 12.5},
        ],
    )
    done = _export(p, ws["dataset"], "columns")  # no ingestionMode: PUT, the default
    assert done["status"] == "ACTIVE", done.get("failureReason")
    assert done["ingestionMode"] == "PUT"
    text = (settings.data_dir / "s3/exports/shop/columns/part-00000.csv").read_text()
    assert text.splitlines() == [
        "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,RECOMMENDATION_ID",
        "김민준,i1,1800000000,click,,RID-1",
        "김민준,i1,1800000010,buy,12.5,",
    ]


def test_actions_datasets_are_not_exported(clients: Clients, settings: Settings) -> None:
    """Exporting the developer guide says cannot be done is refused at once (400), no job."""
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    schema = p.create_schema(name="actions", schema=json.dumps(ACTIONS_SCHEMA))["schemaArn"]
    actions = p.create_dataset(
        name="actions", schemaArn=schema, datasetGroupArn=ws["group"], datasetType="Actions"
    )["datasetArn"]
    wait_for(lambda: p.describe_dataset(datasetArn=actions), "dataset")
    with pytest.raises(ClientError) as refused:
        p.create_dataset_export_job(
            jobName="actions",
            datasetArn=actions,
            roleArn=ROLE,
            jobOutput={"s3DataDestination": {"path": "s3://exports/shop/"}},
        )
    assert refused.value.response["Error"]["Code"] == "InvalidInputException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert p.list_dataset_export_jobs(datasetArn=actions)["datasetExportJobs"] == []


def test_batch_inference_json_lines(clients: Clients, settings: Settings) -> None:
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    _, version = train(clients, ws["group"], "pop", "aws-popularity-count")
    source = settings.data_dir / "s3" / "batch" / "in" / "users.json"
    source.parent.mkdir(parents=True)
    source.write_text(
        '{"userId": "u1"}\n{"userId": "stranger"}\n'
        '{"userId": "u2", "itemList": ["i1", "zzz", "i2"]}\n'
    )
    job = p.create_batch_inference_job(
        jobName="preview",
        solutionVersionArn=version,
        numResults=5,
        roleArn="arn:aws:iam::000000000000:role/local",
        jobInput={"s3DataSource": {"path": "s3://batch/in/users.json"}},
        jobOutput={"s3DataDestination": {"path": "s3://batch/out/"}},
    )["batchInferenceJobArn"]
    done = wait_for(
        lambda: p.describe_batch_inference_job(batchInferenceJobArn=job), "batchInferenceJob"
    )
    assert done["status"] == "ACTIVE", done.get("failureReason")
    out = settings.data_dir / "s3" / "batch" / "out" / "users.json.out"
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["input"] for line in lines] == [
        {"userId": "u1"},
        {"userId": "stranger"},
        {"userId": "u2", "itemList": ["i1", "zzz", "i2"]},
    ]
    assert all(line["error"] is None for line in lines)
    assert len(lines[0]["output"]["recommendedItems"]) == 5
    # Popularity is the same for a known user and a stranger.
    assert lines[0]["output"]["recommendedItems"] == lines[1]["output"]["recommendedItems"]
    ranked = lines[2]["output"]["recommendedItems"]
    assert sorted(ranked) == ["i1", "i2", "zzz"] and ranked[-1] == "zzz"
    assert lines[2]["output"]["scores"][-1] == 0.0
