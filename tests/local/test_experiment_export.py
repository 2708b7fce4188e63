"""AWS mode's read-back of an experiment's events, end to end on the local engine: the same
CreateDatasetExportJob / ListDatasetExportJobs / DescribeDatasetExportJob calls, the engine's
export files read through the object store, then the outcomes. With RECOMMENDATION_ID,
EVENT_VALUE and EVENT_ATTRIBUTION_SOURCE in the schema only the session is unknown.

The users' arms are docs/experiments.md's test vectors (summer-recs, 50/50): user-3 and user-4
are in A, user-1 and user-2 in B.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.config import Settings
from services.datasets.snapshot import object_store
from services.experiments.exported import (
    latest_event_export,
    read_exported_events,
    start_event_export,
)
from services.experiments.impressions import ArmImpressions
from services.experiments.outcomes import arm_outcomes
from services.personalize.clients import Clients
from services.personalize.facade import PersonalizeService
from services.polling import Polling, wait_for
from tests.experiments.test_outcomes import START, T0, _experiment
from tests.local.workspace import create_group, interactions_schema

HEADER = (
    "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,RECOMMENDATION_ID,EVENT_ATTRIBUTION_SOURCE"
)


def _bulk(path: Path) -> None:
    """The 1,000 imported rows an import needs; a PUT export leaves them out."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [f"u{k % 50},i{k % 40},{1_700_000_000 + k},View,,," for k in range(1000)]
    path.write_text("\n".join([HEADER, *rows]) + "\n")


def test_the_read_back_runs_against_the_engine(clients: Clients, settings: Settings) -> None:
    schema = interactions_schema(
        {"name": "EVENT_VALUE", "type": ["null", "float"]},
        {"name": "RECOMMENDATION_ID", "type": ["null", "string"]},
        {"name": "EVENT_ATTRIBUTION_SOURCE", "type": ["null", "string"]},
        {"name": "IMPRESSION", "type": ["null", "string"]},
    )
    ws = create_group(clients, settings.data_dir, schema_text=schema, write=_bulk)
    tracker = clients.personalize.create_event_tracker(name="t", datasetGroupArn=ws["group"])

    def send(user: str, *events: dict[str, object]) -> None:
        clients.events.put_events(
            trackingId=tracker["trackingId"], userId=user, sessionId=f"{user}-s",
            eventList=list(events),
        )  # fmt: skip

    def view(at: int, rid: str, arm: str) -> dict[str, object]:
        return {"eventType": "View", "itemId": "i1", "sentAt": T0 + at, "recommendationId": rid,
                "metricAttribution": {"eventAttributionSource": arm}}  # fmt: skip

    bought = {"eventType": "Purchase", "itemId": "i1", "sentAt": T0 + 20, "eventValue": 9_000.0}
    send("user-3", {**view(10, "RID-1", "A"), "impression": ["i1", "i2"]}, bought)
    send("user-4", view(30, "RID-2", "B"))  # user-4 is in A: a mislabelled event
    send("user-1", view(40, "RID-3", "B"), view(45, "RID-4", "B"))
    send("user-2", {"eventType": "Purchase", "itemId": "i2", "sentAt": T0 + 50,
                    "eventValue": 4_000.0})  # fmt: skip

    service = PersonalizeService(clients)
    experiment = _experiment(dataset_group_arn=ws["group"])
    datasets = service.list_datasets(ws["group"])
    start_event_export(
        service, experiment, datasets, "s3://exports/experiments",
        "arn:aws:iam::000000000000:role/r", datetime(2026, 12, 2, tzinfo=UTC),
    )  # fmt: skip
    export = wait_for(
        lambda: latest_event_export(service, experiment, datasets),
        lambda e: e is not None and e.done,
        Polling(0.05, 60.0),
    )
    assert export is not None and export.status == "ACTIVE" and export.items is None
    assert export.events.name == "exp1-events-20261202000000"
    read = read_exported_events(object_store(settings), export)
    assert read.unknown == {"SESSION_ID"}
    out = arm_outcomes(experiment, read.events, {}, START + timedelta(days=1), read.unknown)
    a, b = out.arms
    # A: user-3 (a list, a click, bought for 9,000), user-4 (a list, a click, says B)
    assert (a.users, a.lists_acted_on, a.clicks, a.conversions) == (2, 2, 2, 1)
    assert (a.revenue, a.mislabelled, a.sessions) == (9_000.0, 1, None)
    # the export has the explicit impression user-3's view sent, i1 of it clicked; the
    # recommendationIds name no list an export could show
    assert a.impressions == ArmImpressions(lists=1, items=2, clicks=1, clicked_lists=1)
    assert b.impressions == ArmImpressions(0, 0, 0, 0)
    # B: user-1 (two lists, two clicks), user-2 (bought for 4,000 without a list)
    assert (b.users, b.lists_acted_on, b.clicks, b.conversions) == (2, 2, 2, 1)
    assert (b.revenue, b.mislabelled, b.sessions) == (4_000.0, 0, None)
