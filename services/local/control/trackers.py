"""CreateEventTracker, DescribeEventTracker, ListEventTrackers, DeleteEventTracker."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from services.local.context import EngineContext
from services.local.control.describe_list_delete import ResourceSpec, operations
from services.local.control.groups import group_of
from services.local.errors import ResourceAlreadyExists, ResourceInUse
from services.local.resources import ACTIVE, waiting

_SUMMARY = ("name", "eventTrackerArn", "status", "creationDateTime", "lastUpdatedDateTime")


def create_event_tracker(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    tracking_id = str(uuid.uuid4())
    # Personalize names trackers by an 8-hex ID, not by their name.
    arn = engine.arns.make("event-tracker", hashlib.sha1(tracking_id.encode()).hexdigest()[:8])
    with engine.tx() as res:
        group = group_of(res, params["datasetGroupArn"])
        if group["status"] != ACTIVE:
            raise ResourceInUse(f"Dataset group {group['name']} is {group['status']}.")
        if res.count("event-tracker", group=group["datasetGroupArn"]):
            # A second tracker is ResourceAlreadyExistsException (CreateEventTracker).
            raise ResourceAlreadyExists(
                f"Dataset group {group['name']} already has an event tracker; a group has one."
            )
        names = {d["name"] for d in res.all("event-tracker")}
        if params["name"] in names:
            raise ResourceAlreadyExists(f"An event tracker named {params['name']} already exists.")
        doc = {
            "name": params["name"],
            "eventTrackerArn": arn,
            "accountId": engine.arns.account,
            "trackingId": tracking_id,
            "datasetGroupArn": group["datasetGroupArn"],
        }
        doc.update(waiting(res.now, engine.lifecycle_seconds))
        res.create(
            arn,
            "event-tracker",
            params["name"],
            doc,
            parent=group["datasetGroupArn"],
            group=group["datasetGroupArn"],
            tags=params.get("tags"),
        )
    return {"eventTrackerArn": arn, "trackingId": tracking_id}


SPEC = ResourceSpec(
    kind="event-tracker",
    arn_param="eventTrackerArn",
    describe_key="eventTracker",
    list_key="eventTrackers",
    summary=_SUMMARY,
    scope_param="datasetGroupArn",
    scope_kind="dataset-group",
    scope_load=group_of,
)

OPERATIONS = {
    "CreateEventTracker": create_event_tracker,
    **operations(SPEC, "EventTracker"),
}
