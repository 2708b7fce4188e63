"""Dataset export and batch inference: Personalize's file formats on local folders."""

from __future__ import annotations

import csv
import json

from services.config import Settings
from services.personalize.clients import Clients
from tests.local.workspace import create_group, train, wait_for


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
        job = p.create_dataset_export_job(
            jobName=f"export-{mode.lower()}",
            datasetArn=ws["dataset"],
            ingestionMode=mode,
            roleArn="arn:aws:iam::000000000000:role/local",
            jobOutput={"s3DataDestination": {"path": "s3://exports/shop/"}},
        )["datasetExportJobArn"]
        done = wait_for(
            lambda j=job: p.describe_dataset_export_job(datasetExportJobArn=j), "datasetExportJob"
        )
        assert done["status"] == "ACTIVE", done.get("failureReason")
        out = settings.data_dir / "s3" / "exports" / "shop" / f"export-{mode.lower()}"
        with (out / "part-00000.csv").open() as fh:
            rows = list(csv.DictReader(fh))
        # 60 users × 30 events in the bulk file (tests/local/workspace.py), plus 3 streamed.
        assert len(rows) == expected
        if mode == "PUT":
            assert {r["USER_ID"] for r in rows} == {"newbie"}
            assert [r["EVENT_TYPE"] for r in rows] == ["click"] * 3


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
