"""Dataset snapshots (export jobs read back), object stores and batch previews."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from services.config import Settings
from services.datasets.interaction_summary import InteractionSummary, summary_of_frames
from services.datasets.local_engine.snapshots import LocalSnapshots, snapshot_source
from services.datasets.snapshot import (
    LOCAL_ROLE_ARN,
    ConfigMissing,
    DatasetSnapshots,
    LocalObjects,
    Location,
    S3Objects,
    location,
    object_store,
)
from services.errors import ServiceError
from services.evaluation.sampling import BatchPreview, read_batch_preview, start_batch_preview
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from tests.aws.conftest import AwsStubs
from tests.local.workspace import create_group
from tests.services.conftest import FakeClients, Stubs

DATASET = "arn:aws:personalize:us-east-1:123456789012:dataset/shop/INTERACTIONS"
ROLE = "arn:aws:iam::123456789012:role/personalize"


# --- configuration --------------------------------------------------------------------------


def test_local_location_needs_no_configuration(tmp_path: Path) -> None:
    where = location(Settings(data_dir=tmp_path))
    assert where.role_arn == LOCAL_ROLE_ARN
    assert where.uri("uploads", "abc", "f.csv") == "s3://uploads/abc/f.csv"


@pytest.mark.parametrize(
    ("bucket", "role", "variable"),
    [(None, ROLE, "PERSONALIZE_EXPORT_BUCKET"), ("b", None, "PERSONALIZE_ROLE_ARN")],
)
def test_aws_mode_says_which_variable_is_missing(
    bucket: str | None, role: str | None, variable: str
) -> None:
    settings = Settings(backend="aws", export_bucket=bucket, role_arn=role)
    with pytest.raises(ConfigMissing, match=variable):
        location(settings)


def test_settings_read_the_new_variables() -> None:
    env = {"PERSONALIZE_EXPORT_BUCKET": "my-bucket", "PERSONALIZE_ROLE_ARN": ROLE}
    settings = Settings.from_env(env)
    assert (settings.export_bucket, settings.role_arn) == ("my-bucket", ROLE)
    where = location(Settings(backend="aws", export_bucket="my-bucket", role_arn=ROLE))
    assert where.uri("exports", "x", "") == "s3://my-bucket/personalize-dashboard/exports/x/"


# --- local object store -------------------------------------------------------------------


def test_local_objects_round_trip_and_listing(tmp_path: Path) -> None:
    store = LocalObjects(tmp_path)
    store.put("s3://b/a/one.csv", b"1")
    store.put("s3://b/a/sub/two.csv", b"2")
    store.put("s3://b/other.csv", b"3")
    assert (tmp_path / "b" / "a" / "one.csv").read_bytes() == b"1"
    assert store.get("s3://b/a/sub/two.csv") == b"2"
    assert store.list("s3://b/a/") == ["s3://b/a/one.csv", "s3://b/a/sub/two.csv"]
    assert store.list("s3://missing/") == []
    with pytest.raises(ServiceError, match="No file"):
        store.get("s3://b/nothing.csv")


def test_local_objects_refuse_paths_outside_the_root(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="leaves"):
        LocalObjects(tmp_path / "s3").path("s3://b/../../etc/passwd")


# --- snapshots against the local engine ------------------------------------------------------


def test_snapshot_reads_bulk_and_put_rows_from_the_local_engine(engine_settings: Settings) -> None:
    clients = build_clients(engine_settings)
    ws = create_group(clients, engine_settings.data_dir)
    tracker = clients.personalize.create_event_tracker(name="t", datasetGroupArn=ws["group"])
    sent = int(time.time())
    clients.events.put_events(
        trackingId=tracker["trackingId"],
        userId="007",  # stays a string, not the number 7
        sessionId="s",
        eventList=[{"eventType": "buy", "itemId": f"i{k}", "sentAt": sent} for k in range(4)],
    )
    service = PersonalizeService(clients)
    snaps = DatasetSnapshots(service, object_store(engine_settings), location(engine_settings))
    bulk, put = snaps.take_many([(ws["dataset"], "BULK"), (ws["dataset"], "PUT")])
    # tests/local/workspace.py writes 60 users × 30 views.
    assert len(bulk.frame) == 60 * 30
    assert set(bulk.frame["EVENT_TYPE"]) == {"view"}
    assert put.frame["USER_ID"].tolist() == ["007"] * 4
    assert sorted(put.frame["ITEM_ID"]) == ["i0", "i1", "i2", "i3"]
    assert put.frame["TIMESTAMP"].tolist() == [sent] * 4
    assert bulk.job_arn != put.job_arn
    assert (bulk.mode, put.mode) == ("BULK", "PUT")

    # In process, the engine's storage is read directly, with what the export jobs wrote.
    direct = snapshot_source(service, engine_settings)
    assert isinstance(direct, LocalSnapshots)
    requests = [(ws["dataset"], "BULK"), (ws["dataset"], "PUT"), (ws["dataset"], "ALL")]
    exported = [bulk, put, snaps.take(ws["dataset"], "ALL")]
    for got, want in zip(direct.take_many(requests), exported, strict=True):
        pd.testing.assert_frame_equal(
            got.frame.reset_index(drop=True),
            want.frame.reset_index(drop=True),
            check_dtype=False,
            check_column_type=False,
        )

    # The data checks' summary: aggregates read from storage, the same as from the exports.
    summary = direct.interaction_summary(ws["group"])
    assert summary == summary_of_frames(bulk.frame, put.frame)
    # by hand: 60 users × 30 views + 4 streamed events of "007", who is the latest
    assert (summary.counts.interactions, summary.counts.users_with_two) == (1804, 61)
    assert summary.latest_put == sent and summary.recent_users[0] == "007"
    assert direct.interaction_summary(f"{ws['group']}-gone") == InteractionSummary()


# --- snapshots on AWS (stubbed Personalize and S3) --------------------------------------------


@pytest.fixture
def s3(aws_stubs: AwsStubs) -> tuple[Any, Stubber]:
    return aws_stubs.client("s3"), aws_stubs.stubber("s3")


def _body(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))


def _job(status: str, reason: str | None = None) -> dict[str, Any]:
    job: dict[str, Any] = {
        "datasetExportJobArn": f"{DATASET}-export",
        "jobName": "snap",
        "status": status,
        "datasetArn": DATASET,
        "jobOutput": {"s3DataDestination": {"path": "s3://bkt/x/"}},
    }
    if reason:
        job["failureReason"] = reason
    return {"datasetExportJob": job}


def _aws_snapshots(clients: FakeClients, s3_client: Any) -> DatasetSnapshots:
    settings = Settings(backend="aws", export_bucket="bkt", role_arn=ROLE)
    service = PersonalizeService(clients)
    return DatasetSnapshots(
        service, S3Objects(s3_client), location(settings), sleep=lambda _s: None
    )


def test_aws_snapshot_lists_the_prefix_and_reads_every_part(
    clients: FakeClients, stubs: Stubs, s3: tuple[Any, Stubber]
) -> None:
    s3_client, s3_stub = s3
    arn = f"{DATASET}-export"
    stubs.personalize.add_response("create_dataset_export_job", {"datasetExportJobArn": arn})
    stubs.personalize.add_response("describe_dataset_export_job", _job("CREATE IN_PROGRESS"))
    stubs.personalize.add_response("describe_dataset_export_job", _job("ACTIVE"))
    prefix = "personalize-dashboard/exports/INTERACTIONS/"
    keys = [
        f"{prefix}snap/part-00000.csv",
        f"{prefix}snap/part-00001.csv",
        f"{prefix}snap/_SUCCESS",
    ]

    s3_stub.add_response(
        "list_objects_v2",
        {"Contents": [{"Key": k, "Size": 1} for k in keys], "IsTruncated": False},
    )
    parts = [b"USER_ID,ITEM_ID,TIMESTAMP\n1,a,10\n", b"USER_ID,ITEM_ID,TIMESTAMP\n2,b,20\n"]
    for key, data in zip(keys, parts, strict=False):
        s3_stub.add_response(
            "get_object", {"Body": _body(data)}, expected_params={"Bucket": "bkt", "Key": key}
        )
    snap = _aws_snapshots(clients, s3_client).take(DATASET, "BULK")
    assert snap.frame.to_dict("list") == {
        "USER_ID": ["1", "2"],
        "ITEM_ID": ["a", "b"],
        "TIMESTAMP": [10, 20],
    }
    assert snap.job_arn == arn
    assert snap.taken <= datetime.now(UTC)


def test_failed_export_raises_with_its_reason(
    clients: FakeClients, stubs: Stubs, s3: tuple[Any, Stubber]
) -> None:
    stubs.personalize.add_response(
        "create_dataset_export_job", {"datasetExportJobArn": f"{DATASET}-export"}
    )
    stubs.personalize.add_response(
        "describe_dataset_export_job", _job("CREATE FAILED", "Access denied to bucket")
    )
    with pytest.raises(ServiceError, match="Access denied to bucket"):
        _aws_snapshots(clients, s3[0]).take(DATASET, "ALL")


def test_export_request_carries_role_mode_and_path(
    clients: FakeClients, stubs: Stubs, s3: tuple[Any, Stubber]
) -> None:
    seen: dict[str, Any] = {}

    class Spy(PersonalizeService):
        def create_dataset_export_job(self, *args: Any) -> str:
            seen["args"] = args
            return super().create_dataset_export_job(*args)

    stubs.personalize.add_response(
        "create_dataset_export_job", {"datasetExportJobArn": f"{DATASET}-export"}
    )
    stubs.personalize.add_response("describe_dataset_export_job", _job("CREATE FAILED", "x"))
    where = location(Settings(backend="aws", export_bucket="bkt", role_arn=ROLE))
    snaps = DatasetSnapshots(Spy(clients), S3Objects(s3[0]), where, sleep=lambda _s: None)
    with pytest.raises(ServiceError):
        snaps.take(DATASET, "PUT")
    name, dataset, path, role, mode = seen["args"]
    assert (dataset, role, mode) == (DATASET, ROLE, "PUT")
    assert path == "s3://bkt/personalize-dashboard/exports/INTERACTIONS/"
    assert name.startswith("snap-put-") and len(name) <= 63


def test_unknown_mode_is_refused(tmp_path: Path) -> None:
    snaps = DatasetSnapshots(
        PersonalizeService(FakeClients(None, None, None)), LocalObjects(tmp_path), Location("r")
    )
    with pytest.raises(ValueError, match="mode"):
        snaps.take(DATASET, "SOME")


# --- batch previews ---------------------------------------------------------------------------


class FakeBatch:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def create_batch_inference_job(self, *args: Any, **kw: Any) -> str:
        self.calls.append((*args, kw))
        return "arn:batch"


def test_batch_preview_writes_users_and_reads_answers_in_order(tmp_path: Path) -> None:
    store = LocalObjects(tmp_path)
    fake = FakeBatch()
    preview = start_batch_preview(fake, store, Location(ROLE), "arn:v", ["u2", "u1", "gone"], 5)
    name, version, input_uri, output_uri, role, kw = fake.calls[0]
    assert (version, role, kw) == ("arn:v", ROLE, {"num_results": 5})
    written = store.get(input_uri).decode().splitlines()
    assert [json.loads(line) for line in written] == [
        {"userId": "u2"},
        {"userId": "u1"},
        {"userId": "gone"},
    ]
    assert preview.output_uri == f"{output_uri}users.json.out"
    answer = [
        {
            "input": {"userId": "u1"},
            "output": {"recommendedItems": ["a", "b"], "scores": [0.6, 0.4]},
        },
        {"input": {"userId": "u2"}, "output": None, "error": "boom"},
    ]
    store.put(preview.output_uri, "\n".join(json.dumps(a) for a in answer).encode())
    results = read_batch_preview(store, BatchPreview.from_dict(preview.to_dict()))
    assert [r.user_id for r in results] == ["u2", "u1", "gone"]
    assert results[0].error == "boom"
    assert results[1].items == ("a", "b") and results[1].scores == (0.6, 0.4)
    assert results[2].error == "not in the batch output"
