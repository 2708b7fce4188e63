"""Service-model constraints: ValidationException with AWS's text, HTTP 400, nothing changed.

Each request goes through boto3 in-process and over HTTP (the same world, tests/local/
refusals.py). The expected texts are written out by hand from AWS's format ("1 validation
error detected: Value '…' at '…' failed to satisfy constraint: …"; several counted and joined
with "; ") and the constraints in botocore's personalize models. Requests boto3 itself refuses
(a missing required member, a wrong type) are sent as raw HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.local.refusals import TRANSPORTS, World, post_raw, refused, snapshot

NAME_PATTERN = r"^[a-zA-Z0-9][a-zA-Z0-9\-_]*"
DOMAIN_ENUM = "Member must satisfy enum value set: [ECOMMERCE, VIDEO_ON_DEMAND]"
ONE = "1 validation error detected: "

CASES: list[tuple[str, Callable[[World], Any], str]] = [
    (
        "enum",
        lambda w: w.clients.personalize.create_dataset_group(name="g-enum", domain="GROCERY"),
        ONE + f"Value 'GROCERY' at 'domain' failed to satisfy constraint: {DOMAIN_ENUM}",
    ),
    (
        "range",
        lambda w: w.clients.personalize.list_dataset_groups(maxResults=101),
        ONE + "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value "
        "less than or equal to 100",
    ),
    (
        "length",
        lambda w: w.clients.personalize.create_schema(name="s" * 64, schema="{}"),
        ONE + f"Value '{'s' * 64}' at 'name' failed to satisfy constraint: Member must have "
        "length less than or equal to 63",
    ),
    (
        "two violations counted and joined",
        lambda w: w.clients.personalize.create_dataset_group(name="bad name!", domain="GROCERY"),
        "2 validation errors detected: Value 'bad name!' at 'name' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {NAME_PATTERN}; Value 'GROCERY' at "
        f"'domain' failed to satisfy constraint: {DOMAIN_ENUM}",
    ),
    (
        "structure in a list, sensitive value left out",
        lambda w: w.clients.personalize.create_dataset_group(
            name="g-tags",
            tags=[{"tagKey": "team", "tagValue": "x"}, {"tagKey": "a#b", "tagValue": "y"}],
        ),
        ONE + "Value at 'tags.2.member.tagKey' failed to satisfy constraint: Member must satisfy "
        r"regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$",
    ),
    (
        "list of strings reported once",
        lambda w: w.clients.runtime.get_personalized_ranking(
            campaignArn=w.campaign, userId="u1", inputList=["i1", "x" * 257]
        ),
        ONE + f"Value '[i1, {'x' * 257}]' at 'inputList' failed to satisfy constraint: Member "
        "must satisfy constraint: [Member must have length less than or equal to 256]",
    ),
    (
        "map value, sensitive",
        lambda w: w.clients.runtime.get_recommendations(
            campaignArn=w.campaign, userId="u1", filterValues={"GENRE": "x" * 1001}
        ),
        ONE + "Value at 'filterValues' failed to satisfy constraint: Map value must satisfy "
        "constraint: [Member must have length less than or equal to 1000]",
    ),
    (
        "local path as dataLocation",
        lambda w: w.clients.personalize.create_dataset_import_job(
            jobName="j-local",
            datasetArn=w.ws["dataset"],
            dataSource={"dataLocation": str(w.data_dir / "s3" / "bucket" / "x.csv")},
        ),
        "at 'dataSource.dataLocation' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: (s3|http|https)://.+",
    ),
]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("case", "call", "message"), CASES, ids=[c[0] for c in CASES])
def test_model_constraints_answer_validation_exception(
    world: World, transport: str, case: str, call: Callable[[World], Any], message: str
) -> None:
    w = world.over(transport)
    got = refused(w, "ValidationException", lambda: call(w), message)
    assert got.startswith(("1 validation error detected: ", "2 validation errors detected: "))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_http_location_is_invalid_input(world: World, transport: str) -> None:
    w = world.over(transport)
    refused(
        w,
        "InvalidInputException",
        lambda: w.clients.personalize.create_dataset_import_job(
            jobName="j-http",
            datasetArn=w.ws["dataset"],
            dataSource={"dataLocation": "https://example.com/x.csv"},
        ),
        "must be an s3://BUCKET/KEY location",
    )


def test_unimplemented_operation_is_named_not_crashed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operation botocore models that the engine's table lacks answers
    UnsupportedOperationException naming it (the engine implements all 79 today, so one is
    taken out of this engine's table for the test; the HTTP server dispatches the same way)."""
    table = {
        k: v
        for k, v in world.engine.operations.items()
        if k[1] not in ("ListBatchSegmentJobs", "PutActions")
    }
    monkeypatch.setattr(world.engine, "operations", table)
    refused(
        world,
        "UnsupportedOperationException",
        lambda: world.clients.personalize.list_batch_segment_jobs(),
        "ListBatchSegmentJobs is not available in the local engine",
    )
    refused(
        world,
        "UnsupportedOperationException",
        lambda: world.clients.events.put_actions(
            datasetArn=world.ws["dataset"], actions=[{"actionId": "a1"}]
        ),
        "PutActions is not available in the local engine",
    )


def _post_control(world: World, target: str, body: bytes) -> tuple[int, dict[str, Any]]:
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": f"AmazonPersonalize.{target}",
    }
    return post_raw(world, "", body, headers)


RAW: list[tuple[str, str, dict[str, Any], int, str, str]] = [
    (
        "required member missing",
        "CreateSchema",
        {"schema": "{}"},
        400,
        "ValidationException",
        ONE + "Value null at 'name' failed to satisfy constraint: Member must not be null",
    ),
    (
        "two required members missing",
        "CreateDatasetImportJob",
        {"jobName": "j-raw"},
        400,
        "ValidationException",
        "2 validation errors detected: Value null at 'datasetArn' failed to satisfy constraint: "
        "Member must not be null; Value null at 'dataSource' failed to satisfy constraint: "
        "Member must not be null",
    ),
    (
        "wrong JSON type",
        "ListDatasetGroups",
        {"maxResults": "ten"},
        400,
        "SerializationException",
        "maxResults",
    ),
    ("no such operation", "FlyToTheMoon", {}, 400, "UnknownOperationException", "FlyToTheMoon"),
]


@pytest.mark.parametrize(
    ("case", "target", "body", "status", "code", "message"), RAW, ids=[r[0] for r in RAW]
)
def test_raw_requests_boto3_would_refuse(
    world: World,
    case: str,
    target: str,
    body: dict[str, Any],
    status: int,
    code: str,
    message: str,
) -> None:
    before = snapshot(world.engine)
    got_status, payload = _post_control(world, target, json.dumps(body).encode())
    assert (got_status, payload["__type"]) == (status, code), payload
    assert message in payload["message"], payload["message"]
    assert snapshot(world.engine) == before
