"""Metric attributions through boto3: CRUD, errors, and what the engine reports where AWS
does (PutEvents figures for the CloudWatch reader, a CSV in the S3 path per import job that
asks for one), checked against totals worked out by hand."""

from __future__ import annotations

import re
import time
from typing import Any

import pandas as pd
import pytest

from services.config import Settings
from services.local.engine import get_engine
from services.local.rules.attribution import REPORT_COLUMNS
from services.local.runtime.attribution_report import putevents_metrics
from services.personalize.clients import Clients
from tests.local.workspace import create_group, import_file, send_events, train, wait_for

ROLE = "arn:aws:iam::000000000000:role/personalize"
OUTPUT = {"roleArn": ROLE, "s3DataDestination": {"path": "s3://bucket/attribution/"}}
CLICKS = {"eventType": "click", "metricName": "clicks", "expression": "SAMPLECOUNT()"}
REVENUE = {"eventType": "purchase", "metricName": "revenue", "expression": "SUM(Items.PRICE)"}


def _price(item: str) -> float:
    return 5 + int(item[1:]) % 20  # tests.local.workspace.write_items


def _attribution(p: Any, group: str, name: str, metrics: list[dict[str, str]]) -> str:
    """Create a metric attribution reporting to ``OUTPUT`` and wait until it is ACTIVE."""
    arn = p.create_metric_attribution(
        name=name, datasetGroupArn=group, metrics=metrics, metricsOutputConfig=OUTPUT
    )["metricAttributionArn"]
    wait_for(lambda: p.describe_metric_attribution(metricAttributionArn=arn), "metricAttribution")
    return arn


