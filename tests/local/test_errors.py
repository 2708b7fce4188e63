"""Every error reaches boto3 with Personalize's code and HTTP status, in-process and over HTTP,
and bad input changes nothing: each case snapshots the engine's tables before and after."""

from __future__ import annotations

import csv
import http.client
import json
from collections.abc import Callable
from typing import Any

import pytest

from services.local.wire.protocol import dispatch, operation_model
from tests.local.refusals import REGION_ACCOUNT, TRANSPORTS, World, refused, snapshot
from tests.local.workspace import wait_for


def p(world: World) -> Any:
    return world.clients.personalize


CASES: list[tuple[str, str, Callable[[World], Any], str]] = [
    (
        "bad name",
        "ValidationException",
        lambda w: p(w).create_dataset_group(name="bad name!"),
        "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*",
    ),
    (
        "name too long",
        "ValidationException",
        lambda w: p(w).create_dataset_group(name="a" * 64),
        f"Value '{'a' * 64}' at 'name' failed to satisfy constraint: Member must have length "
        "less than or equal to 63",
    ),
    (
        "arn of wrong type",
        "ResourceNotFoundException",
        lambda w: p(w).describe_campaign(campaignArn=w.solution),
        "does not name a campaign",
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
        "ValidationException",
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
        "reserved keyword in upper case",
        "InvalidInputException",
        lambda w: w.clients.events.put_events(
            trackingId=w.tracking_id,
            sessionId="s",
            eventList=[
                {
                    "eventType": "view",
                    "itemId": "i1",
                    "sentAt": 1_700_000_000,
                    "properties": json.dumps({"USERID": "someone-else"}),
                }
            ],
        ),
        "'USERID' (a reserved keyword)",
    ),
    (
        "reserved keyword in mixed case",
        "InvalidInputException",
        lambda w: w.clients.events.put_events(
            trackingId=w.tracking_id,
            sessionId="s",
            eventList=[
                {
                    "eventType": "view",
                    "itemId": "i1",
                    "sentAt": 1_700_000_000,
                    "properties": json.dumps({"RecommendationId": "RID-1"}),
                }
            ],
        ),
        "'RecommendationId' (a reserved keyword)",
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
        "ResourceAlreadyExistsException",
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
        "ResourceAlreadyExistsException",
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
    # A NUL passes the model's S3Location pattern ``(s3|http|https)://.+`` but names no
    # object: InvalidInputException (it used to be a 500 from the file system).
    (
        "NUL in an import location",
        "InvalidInputException",
        lambda w: p(w).create_dataset_import_job(
            jobName="nul",
            datasetArn=w.ws["dataset"],
            dataSource={"dataLocation": "s3://bucket/shop/\x00interactions.csv"},
        ),
        "NUL character",
    ),
    (
        "NUL in an export location",
        "InvalidInputException",
        lambda w: p(w).create_dataset_export_job(
            jobName="nul",
            datasetArn=w.ws["dataset"],
            roleArn="arn:aws:iam::000000000000:role/local",
            jobOutput={"s3DataDestination": {"path": "s3://exports/\x00/"}},
        ),
        "NUL character",
    ),
    # CreateDatasetExportJobRequest (botocore): ingestionMode is the IngestionMode enum and
    # roleArn the RoleArn pattern; AWS answers a constraint failure ValidationException, 400.
    (
        "export ingestionMode outside BULK, PUT, ALL",
        "ValidationException",
        lambda w: p(w).create_dataset_export_job(
            jobName="bad-mode",
            datasetArn=w.ws["dataset"],
            ingestionMode="STREAM",
            roleArn="arn:aws:iam::000000000000:role/local",
            jobOutput={"s3DataDestination": {"path": "s3://exports/shop/"}},
        ),
        "Member must satisfy enum value set: [BULK, PUT, ALL]",
    ),
    (
        "export roleArn not a role",
        "ValidationException",
        lambda w: p(w).create_dataset_export_job(
            jobName="bad-role",
            datasetArn=w.ws["dataset"],
            roleArn="personalize-role",
            jobOutput={"s3DataDestination": {"path": "s3://exports/shop/"}},
        ),
        "at 'roleArn' failed to satisfy constraint",
    ),
    (
        "NUL in a batch input location",
        "InvalidInputException",
        lambda w: p(w).create_batch_inference_job(
            jobName="nul",
            solutionVersionArn=w.version,
            roleArn="arn:aws:iam::000000000000:role/local",
            jobInput={"s3DataSource": {"path": "s3://batch/in\x00/users.json"}},
            jobOutput={"s3DataDestination": {"path": "s3://batch/out/"}},
        ),
        "NUL character",
    ),
    # Dataset and field names are Avro names (ASCII); other letters and digits outside a
    # quoted value are refused by the filter parser (they used to fail an assert: a 500).
    *(
        (
            f"{what} in a filter",
            "InvalidInputException",
            lambda w, e=expression: p(w).create_filter(
                name="odd", datasetGroupArn=w.ws["group"], filterExpression=e
            ),
            f"unexpected character '{char}'",
        )
        for what, expression, char in (
            ("Hangul field name", 'EXCLUDE ItemID WHERE Interactions.이벤트 IN ("view")', "이"),
            ("accented letter", 'EXCLUDE ItemID WHERE Interactions.TYPÉ IN ("view")', "É"),
            ("non-ASCII digit", "EXCLUDE ItemID WHERE Interactions.EVENT_VALUE > ٣", "٣"),
        )
    ),
]


# Status per error: the control plane answers every modelled error with 400 (awsJson1.1
# client faults); runtime and events give ResourceNotFoundException 404 (botocore models).
RUNTIME_NOT_FOUND = {"recommendations from a missing campaign"}


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("case", "error", "call", "needle"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_and_changes_nothing(
    world: World, transport: str, case: str, error: str, call: Callable[[World], Any], needle: str
) -> None:
    w = world.over(transport)
    status = 404 if case in RUNTIME_NOT_FOUND else 400
    refused(w, error, lambda: call(w), needle, status)


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
        refused(
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


def _raw(world: World, transport: str, service: str, operation: str, params: dict) -> Any:
    """Send ``params`` as JSON, nulls included (boto3 refuses None client-side): through the
    in-process dispatch or over HTTP. Returns (status, decoded body)."""
    body = json.dumps(params).encode()
    if transport == "in-process":
        wire = dispatch(world.engine, service, operation, body)
        return wire.status, json.loads(wire.body or b"{}")
    op = operation_model(service, operation)
    if service == "personalize":
        path = "/"
        headers = {"Content-Type": "application/x-amz-json-1.1"}
        headers["X-Amz-Target"] = f"AmazonPersonalize.{operation}"
    else:
        path, headers = op.http["requestUri"], {"Content-Type": "application/json"}
    conn = http.client.HTTPConnection(world.endpoint.split("//", 1)[1], timeout=30)
    try:
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"{}")
    finally:
        conn.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_null_optional_members_are_absent(world: World, transport: str) -> None:
    """``"member": null`` answers as if the member were not sent (it used to reach handlers as
    None: HTTP 500 for numResults and campaignConfig)."""
    runtime = "personalize-runtime"
    ask = {"campaignArn": world.campaign, "userId": "u1"}
    status, plain = _raw(world, transport, runtime, "GetRecommendations", ask)
    assert status == 200, plain
    for nulls in ({"numResults": None}, {"filterArn": None, "filterValues": None}):
        status, got = _raw(world, transport, runtime, "GetRecommendations", {**ask, **nulls})
        assert status == 200, got
        assert [r["itemId"] for r in got["itemList"]] == [r["itemId"] for r in plain["itemList"]]
    assert len(plain["itemList"]) == 25  # Personalize's default numResults

    name = f"null-config-{transport}"
    create = {"name": name, "solutionVersionArn": world.version, "campaignConfig": None}
    status, made = _raw(world, transport, "personalize", "CreateCampaign", create)
    assert status == 200, made
    arn = made["campaignArn"]
    update = {"campaignArn": arn, "campaignConfig": None, "minProvisionedTPS": None}
    status, updated = _raw(world, transport, "personalize", "UpdateCampaign", update)
    assert status == 200, updated
    p(world).delete_campaign(campaignArn=arn)
    # A required member sent as null is still missing.
    status, refused_ = _raw(
        world, transport, runtime, "GetRecommendations", {"campaignArn": None, "userId": "u1"}
    )
    assert status == 400, refused_
    assert refused_["__type"] == "InvalidInputException", refused_


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_hangul_filter_values_work(world: World, transport: str) -> None:
    """Non-ASCII text inside a quoted value is data, as in Personalize: a Hangul event type
    no interaction has excludes nothing; "view" excludes every item the user viewed."""
    w = world.over(transport)
    group = w.ws["group"]
    arn = p(w).create_filter(
        name=f"hangul-{transport}",
        datasetGroupArn=group,
        filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("구매", $TYPES)',
    )["filterArn"]
    wait_for(lambda: p(w).describe_filter(filterArn=arn), "filter")
    ask = {"campaignArn": w.campaign, "userId": "u1", "numResults": 50}
    plain = w.clients.runtime.get_recommendations(**ask)["itemList"]
    kept = w.clients.runtime.get_recommendations(
        **ask, filterArn=arn, filterValues={"TYPES": '"상품"'}
    )["itemList"]
    assert [r["itemId"] for r in kept] == [r["itemId"] for r in plain]
    gone = w.clients.runtime.get_recommendations(
        **ask, filterArn=arn, filterValues={"TYPES": '"view"'}
    )["itemList"]
    with (w.data_dir / "s3" / "bucket" / "shop" / "interactions.csv").open() as fh:
        viewed = {row["ITEM_ID"] for row in csv.DictReader(fh) if row["USER_ID"] == "u1"}
    assert viewed & {r["itemId"] for r in plain}  # so the next check can fail
    assert not viewed & {r["itemId"] for r in gone}
    assert gone
    p(w).delete_filter(filterArn=arn)
