"""Batch segment jobs end to end through boto3: aws-item-affinity and aws-item-attribute-affinity
trained on the demo shop, JSON Lines in and out as the developer guide shows, and the refusals
of CreateBatchSegmentJob (API reference, Errors), in-process and over HTTP, each leaving the
stored state as it was.

Expectations come from the generated shop: a shopper's SEGMENT decides which categories they
browse (``services/demo/data.py``: only "outdoors" shoppers favour tents), so the users most
likely to want tents should be mostly outdoors shoppers, far above their one-in-six share.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from services.config import Settings
from services.local.engine import LocalEngine, get_engine, reset_engines
from services.personalize.clients import Clients, build_clients
from tests.local.demo_group import Shop, build_shop
from tests.local.refusals import TRANSPORTS, refused
from tests.local.server import EngineServer
from tests.local.workspace import train, wait_for

ROLE = "arn:aws:iam::000000000000:role/personalize"


@dataclass
class Segments:
    clients: Clients
    http: Clients
    engine: LocalEngine
    shop: Shop
    affinity: str  # ACTIVE aws-item-affinity version
    attributes: str  # ACTIVE aws-item-attribute-affinity version
    popularity: str  # ACTIVE aws-popularity-count version (not USER_SEGMENTATION)

    def over(self, transport: str) -> Segments:
        return dataclasses.replace(self, clients=self.http) if transport == "http" else self


@pytest.fixture(scope="module")
def seg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Segments]:
    data_dir = tmp_path_factory.mktemp("segments") / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    shop = build_shop(clients, data_dir)
    _, affinity = train(clients, shop.group, "affinity", "aws-item-affinity")
    _, attributes = train(clients, shop.group, "attributes", "aws-item-attribute-affinity")
    _, popularity = train(clients, shop.group, "pop", "aws-popularity-count")
    server = EngineServer(
        data_dir, PERSONALIZE_LOCAL_LIFECYCLE_SECONDS="0", PERSONALIZE_LOCAL_WORKER="thread"
    ).start()
    http = build_clients(Settings(endpoint_url=server.url, data_dir=data_dir))
    try:
        yield Segments(clients, http, get_engine(settings), shop, affinity, attributes, popularity)
    finally:
        server.stop()
        reset_engines()


def _run(seg: Segments, name: str, version: str, lines: list[dict], **extra: object) -> dict:
    """Write ``lines`` as the job's input, run the job to its end; its document."""
    folder = seg.shop.data_dir / "s3" / "bucket" / "segments" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "input.json").write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8"
    )
    p = seg.clients.personalize
    arn = p.create_batch_segment_job(
        jobName=name,
        solutionVersionArn=version,
        jobInput={"s3DataSource": {"path": f"s3://bucket/segments/{name}/input.json"}},
        jobOutput={"s3DataDestination": {"path": f"s3://bucket/segments/{name}/out/"}},
        roleArn=ROLE,
        **extra,
    )["batchSegmentJobArn"]
    return wait_for(lambda: p.describe_batch_segment_job(batchSegmentJobArn=arn), "batchSegmentJob")


def _output(seg: Segments, name: str) -> list[dict]:
    path = seg.shop.data_dir / "s3" / "bucket" / "segments" / name / "out" / "input.json.out"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def _segment_of(seg: Segments) -> dict[str, str]:
    users = seg.shop.data.users
    return dict(zip(users["USER_ID"], users["SEGMENT"], strict=True))


def test_item_affinity_segments(seg: Segments) -> None:
    tents = seg.shop.items.loc[seg.shop.items["CATEGORY"] == "텐트", "ITEM_ID"]
    clicked = seg.shop.data.interactions
    popular_tent = clicked.loc[clicked["ITEM_ID"].isin(tents), "ITEM_ID"].value_counts().index[0]
    doc = _run(
        seg,
        "affinity",
        seg.affinity,
        [{"itemId": popular_tent}, {"itemId": "no-such-item"}],
        numResults=40,
    )
    assert doc["status"] == "ACTIVE", doc.get("failureReason")
    assert doc["numResults"] == 40 and doc["solutionVersionArn"] == seg.affinity
    first, unknown = _output(seg, "affinity")
    assert first["input"] == {"itemId": popular_tent} and first["error"] is None
    users = first["output"]["recommendedUsers"]
    assert len(users) == len(set(users)) == 40
    segment = _segment_of(seg)
    assert sum(segment[u] == "outdoors" for u in users) / 40 >= 0.6  # base rate ~1/6
    # its 47 shoppers (of 300) are the likeliest to come back to it: most of the 40 are them
    buyers = set(clicked.loc[clicked["ITEM_ID"] == popular_tent, "USER_ID"])
    assert len(buyers & set(users)) >= 30, len(buyers & set(users))
    assert unknown == {
        "input": {"itemId": "no-such-item"},
        "output": None,
        "error": unknown["error"],
    }
    assert "no-such-item" in unknown["error"]
    metrics = seg.clients.personalize.get_solution_metrics(solutionVersionArn=seg.affinity)
    assert set(metrics["metrics"]) == {"hits_at_1_percent", "recall_at_1_percent"}
    assert 0 < metrics["metrics"]["recall_at_1_percent"] <= 1


