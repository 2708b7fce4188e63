"""The demo's live traffic: a new collection (PutItems), new shoppers (PutUsers) and their
sessions' clicks (PutEvents), each session starting with a list from the campaign of the
shopper's arm of the demo's experiment (services.demo.experiment: popular vs personalised, with
a planted lift). The list stays on the page for the session: every event of the session
carries it as its impression (explicit impressions, "Recording item interaction events with
impressions data"), so the Experiments page counts each session's list as shown even when
none of its items is clicked; events on items of the list also carry its recommendationId, so
the metric attribution and the offline-vs-online view credit the campaign that showed them
(an event on another item names no list it came from)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from services.demo import experiment, waiting
from services.demo.data import DemoData
from services.experiments.records import Arm
from services.personalize.clients import Clients

BATCH = 10  # PutEvents, PutItems and PutUsers take at most 10 records per call
SHOWN = 10  # items per replayed recommendation list (the impression)


def replay(
    clients: Clients,
    data: DemoData,
    datasets: dict[str, str],
    tracking_id: str,
    split: list[Arm],
    say: Callable[[str], None],
) -> None:
    """Send ``data``'s new items, new users and events; ``datasets``: dataset type -> ARN,
    ``split``: the experiment's arms (a shopper's sessions ask the campaign of their arm; the
    control arm's turned-away shoppers send no purchase). Raises botocore's errors as the calls
    do."""
    started = time.monotonic()
    items = data.new_items.rename(columns=str.lower).rename(
        columns={"item_id": "itemId", "creation_timestamp": "creationTimestamp"}
    )
    for chunk in _chunks(items.to_dict("records")):
        clients.events.put_items(
            datasetArn=datasets["Items"],
            items=[{"itemId": r.pop("itemId"), "properties": json.dumps(r)} for r in chunk],
        )
    for chunk in _chunks(data.new_users.to_dict("records")):
        clients.events.put_users(
            datasetArn=datasets["Users"],
            users=[
                {"userId": r["USER_ID"], "properties": json.dumps({"segment": r["SEGMENT"]})}
                for r in chunk
            ],
        )
    calls = sent = withheld = 0
    senders: set[str] = set()
    sessions = data.events.groupby(["USER_ID", "SESSION_ID"], sort=False)
    said = time.monotonic()
    for n, ((user, session), frame) in enumerate(sessions):
        if time.monotonic() - said >= waiting.PROGRESS_SECONDS:
            said = time.monotonic()
            say(
                f"replaying shoppers' sessions: {n:,} of {sessions.ngroups:,} "
                f"({said - started:.0f}s so far)"
            )
        arm = experiment.arm_of(user, split)
        shown = clients.runtime.get_recommendations(
            campaignArn=arm.target, userId=user, numResults=SHOWN
        )
        listed = [i["itemId"] for i in shown["itemList"]]
        if not experiment.sends_purchases(user, arm):
            kept = frame.loc[frame["EVENT_TYPE"] != "Purchase"]
            withheld += len(frame) - len(kept)
            frame = kept
        if len(frame):
            senders.add(str(user))
            sent += len(frame)
        rows = frame[["ITEM_ID", "EVENT_TYPE", "TIMESTAMP"]].itertuples(index=False)
        for chunk in _chunks(list(rows)):
            events = []
            for item, event_type, ts in chunk:
                event: dict[str, Any] = {"itemId": item, "eventType": event_type, "sentAt": int(ts)}
                if listed:  # an impression holds 1 to 25 item IDs (botocore ``Impression``)
                    event["impression"] = listed
                if item in listed:
                    event["recommendationId"] = shown["recommendationId"]
                events.append(event)
            clients.events.put_events(
                trackingId=tracking_id, userId=user, sessionId=session, eventList=events
            )
            calls += 1
    # Said as the Data page counts them (trial s9 read "24,815 events, 1,200 users" here and
    # 24,627 events from 1,300 users there): the events sent, not generated, and the shoppers
    # who sent them, new (PutUsers) or returning from the bulk history.
    returning = len(senders - set(data.new_users["USER_ID"].astype(str)))
    say(
        f"sent {len(data.new_items):,} new items (PutItems), {len(data.new_users):,} new "
        f"shoppers (PutUsers) and {sent:,} events from {len(senders):,} shoppers "
        f"({len(senders) - returning:,} new, {returning:,} from the bulk history) in "
        f"{calls:,} PutEvents calls, in {time.monotonic() - started:.1f}s; "
        f"{withheld:,} of the {len(data.events):,} generated events were not sent: the "
        "purchases of arm A's turned-away shoppers (the experiment's planted lift). The Data "
        "page's Events received and Users count these events and shoppers."
    )


def _chunks(rows: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
