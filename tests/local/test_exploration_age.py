"""Exploration of items without CREATION_TIMESTAMP: their age counts from their first
interaction, as Personalize infers it (services.local.models.ranking.item_creation_times)."""

from __future__ import annotations

import csv

from services.config import Settings
from services.personalize.clients import Clients
from tests.local.workspace import START, create_group, train, wait_for

LATE = [f"late{k}" for k in range(6)]
LATEST_BULK = START + 59 * 1000 + 29 * 10  # the newest bulk interaction (workspace.py)
LATEST = LATEST_BULK + 100 + len(LATE) - 1  # the newest streamed one (below)
CUT_OFF_DAYS = 0.1  # 8,640 s before LATEST


def test_items_without_creation_timestamp_are_explored_when_first_seen_recently(
    settings: Settings, clients: Clients
) -> None:
    p = clients.personalize
    # No Items dataset: no item has a CREATION_TIMESTAMP.
    ws = create_group(clients, settings.data_dir, "no-creation-times")
    tracker = p.create_event_tracker(name="t", datasetGroupArn=ws["group"])
    wait_for(
        lambda: p.describe_event_tracker(eventTrackerArn=tracker["eventTrackerArn"]),
        "eventTracker",
    )
    clients.events.put_events(
        trackingId=tracker["trackingId"],
        userId="u59",
        sessionId="s",
        eventList=[
            {"eventType": "view", "itemId": item, "sentAt": LATEST_BULK + 100 + k}
            for k, item in enumerate(LATE)
        ],
    )
    # By hand: every bulk item was first seen more than CUT_OFF_DAYS before LATEST, so
    # the only items younger than the cut-off are the six streamed ones, each seen once.
    path = settings.data_dir / "s3" / "bucket" / "no-creation-times" / "interactions.csv"
    with path.open(newline="") as fh:
        first: dict[str, int] = {}
        for row in csv.DictReader(fh):
            first[row["ITEM_ID"]] = min(first.get(row["ITEM_ID"], 10**12), int(row["TIMESTAMP"]))
    assert max(first.values()) < LATEST - CUT_OFF_DAYS * 86_400
    _, version = train(clients, ws["group"], "up", "aws-user-personalization")
    config = {"explorationWeight": "1", "explorationItemAgeCutOff": f"{CUT_OFF_DAYS}"}
    campaign = p.create_campaign(
        name="explore",
        solutionVersionArn=version,
        campaignConfig={"itemExplorationConfig": config},
    )["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=campaign), "campaign")

    items = clients.runtime.get_recommendations(campaignArn=campaign, userId="u0", numResults=12)[
        "itemList"
    ]
    explored = [i["itemId"] for i in items if i.get("reason") == ["Exploration"]]
    # round(12 × 1.0 / 3) = 4 slots, filled from the six late items only
    assert len(explored) == 4, items
    assert set(explored) <= set(LATE)