def test_item_attribute_affinity_segments_and_a_user_filter(seg: Segments) -> None:
    p = seg.clients.personalize
    query = 'ITEMS.CATEGORY = "텐트"'
    both = 'ITEMS.CATEGORY = "텐트" AND ITEMS.CATEGORY = "장난감"'  # no item is both
    doc = _run(
        seg,
        "attributes",
        seg.attributes,
        [{"itemAttributes": query}, {"itemAttributes": both}, {"itemAttributes": "tents"}],
    )
    assert doc["status"] == "ACTIVE", doc.get("failureReason")
    tents, none, malformed = _output(seg, "attributes")
    assert tents["itemAttributes"] == query and "input" not in tents and tents["error"] is None
    users = tents["output"]["recommendedUsers"]
    assert len(users) == 25  # the default numResults
    segment = _segment_of(seg)
    assert sum(segment[u] == "outdoors" for u in users) / 25 >= 0.6
    assert none["output"] is None and "no item" in none["error"].lower()
    assert malformed["output"] is None and "ITEMS.FIELD" in malformed["error"]

    group = seg.shop.group
    f = p.create_filter(
        name="not-outdoors",
        datasetGroupArn=group,
        filterExpression='EXCLUDE UserID WHERE Users.SEGMENT IN ("outdoors")',
    )["filterArn"]
    wait_for(lambda: p.describe_filter(filterArn=f), "filter")
    bad_values = {"itemAttributes": query, "filterValues": [1]}
    doc = _run(
        seg, "filtered", seg.attributes, [{"itemAttributes": query}, bad_values], filterArn=f
    )
    assert doc["status"] == "ACTIVE" and doc["filterArn"] == f
    line, bad = _output(seg, "filtered")
    assert bad["output"] is None and "filterValues" in bad["error"]
    users = line["output"]["recommendedUsers"]
    assert len(users) == 25 and not any(segment[u] == "outdoors" for u in users)

    listed = p.list_batch_segment_jobs(solutionVersionArn=seg.attributes)["batchSegmentJobs"]
    assert [j["jobName"] for j in listed] == ["filtered", "attributes"]  # newest first
    assert all(j["status"] == "ACTIVE" for j in listed)


def test_a_line_that_is_not_json_fails_the_job(seg: Segments) -> None:
    folder = seg.shop.data_dir / "s3" / "bucket" / "segments" / "broken"
    folder.mkdir(parents=True)
    (folder / "input.json").write_text('{"itemId": "item-0001"}\nnot json\n', encoding="utf-8")
    p = seg.clients.personalize
    arn = p.create_batch_segment_job(
        jobName="broken",
        solutionVersionArn=seg.affinity,
        jobInput={"s3DataSource": {"path": "s3://bucket/segments/broken/input.json"}},
        jobOutput={"s3DataDestination": {"path": "s3://bucket/segments/broken/out/"}},
        roleArn=ROLE,
    )["batchSegmentJobArn"]
    doc = wait_for(lambda: p.describe_batch_segment_job(batchSegmentJobArn=arn), "batchSegmentJob")
    assert doc["status"] == "CREATE FAILED" and "line 2" in doc["failureReason"]
    assert not (folder / "out").exists()


def _job(seg: Segments, version: str, **extra: object) -> dict:
    folder = seg.shop.data_dir / "s3" / "bucket" / "segments" / "refused"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "input.json").write_text('{"itemId": "item-0001"}\n', encoding="utf-8")
    return {
        "jobName": "refused",
        "solutionVersionArn": version,
        "jobInput": {"s3DataSource": {"path": "s3://bucket/segments/refused/input.json"}},
        "jobOutput": {"s3DataDestination": {"path": "s3://bucket/segments/refused/out/"}},
        "roleArn": ROLE,
        **extra,
    }


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_create_batch_segment_job_refusals(seg: Segments, transport: str) -> None:
    world = seg.over(transport)
    p = world.clients.personalize
    item_filter = seg.clients.personalize.create_filter(
        name=f"items-{transport}",
        datasetGroupArn=seg.shop.group,
        filterExpression='EXCLUDE ItemID WHERE Items.CATEGORY IN ("텐트")',
    )["filterArn"]
    cases = [
        ("InvalidInputException", _job(seg, seg.popularity), "USER_SEGMENTATION"),
        ("InvalidInputException", _job(seg, seg.affinity, numResults=0), "numResults"),
        ("InvalidInputException", _job(seg, seg.affinity, numResults=5_000_001), "numResults"),
        ("InvalidInputException", _job(seg, seg.affinity, filterArn=item_filter), "UserID"),
        (
            "InvalidInputException",
            {**_job(seg, seg.affinity), "jobInput": {"s3DataSource": {"path": "s3://bucket/x"}}},
            "s3://bucket/x",
        ),
        (
            "ResourceNotFoundException",
            _job(seg, seg.affinity.rsplit("/", 1)[0] + "/00000000"),
            "solution",
        ),
    ]
    for code, params, needle in cases:
        refused(world, code, lambda params=params: p.create_batch_segment_job(**params), needle)  # type: ignore[arg-type]
    # a USER_SEGMENTATION version is no campaign's and no batch inference job's
    refused(
        world,
        "InvalidInputException",
        lambda: p.create_campaign(name="seg", solutionVersionArn=seg.affinity),
        "batch segment",
    )
    inference = {k: v for k, v in _job(seg, seg.affinity).items() if k != "numResults"}
    refused(
        world,
        "InvalidInputException",
        lambda: p.create_batch_inference_job(**inference),
        "batch segment job",
    )
    refused(
        world,
        "ResourceNotFoundException",
        lambda: p.describe_batch_segment_job(
            batchSegmentJobArn=seg.affinity.split(":solution/")[0] + ":batch-segment-job/nope"
        ),
        "nope",
    )
