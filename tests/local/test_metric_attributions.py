"""Metric attributions through boto3: CRUD, errors, and the report the engine writes to the
mapped S3 folder, checked against totals worked out by hand."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from services.config import Settings
from services.personalize.clients import Clients
from tests.local.workspace import create_group, train, wait_for

ROLE = "arn:aws:iam::000000000000:role/personalize"
OUTPUT = {"roleArn": ROLE, "s3DataDestination": {"path": "s3://bucket/attribution/"}}
CLICKS = {"eventType": "click", "metricName": "clicks", "expression": "SAMPLECOUNT()"}
REVENUE = {"eventType": "purchase", "metricName": "revenue", "expression": "SUM(Items.PRICE)"}


def _price(item: str) -> float:
    return 5 + int(item[1:]) % 20  # tests.local.workspace.write_items


def test_attributed_clicks_and_revenue_per_campaign_and_version(
    clients: Clients, settings: Settings
) -> None:
    p, rt, ev = clients.personalize, clients.runtime, clients.events
    ws = create_group(clients, settings.data_dir, with_items=True)
    _, version = train(clients, ws["group"], "up", "aws-user-personalization")
    campaign = p.create_campaign(name="c", solutionVersionArn=version)["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=campaign), "campaign")
    tracker = p.create_event_tracker(name="t", datasetGroupArn=ws["group"])["trackingId"]
    attribution = p.create_metric_attribution(
        name="shop-metrics",
        datasetGroupArn=ws["group"],
        metrics=[CLICKS, REVENUE],
        metricsOutputConfig=OUTPUT,
    )["metricAttributionArn"]
    wait_for(
        lambda: p.describe_metric_attribution(metricAttributionArn=attribution),
        "metricAttribution",
    )
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
    for n, (user, item, kind, rid) in enumerate(events):
        event = {"eventType": kind, "itemId": item, "sentAt": now}
        if rid:
            event["recommendationId"] = rid
        ev.put_events(trackingId=tracker, userId=user, sessionId=f"s{n}", eventList=[event])

    p.describe_metric_attribution(metricAttributionArn=attribution)  # publishes the report
    folder = settings.data_dir / "s3" / "bucket" / "attribution" / "shop-metrics"
    report = pd.read_csv(folder / "attributed-metrics.csv", keep_default_na=False)
    got = {(r.source, r.metricName): r.value for r in report.itertuples()}
    assert got == {
        (campaign, "clicks"): 2.0,
        (campaign, "revenue"): _price(a) + _price(b),
        ("SOURCE_NAME_UNDEFINED", "clicks"): 1.0,
    }
    assert set(report.loc[report["source"] == campaign, "solutionVersionArn"]) == {version}
    shown = pd.read_csv(folder / "impressions.csv")
    assert shown["impressions"].sum() == 15  # 10 + 5 items shown


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
