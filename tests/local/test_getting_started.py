"""Personalize's getting-started sequence through real boto3 clients on the local engine, its
store on SQLite and on PostgreSQL (issue #25): every resource's life, an import, training,
a campaign and its update, events and recommendations."""

from __future__ import annotations

import time

import pytest

from services.config import Settings
from services.local.engine import get_engine
from services.personalize.clients import Clients
from tests.local.workspace import create_group, train, wait_for

METRIC_KEYS = {
    "coverage",
    "mean_reciprocal_rank_at_25",
    "normalized_discounted_cumulative_gain_at_5",
    "normalized_discounted_cumulative_gain_at_10",
    "normalized_discounted_cumulative_gain_at_25",
    "precision_at_5",
    "precision_at_10",
    "precision_at_25",
}


@pytest.fixture
def settings(shared_settings: Settings) -> Settings:
    return shared_settings


def test_getting_started_sequence(clients: Clients, settings: Settings) -> None:
    p, rt, ev = clients.personalize, clients.runtime, clients.events
    ws = create_group(clients, settings.data_dir)
    solution, v1 = train(clients, ws["group"], "pop", "aws-popularity-count")

    metrics = p.get_solution_metrics(solutionVersionArn=v1)["metrics"]
    assert set(metrics) == METRIC_KEYS
    assert all(0.0 <= v <= 1.0 for v in metrics.values())

    campaign = p.create_campaign(name="pop-campaign", solutionVersionArn=v1)["campaignArn"]
    served = wait_for(lambda: p.describe_campaign(campaignArn=campaign), "campaign")
    assert served["status"] == "ACTIVE" and served["solutionVersionArn"] == v1
    assert "latestCampaignUpdate" not in served  # only present after the first update

    before = rt.get_recommendations(campaignArn=campaign, userId="u1", numResults=10)
    assert len(before["itemList"]) == 10
    assert before["recommendationId"].startswith("RID-")
    assert "i_new" not in [i["itemId"] for i in before["itemList"]]

    # Events make a never-seen item the most popular one.
    tracker = p.create_event_tracker(name="shop-tracker", datasetGroupArn=ws["group"])
    for s in range(40):
        ev.put_events(
            trackingId=tracker["trackingId"],
            userId=f"fan{s}",
            sessionId=f"session-{s}",
            eventList=[
                {"eventType": "view", "itemId": "i_new", "sentAt": 1_700_100_000 + s * 10 + k}
                for k in range(10)
            ],
        )
    v2 = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    done = wait_for(lambda: p.describe_solution_version(solutionVersionArn=v2), "solutionVersion")
    assert done["status"] == "ACTIVE", done.get("failureReason")

    # Slow the campaign update down, then watch the campaign keep serving v1 until it lands.
    engine = get_engine(settings)
    engine.lifecycle_seconds = 30.0
    now = [time.time()]
    engine.clock = lambda: now[0]
    p.update_campaign(campaignArn=campaign, solutionVersionArn=v2)
    pending = p.describe_campaign(campaignArn=campaign)["campaign"]
    assert pending["solutionVersionArn"] == v1
    assert pending["latestCampaignUpdate"]["solutionVersionArn"] == v2
    assert pending["latestCampaignUpdate"]["status"] == "CREATE PENDING"
    still_old = rt.get_recommendations(campaignArn=campaign, userId="u1", numResults=10)
    assert still_old["itemList"][0]["itemId"] != "i_new"

    now[0] += 16
    progressing = p.describe_campaign(campaignArn=campaign)["campaign"]
    assert progressing["latestCampaignUpdate"]["status"] == "CREATE IN_PROGRESS"
    assert progressing["solutionVersionArn"] == v1

    now[0] += 15
    updated = p.describe_campaign(campaignArn=campaign)["campaign"]
    assert updated["latestCampaignUpdate"]["status"] == "ACTIVE"
    assert updated["solutionVersionArn"] == v2
    after = rt.get_recommendations(campaignArn=campaign, userId="u1", numResults=10)
    assert after["itemList"][0]["itemId"] == "i_new"
