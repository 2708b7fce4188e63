"""CreateEventTracker, DescribeEventTracker, ListEventTrackers, DeleteEventTracker."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from services.local.context import EngineContext
from services.local.control.describe_list_delete import operations
from services.local.control.groups import active_group_of, create_in_group, group_scoped
from services.local.control.quotas import MAX_EVENT_TRACKERS_PER_GROUP
from services.local.data.storage.resources import waiting
from services.local.errors import ResourceAlreadyExists
from services.local.runtime.attribution_report import forget

_SUMMARY = ("name", "eventTrackerArn", "status", "creationDateTime", "lastUpdatedDateTime")


def create_event_tracker(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    tracking_id = str(uuid.uuid4())
    # Personalize names trackers by an 8-hex ID, not by their name.
    arn = engine.arns.make("event-tracker", hashlib.sha1(tracking_id.encode()).hexdigest()[:8])
    with engine.tx() as res:
        group = active_group_of(res, params["datasetGroupArn"])
        trackers = res.count("event-tracker", group=group["datasetGroupArn"])
        if trackers >= MAX_EVENT_TRACKERS_PER_GROUP:
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
        create_in_group(res, group, "event-tracker", arn, params["name"], doc, params.get("tags"))
    forget(group["datasetGroupArn"])  # the runtime now keeps the lists events may name
    return {"eventTrackerArn": arn, "trackingId": tracking_id}


SPEC = group_scoped(
    kind="event-tracker",
    summary=_SUMMARY,
)

OPERATIONS = operations(SPEC, "EventTracker", create=create_event_tracker)