def test_attributed_clicks_and_revenue_per_campaign_and_version(
    clients: Clients, settings: Settings
) -> None:
    p, rt = clients.personalize, clients.runtime
    ws = create_group(clients, settings.data_dir, with_items=True)
    _, version = train(clients, ws["group"], "up", "aws-user-personalization")
    campaign = p.create_campaign(name="c", solutionVersionArn=version)["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=campaign), "campaign")
    tracker = p.create_event_tracker(name="t", datasetGroupArn=ws["group"])["trackingId"]
    attribution = _attribution(p, ws["group"], "shop-metrics", [CLICKS, REVENUE])
    first = rt.get_recommendations(campaignArn=campaign, userId="u1", numResults=10)
    second = rt.get_recommendations(campaignArn=campaign, userId="u2", numResults=5)
    a, b = first["itemList"][0]["itemId"], first["itemList"][1]["itemId"]
    c = second["itemList"][0]["itemId"]
    now = int(time.time())
    events = [
        ("u1", a, "click", first["recommendationId"]),
        ("u1", a, "purchase", first["recommendationId"]),
        ("u1", b, "purchase", first["recommendationId"]),
        ("u2", c, "click", second["recommendationId"]),
        ("u3", "i7", "click", None),
    ]
    send_events(clients, tracker, events, now)

    doc = p.describe_metric_attribution(metricAttributionArn=attribution)["metricAttribution"]
    # DescribeMetricAttribution writes nothing to S3: AWS puts PutEvents figures in CloudWatch
    assert not (settings.data_dir / "s3" / "bucket" / "attribution").exists()
    engine = get_engine(settings)
    with engine.reading() as res:
        stored = res.get(doc["metricAttributionArn"], "metric-attribution")
    report = putevents_metrics(engine, stored)
    got = {(r.EVENT_ATTRIBUTION_SOURCE, r.METRIC_NAME): r.VALUE for r in report.itertuples()}
    assert got == {
        (campaign, "clicks"): 2.0,
        (campaign, "revenue"): _price(a) + _price(b),
        ("SOURCE_NAME_UNDEFINED", "clicks"): 1.0,
    }
    assert set(report["TIMESTAMP"]) == {now // 900 * 900}  # one 15-minute period
    assert set(report["MATH_FUNCTION"]) == {"samplecount", "sum"}


def test_an_import_job_that_asks_publishes_its_report_to_s3_in_aws_layout(
    clients: Clients, settings: Settings
) -> None:
    p = clients.personalize
    ws = create_group(clients, settings.data_dir, with_items=True)
    views = {"eventType": "view", "metricName": "views", "expression": "SAMPLECOUNT()"}
    worth = {"eventType": "view", "metricName": "viewed_worth", "expression": "SUM(Items.PRICE)"}
    _attribution(p, ws["group"], "bulk-metrics", [views, worth])
    folder = settings.data_dir / "s3" / "bucket" / "attribution"
    location = "s3://bucket/shop/interactions.csv"
    import_file(clients, ws["dataset"], "no-report", location)  # not asked: no file
    assert not folder.exists()
    job = p.create_dataset_import_job(
        jobName="with-report",
        datasetArn=ws["dataset"],
        dataSource={"dataLocation": location},
        roleArn=ROLE,
        importMode="INCREMENTAL",
        publishAttributionMetricsToS3=True,
    )["datasetImportJobArn"]
    done = wait_for(
        lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
    )
    assert done["status"] == "ACTIVE", done.get("failureReason")
    (path,) = folder.iterdir()
    assert re.fullmatch(r"AggregatedAttributionMetrics-INCREMENTAL-\d+\.csv", path.name)
    report = pd.read_csv(path, keep_default_na=False)
    assert tuple(report.columns) == REPORT_COLUMNS  # AWS's header (tests/local/test_attribution.py)
    # the file's 1,800 views (60 users × 30), none from a recommendation
    assert set(report["EVENT_ATTRIBUTION_SOURCE"]) == {"SOURCE_NAME_UNDEFINED"}
    counted = report.loc[report["METRIC_NAME"] == "views", "VALUE"].sum()
    assert counted == 1_800
    rows = pd.read_csv(settings.data_dir / "s3" / "bucket" / "shop" / "interactions.csv")
    worth_by_hand = sum(_price(item) for item in rows["ITEM_ID"])
    assert report.loc[report["METRIC_NAME"] == "viewed_worth", "VALUE"].sum() == worth_by_hand
    assert (report["TIMESTAMP"] % 900 == 0).all()


def test_crud_and_errors(clients: Clients, settings: Settings) -> None:
    p = clients.personalize
    ws = create_group(clients, settings.data_dir, with_items=True)
    with pytest.raises(p.exceptions.InvalidInputException, match="no numeric column CATEGORY"):
        p.create_metric_attribution(
            name="m",
            datasetGroupArn=ws["group"],
            metrics=[{"eventType": "x", "metricName": "c", "expression": "SUM(Items.CATEGORY)"}],
            metricsOutputConfig=OUTPUT,
        )
    with pytest.raises(p.exceptions.InvalidInputException, match="SAMPLECOUNT"):
        p.create_metric_attribution(
            name="m",
            datasetGroupArn=ws["group"],
            metrics=[{"eventType": "x", "metricName": "c", "expression": "COUNT(*)"}],
            metricsOutputConfig=OUTPUT,
        )
    for path, needle in (("s3://bucket/\x00/", "NUL character"), ("https://x/y", "s3://")):
        bad = {"roleArn": ROLE, "s3DataDestination": {"path": path}}
        with pytest.raises(p.exceptions.InvalidInputException, match=needle):
            p.create_metric_attribution(
                name="m", datasetGroupArn=ws["group"], metrics=[CLICKS], metricsOutputConfig=bad
            )
    arn = p.create_metric_attribution(
        name="m", datasetGroupArn=ws["group"], metrics=[CLICKS], metricsOutputConfig=OUTPUT
    )["metricAttributionArn"]
    bad = {"roleArn": ROLE, "s3DataDestination": {"path": "s3://bucket/\x00/"}}
    with pytest.raises(p.exceptions.InvalidInputException, match="NUL character"):
        p.update_metric_attribution(metricAttributionArn=arn, metricsOutputConfig=bad)
    with pytest.raises(p.exceptions.LimitExceededException):
        p.create_metric_attribution(
            name="m2", datasetGroupArn=ws["group"], metrics=[CLICKS], metricsOutputConfig=OUTPUT
        )
    with pytest.raises(p.exceptions.ResourceAlreadyExistsException):
        p.update_metric_attribution(metricAttributionArn=arn, addMetrics=[CLICKS])
    with pytest.raises(p.exceptions.InvalidInputException, match="no metric nope"):
        p.update_metric_attribution(metricAttributionArn=arn, removeMetrics=["nope"])
    p.update_metric_attribution(
        metricAttributionArn=arn, addMetrics=[REVENUE], removeMetrics=["clicks"]
    )
    metrics = p.list_metric_attribution_metrics(metricAttributionArn=arn)["metrics"]
    assert metrics == [REVENUE]
    listed = p.list_metric_attributions(datasetGroupArn=ws["group"])["metricAttributions"]
    assert [m["name"] for m in listed] == ["m"]
    doc = p.describe_metric_attribution(metricAttributionArn=arn)["metricAttribution"]
    assert doc["metricsOutputConfig"] == OUTPUT and doc["status"] == "ACTIVE"
    with pytest.raises(p.exceptions.ResourceInUseException, match="metric attribution"):
        p.delete_dataset_group(datasetGroupArn=ws["group"])
    p.delete_metric_attribution(metricAttributionArn=arn)
    with pytest.raises(p.exceptions.ResourceNotFoundException):
        p.describe_metric_attribution(metricAttributionArn=arn)


def test_an_events_own_attribution_source_is_its_source(
    clients: Clients, settings: Settings
) -> None:
    """PutEvents' ``metricAttribution.eventAttributionSource`` names the source of its event
    (AWS, "Event metrics and attribution reports"); the engine keeps it with the event's other
    columns and reads only it back, so the report must still see it. By hand: 2 clicks from
    "partner-mail", 1 with no source and no recommendation."""
    p = clients.personalize
    ws = create_group(clients, settings.data_dir)
    tracker = p.create_event_tracker(name="t", datasetGroupArn=ws["group"])["trackingId"]
    attribution = _attribution(p, ws["group"], "sources", [CLICKS])
    now = int(time.time())
    for n, source in enumerate(("partner-mail", "partner-mail", None)):
        event: dict[str, Any] = {"eventType": "click", "itemId": f"i{n}", "sentAt": now}
        if source:
            event["metricAttribution"] = {"eventAttributionSource": source}
        clients.events.put_events(
            trackingId=tracker, userId=f"u{n}", sessionId=f"s{n}", eventList=[event]
        )
    engine = get_engine(settings)
    with engine.reading() as res:
        stored = res.get(attribution, "metric-attribution")
    report = putevents_metrics(engine, stored)
    got = {(r.EVENT_ATTRIBUTION_SOURCE, r.METRIC_NAME): r.VALUE for r in report.itertuples()}
    assert got == {("partner-mail", "clicks"): 2.0, ("SOURCE_NAME_UNDEFINED", "clicks"): 1.0}
