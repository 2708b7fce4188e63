"""PutEvents, PutItems, PutUsers, PutActions, PutActionInteractions: streamed data that counts
without a new import."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import delete, insert, select

from services.local.context import EngineContext
from services.local.data import impressions, json_text
from services.local.data.schemas import parse_schema
from services.local.data.storage import tables as t
from services.local.data.storage.resources import Resources, expect_kind, require_active
from services.local.data.storage.versions import bump_data_version
from services.local.errors import InvalidInput
from services.local.models.recipes.actions import action_event_type

FORBIDDEN_PROPERTIES = {
    "userId",
    "sessionId",
    "eventType",
    "timestamp",
    "recommendationId",
    "impression",
}


def upper_snake(key: str) -> str:
    """Personalize maps camelCase property keys to UPPER_SNAKE schema columns."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).upper()


def _refuse_reserved(key: str, reserved: set[str], where: str) -> None:
    """Refuse a reserved keyword as a property, whatever its case ("USERID", "UserId", ...).

    PutEvents' ``properties`` may not hold userId, sessionId, eventType, timestamp,
    recommendationId or impression; PutItems' may not hold itemId and PutUsers' userId
    (the request carries them; Personalize API reference, Event.properties, Item.properties,
    User.properties). InvalidInputException.
    """
    if key.lower() in {r.lower() for r in reserved} or upper_snake(key) in {
        upper_snake(r) for r in reserved
    }:
        raise InvalidInput(f"{where}.properties may not contain '{key}' (a reserved keyword).")


def _properties(raw: str | None, where: str) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        props = json_text.loads(raw)
    except json.JSONDecodeError as err:
        raise InvalidInput(f"{where}.properties is not valid JSON: {err.msg}") from err
    if not isinstance(props, dict):
        raise InvalidInput(f"{where}.properties must be a JSON object.")
    return props


def _schema_columns(
    raw: str | None, reserved: set[str], columns: set[str], where: str, kind: str
) -> dict[str, Any]:
    """A record's JSON ``properties`` as {schema column: value}: each key in camelCase names
    the column in UPPER_SNAKE case. InvalidInputException for invalid JSON, a reserved key, or
    a key naming no column of the ``kind`` dataset's schema."""
    found = {}
    for key, value in _properties(raw, where).items():
        _refuse_reserved(key, reserved, where)
        column = upper_snake(key)
        if column not in columns:
            raise InvalidInput(
                f"{where}.properties.{key} maps to {column}, which the {kind} schema does not have."
            )
        found[column] = value
    return found


def _tracker(res: Resources, tracking_id: str) -> dict[str, Any]:
    for doc in res.all("event-tracker"):
        if doc["trackingId"] == tracking_id:
            return doc
    raise InvalidInput(f"No event tracker has trackingId {tracking_id}.")


def _dataset(res: Resources, group: str, kind: str) -> dict[str, Any] | None:
    for doc in res.all("dataset", group=group):
        if doc["datasetType"] == kind:
            return doc
    return None


def put_events(engine: EngineContext, params: dict[str, Any]) -> None:
    # The lists these events name are written first (an answer may still be in the engine's
    # buffer): their items are the events' implicit impressions, their campaign the credited one.
    engine.answers.save(e.get("recommendationId") for e in params["eventList"])
    with engine.tx() as res:
        tracker = _tracker(res, params["trackingId"])
        group = tracker["datasetGroupArn"]
        dataset = _dataset(res, group, "Interactions")
        if dataset is None:
            raise InvalidInput("The dataset group has no Interactions dataset to receive events.")
        schema = parse_schema(res.get(dataset["schemaArn"], "schema")["schema"])
        columns = set(schema.field_names)
        user = params.get("userId") or params["sessionId"]
        rows = []
        for i, event in enumerate(params["eventList"], start=1):
            where = f"eventList.{i}"
            if not event.get("itemId"):
                raise InvalidInput(
                    f"{where}.itemId is required: the Interactions schema has ITEM_ID."
                )
            extra = _schema_columns(
                event.get("properties"), FORBIDDEN_PROPERTIES, columns, where, "Interactions"
            )
            if event.get("impression"):  # explicit; the implicit ones: data.impressions
                extra[impressions.FIELD] = impressions.field_value(event["impression"])
            source = (event.get("metricAttribution") or {}).get("eventAttributionSource")
            if source:
                extra["EVENT_ATTRIBUTION_SOURCE"] = source
            event_id = event.get("eventId")
            if event_id and _seen(res, group, event_id):
                continue  # Personalize counts a repeated eventId once
            rows.append(
                {
                    "group_arn": group,
                    "user_id": user,
                    "item_id": event["itemId"],
                    "ts": int(event["sentAt"]),
                    "event_type": event["eventType"],
                    "event_value": event.get("eventValue"),
                    "source": "put",
                    "received": res.now,
                    "session_id": params["sessionId"],
                    "event_id": event_id,
                    "recommendation_id": event.get("recommendationId"),
                    "extra": extra or None,
                }
            )
        if rows:
            res.conn.execute(insert(t.interactions), rows)


def _seen(res: Resources, group: str, event_id: str) -> bool:
    row = res.conn.execute(
        select(t.interactions.c.id)
        .where(t.interactions.c.group_arn == group, t.interactions.c.event_id == event_id)
        .limit(1)
    ).first()
    return row is not None


