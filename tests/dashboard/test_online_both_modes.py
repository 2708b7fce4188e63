"""Offline vs online shows the same numbers for the same events on the local engine (the
Solutions page, reading the engine) and on AWS (the same section drawn from botocore Stubber
answers of CloudWatch and S3 that carry those events' figures).

The events, by hand: two lists from the popular-items campaign; on the first the shopper clicks
item a and buys a, on the second buys b; another shopper clicks i7 with no recommendation ID.
Metric attribution: clicks = SAMPLECOUNT() of click, revenue = SUM(Items.PRICE) of purchase.
So the campaign earned 1 click and price(a) + price(b) won; events without a recommendation
ID earned 1 click. The campaigns' request counts are the engine's (the test's two lists plus
the lists the Overview's data checks ask for, as they would on AWS), answered to the AWS side
as CloudWatch's GetRecommendations sums.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.costs.cloudwatch import CloudWatchRequests
from services.datasets.local_engine.requests import EngineRequests
from services.datasets.snapshot import S3Objects
from services.evaluation.online_cloudwatch import CloudWatchAttribution
from services.evaluation.online_metrics import (
    ONLINE_DAYS,
    OnlineView,
    deployed,
    online_report,
    window_now,
)
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from tests.aws.conftest import AwsStubs
from tests.aws.test_online_calls import queue_online_answers, queue_request_counts
from tests.dashboard.conftest import Seeded, app_at
from tests.local.workspace import send_events

ROLE = "arn:aws:iam::000000000000:role/personalize"
METRICS = [
    {"eventType": "click", "metricName": "clicks", "expression": "SAMPLECOUNT()"},
    {"eventType": "purchase", "metricName": "revenue", "expression": "SUM(Items.PRICE)"},
]
UNDEFINED = "SOURCE_NAME_UNDEFINED"


def _price(item: str) -> int:
    return 5 + int(item[1:]) % 20  # tests.local.workspace.write_items, in won


def _send_the_events(seeded: Seeded) -> tuple[str, int]:
    """The events above; returns (the attribution's ARN, price(a) + price(b))."""
    clients = build_clients(Settings.from_env())
    p, rt = clients.personalize, clients.runtime
    arn = p.create_metric_attribution(
        name="shop-metrics",
        datasetGroupArn=seeded.group,
        metrics=METRICS,
        metricsOutputConfig={
            "roleArn": ROLE,
            "s3DataDestination": {"path": "s3://bucket/personalize-dashboard/attribution/"},
        },
    )["metricAttributionArn"]
    while (
        p.describe_metric_attribution(metricAttributionArn=arn)["metricAttribution"]["status"]
        != "ACTIVE"
    ):
        time.sleep(0.05)
    first = rt.get_recommendations(campaignArn=seeded.pop_campaign, userId="u1", numResults=5)
    second = rt.get_recommendations(campaignArn=seeded.pop_campaign, userId="u2", numResults=5)
    a, b = first["itemList"][0]["itemId"], second["itemList"][1]["itemId"]
    now = int(time.time())
    sent = [
        ("u1", a, "click", first["recommendationId"]),
        ("u1", a, "purchase", first["recommendationId"]),
        ("u2", b, "purchase", second["recommendationId"]),
        ("u3", "i7", "click", None),
    ]
    send_events(clients, seeded.tracking_id, sent, now, session_prefix="o")
    return arn, _price(a) + _price(b)


def _draw() -> None:
    import streamlit as st

    from dashboard.components.solutions.online_metrics import show_offline_vs_online

    show_offline_vs_online(st.session_state["view"], st.session_state["versions"])


def _online_frame(at: AppTest) -> pd.DataFrame:
    assert not at.exception, [e.value for e in at.exception]
    (frame,) = [d.value for d in at.dataframe if "recommendation requests" in d.value.columns]
    return frame.reset_index(drop=True)


def _aws_view(
    facade: PersonalizeService, attribution_arn: str, revenue: int, seeded: Seeded
) -> tuple[OnlineView, dict]:
    """The section's input as AWS mode reads it, from Stubber answers with those figures."""
    attribution = facade.describe_metric_attribution(attribution_arn)
    metrics = facade.list_metric_attribution_metrics(attribution_arn)
    group = [c for c in facade.list_campaigns() if c.arn.startswith(seeded.group.rsplit(":", 1)[0])]
    campaigns = [facade.describe_campaign(c.arn) for c in group]
    serving, offline = deployed(campaigns, [])
    end = window_now()
    start = end - timedelta(days=ONLINE_DAYS)
    period = end - timedelta(minutes=15)
    aws = AwsStubs()
    counted = EngineRequests(Settings.from_env()).requests(list(serving), start, end)
    queue_request_counts(aws, list(serving), counted, start, end)
    queue_online_answers(
        aws,
        attribution,
        {
            "clicks": {seeded.pop_campaign: [(period, 1.0)], UNDEFINED: [(period, 1.0)]},
            "revenue": {seeded.pop_campaign: [(period, float(revenue))]},
        },
        start,
        end,
    )
    series = CloudWatchRequests(aws.client("cloudwatch")).requests(list(serving), start, end)
    report = online_report(
        attribution,
        metrics,
        CloudWatchAttribution(aws.client("cloudwatch")),
        S3Objects(aws.client("s3")),
        start,
        end,
        {arn: sum(n for _, n in s) for arn, s in series.items()},
    )
    aws.close()
    versions = {
        c.solution_version_arn: facade.get_solution_metrics(c.solution_version_arn)
        for c in campaigns
        if c.solution_version_arn
    }
    return OnlineView(report, serving, offline), versions


def test_the_same_events_show_the_same_numbers_locally_and_on_aws(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    attribution_arn, revenue = _send_the_events(seeded)
    local = _online_frame(app_at("dashboard/pages/solutions.py"))
    view, versions = _aws_view(facade, attribution_arn, revenue, seeded)
    at = AppTest.from_function(_draw, default_timeout=30)
    at.session_state["view"] = view
    at.session_state["versions"] = versions
    aws = _online_frame(at.run())
    pd.testing.assert_frame_equal(local, aws)
    # and those numbers are the hand-counted ones
    rows = local.set_index("served by")
    pop = rows.loc["shop-pop-campaign"]
    requests = int(pop["recommendation requests"].replace(",", ""))  # shown as "1,221"
    assert pop["clicks"] == "1" and requests >= 2  # the test's two lists at least
    assert pop["revenue"] == f"₩{revenue}"  # KRW: the won sign, no decimals
    assert float(pop["clicks per request"]) == pytest.approx(1 / requests, abs=5e-5)
    assert pop["revenue per request"] == f"₩{revenue / requests:,.0f}"
    assert rows.loc["events without a recommendation ID", "clicks"] == "1"
    assert pop["version serving now"] == f"shop-pop/{seeded.pop_version.rsplit('/', 1)[-1]}"
    assert datetime.now(UTC) < view.report.end + timedelta(minutes=15)


def _revenue(at: AppTest) -> int:
    cell = _online_frame(at).set_index("served by").loc["shop-pop-campaign", "revenue"]
    return int(cell.replace("₩", "").replace(",", ""))


def test_a_new_purchase_and_a_new_price_reach_the_report_after_a_refresh(seeded: Seeded) -> None:
    """The engine's attribution figures are kept between runs under its data version
    (``dashboard.reads.online``); the page's Refresh (as the report's 30 s expiry does) shows
    a purchase sent since and a price changed since. By hand: revenue is SUM(Items.PRICE) of
    the purchases credited to the campaign: a and b, then c too, then with a's PRICE set to
    100 by PutItems (the popularity campaign's first item for u1 is a, for every ask)."""
    _arn, revenue = _send_the_events(seeded)
    clients = build_clients(Settings.from_env())
    at = app_at("dashboard/pages/solutions.py")
    assert _revenue(at) == revenue
    third = clients.runtime.get_recommendations(
        campaignArn=seeded.pop_campaign, userId="u4", numResults=5
    )
    c = third["itemList"][0]["itemId"]
    sent = [("u4", c, "purchase", third["recommendationId"])]
    send_events(clients, seeded.tracking_id, sent, int(time.time()), session_prefix="p")
    at.button(key="solutions_refresh").click().run()
    assert _revenue(at) == revenue + _price(c)
    a = clients.runtime.get_recommendations(
        campaignArn=seeded.pop_campaign, userId="u1", numResults=5
    )["itemList"][0]["itemId"]
    clients.events.put_items(
        datasetArn=seeded.items,
        items=[{"itemId": a, "properties": json.dumps({"CATEGORY": "cat0", "PRICE": 100})}],
    )
    at.button(key="solutions_refresh").click().run()
    # a was bought once (twice when c is a too); b's price did not change
    bought_a = 1 + (c == a)
    assert _revenue(at) == revenue + _price(c) + bought_a * (100 - _price(a))