_RECORDS = {
    "Items": (t.items, "item_id"),
    "Users": (t.users, "user_id"),
    "Actions": (t.actions, "action_id"),
}


def _put_records(
    engine: EngineContext, params: dict[str, Any], kind: str, list_key: str, id_key: str
) -> None:
    arn = params["datasetArn"]
    expect_kind(arn, "dataset", "datasetArn")
    table, column = _RECORDS[kind]
    with engine.tx() as res:
        dataset = res.get(arn, "dataset")
        if dataset["datasetType"] != kind:
            raise InvalidInput(f"Dataset {dataset['name']} is a {dataset['datasetType']} dataset.")
        require_active(dataset, "Dataset")
        schema = parse_schema(res.get(dataset["schemaArn"], "schema")["schema"])
        fields = {f.name: f for f in schema.fields}
        group = dataset["datasetGroupArn"]
        rows = []
        for i, record in enumerate(params[list_key], start=1):
            where = f"{list_key}.{i}"
            props = _schema_columns(record.get("properties"), {id_key}, set(fields), where, kind)
            row = {"group_arn": group, column: record[id_key], "props": props, "source": "put"}
            if kind == "Items":
                created = props.get("CREATION_TIMESTAMP")
                row["creation_ts"] = int(created) if isinstance(created, int | float) else None
            rows.append(row)
        ids = [r[column] for r in rows]
        res.conn.execute(
            delete(table).where(table.c.group_arn == group, getattr(table.c, column).in_(ids))
        )
        res.conn.execute(insert(table), rows)
        bump_data_version(res, group)


def put_items(engine: EngineContext, params: dict[str, Any]) -> None:
    _put_records(engine, params, "Items", "items", "itemId")


def put_users(engine: EngineContext, params: dict[str, Any]) -> None:
    _put_records(engine, params, "Users", "users", "userId")


def put_actions(engine: EngineContext, params: dict[str, Any]) -> None:
    """PutActions: add or replace up to 10 actions of an Actions dataset (API reference,
    PutActions; each ``properties`` key maps to an Actions schema column, camelCase to
    UPPER_SNAKE, and may not be actionId). Errors as PutItems: InvalidInputException,
    ResourceNotFoundException, ResourceInUseException."""
    _put_records(engine, params, "Actions", "actions", "actionId")


ACTION_FORBIDDEN_PROPERTIES = FORBIDDEN_PROPERTIES | {"actionId"}


def put_action_interactions(engine: EngineContext, params: dict[str, Any]) -> None:
    """PutActionInteractions: record up to 10 action interaction events.

    ``trackingId`` is the one DescribeDataset shows for the group's Action interactions dataset
    (Personalize creates that tracker with the dataset). API reference, PutActionInteractions /
    ActionInteraction: eventType is Viewed, Taken or Not Taken; timestamp in epoch seconds;
    ``properties`` keys map to Action interactions schema columns (not the reserved names);
    a repeated eventId counts once.

    Raises:
        InvalidInput: an unknown trackingId, another event type, a property the schema does
            not have or that is reserved, or properties that are not a JSON object.
        ResourceInUse: the dataset is not ACTIVE.
    """
    with engine.tx() as res:
        datasets = [
            d
            for d in res.all("dataset")
            if d.get("trackingId") == params["trackingId"]
            and d["datasetType"] == "Action_Interactions"
        ]
        if not datasets:
            raise InvalidInput(
                f"No Action interactions dataset has trackingId {params['trackingId']}."
            )
        dataset = datasets[0]
        require_active(dataset, "Dataset")
        columns = set(parse_schema(res.get(dataset["schemaArn"], "schema")["schema"]).field_names)
        group = dataset["datasetGroupArn"]
        rows = []
        for i, event in enumerate(params["actionInteractions"], start=1):
            where = f"actionInteractions.{i}"
            kind = action_event_type(event["eventType"])
            if kind is None:
                raise InvalidInput(
                    f"{where}.eventType '{event['eventType']}' is not an action interaction "
                    "event type: use Viewed, Taken or Not Taken."
                )
            extra = _schema_columns(
                event.get("properties"),
                ACTION_FORBIDDEN_PROPERTIES,
                columns,
                where,
                "Action interactions",
            )
            if event.get("impression"):  # explicit; the implicit ones: data.impressions
                extra[impressions.FIELD] = impressions.field_value(event["impression"])
            event_id = event.get("eventId")
            if event_id and _action_event_seen(res, group, event_id):
                continue
            rows.append(
                {
                    "group_arn": group,
                    "user_id": event.get("userId") or event["sessionId"],
                    "action_id": event["actionId"],
                    "ts": int(event["timestamp"]),
                    "event_type": kind,
                    "session_id": event["sessionId"],
                    "event_id": event_id,
                    "recommendation_id": event.get("recommendationId"),
                    "extra": extra or None,
                    "source": "put",
                }
            )
        if rows:
            res.conn.execute(insert(t.action_interactions), rows)


def _action_event_seen(res: Resources, group: str, event_id: str) -> bool:
    c = t.action_interactions.c
    row = res.conn.execute(
        select(c.id).where(c.group_arn == group, c.event_id == event_id).limit(1)
    ).first()
    return row is not None


OPERATIONS = {
    "PutEvents": put_events,
    "PutItems": put_items,
    "PutUsers": put_users,
    "PutActions": put_actions,
    "PutActionInteractions": put_action_interactions,
}
