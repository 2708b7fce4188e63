"""A dataset group's rows as frames: bulk files plus the rows streamed into SQL.

Bulk rows (imports) live in ``BulkStore``; PutEvents/PutItems/PutUsers rows in the SQL tables
with ``source = 'put'``. Every reader here combines both the same way: interactions are bulk
rows then streamed ones; an item or user streamed after an import replaces the imported row
(an import deletes streamed rows of the IDs it brings, so the latest write always wins).
All reads go through the read-only database: they never take SQLite's write lock.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa

from services.local.data.storage import tables as t
from services.local.data.storage.bulk import BulkStore
from services.local.models.recipes.base import INTERACTION_COLUMNS

_SQL_NAMES = {
    "USER_ID": "user_id",
    "ITEM_ID": "item_id",
    "TIMESTAMP": "ts",
    "EVENT_TYPE": "event_type",
    "EVENT_VALUE": "event_value",
}


_RECORD_TABLES = {
    "Items": (t.items, "ITEM_ID"),
    "Users": (t.users, "USER_ID"),
    "Actions": (t.actions, "ACTION_ID"),
}
ACTION_INTERACTION_COLUMNS = ("USER_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE")


def action_interactions(db: sa.Engine, bulk: BulkStore, group: str) -> pd.DataFrame:
    """Action interactions of a group (ACTION_INTERACTION_COLUMNS): bulk rows first, then
    PutActionInteractions rows in arrival order."""
    parts: list[pd.DataFrame] = []
    table = bulk.read(db, group, "Action_Interactions", ACTION_INTERACTION_COLUMNS)
    if table is not None:
        parts.append(table.to_pandas())
    c = t.action_interactions.c
    with db.connect() as conn:
        put = pd.read_sql(
            sa.select(
                c.user_id.label("USER_ID"),
                c.action_id.label("ACTION_ID"),
                c.ts.label("TIMESTAMP"),
                c.event_type.label("EVENT_TYPE"),
            )
            .where(c.group_arn == group)
            .order_by(c.id),
            conn,
        )
    parts.append(put)
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return frame.astype({"USER_ID": str, "ACTION_ID": str, "TIMESTAMP": "int64", "EVENT_TYPE": str})


def interactions(
    db: sa.Engine,
    bulk: BulkStore,
    group: str,
    *,
    sources: Sequence[str] = ("bulk", "put"),
    extra: bool = False,
    recommendation_ids: bool = False,
) -> pd.DataFrame:
    """Interactions of a group: INTERACTION_COLUMNS (plus the schema's other columns if
    ``extra``, and streamed rows' ``recommendationId`` as RECOMMENDATION_ID if
    ``recommendation_ids``), bulk rows first, then streamed rows in arrival order."""
    parts: list[pd.DataFrame] = []
    if "bulk" in sources:
        table = bulk.read(db, group, "Interactions", None if extra else INTERACTION_COLUMNS)
        if table is not None:
            parts.append(table.to_pandas())
    if "put" in sources:
        c = t.interactions.c
        cols = [getattr(c, _SQL_NAMES[n]).label(n) for n in INTERACTION_COLUMNS]
        if extra:
            cols.append(c.extra)
        if recommendation_ids:
            cols.append(c.recommendation_id.label("RECOMMENDATION_ID"))
        with db.connect() as conn:
            put = pd.read_sql(
                sa.select(*cols).where(c.group_arn == group, c.source == "put").order_by(c.id),
                conn,
            )
        if extra and len(put):
            spread = pd.DataFrame([e or {} for e in put.pop("extra")], index=put.index)
            put = pd.concat([put, spread], axis=1)
        elif "extra" in put:
            put = put.drop(columns="extra")
        if len(put) or not parts:
            parts.append(put)
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    frame = frame.astype({"USER_ID": str, "ITEM_ID": str, "TIMESTAMP": "int64"})
    frame["EVENT_TYPE"] = frame["EVENT_TYPE"].fillna("").astype(str)
    frame["EVENT_VALUE"] = pd.to_numeric(frame["EVENT_VALUE"]).astype("float64")
    return frame


def records(
    db: sa.Engine,
    bulk: BulkStore,
    group: str,
    dataset_type: str,
    *,
    sources: Sequence[str] = ("bulk", "put"),
) -> pd.DataFrame:
    """Items, Users or Actions of a group, one row per ID: the ID column first, then the
    metadata.

    Items always carry CREATION_TIMESTAMP (NaN when unknown). Streamed rows win over bulk rows
    of the same ID.
    """
    sql, key = _RECORD_TABLES[dataset_type]
    parts: list[pd.DataFrame] = []
    if "bulk" in sources:
        table = bulk.read(db, group, dataset_type)
        if table is not None:
            parts.append(table.to_pandas())
    if "put" in sources:
        id_col = getattr(sql.c, key.lower())
        with db.connect() as conn:
            rows = conn.execute(
                sa.select(id_col.label("id"), sql.c.props).where(
                    sql.c.group_arn == group, sql.c.source == "put"
                )
            ).all()
        if rows:
            put = pd.DataFrame([{key: r.id, **(r.props or {})} for r in rows])
            if parts:
                parts[0] = parts[0].loc[~parts[0][key].isin(put[key])]
            parts.append(put)
    if not parts:
        frame = pd.DataFrame({key: pd.Series([], dtype=str)})
    elif len(parts) == 1:
        frame = parts[0]
    else:
        frame = pd.concat(parts, ignore_index=True)
    frame = frame.reset_index(drop=True)
    if dataset_type == "Items":
        created = frame.get("CREATION_TIMESTAMP")
        frame["CREATION_TIMESTAMP"] = (
            pd.to_numeric(created, errors="coerce").astype("float64")
            if created is not None
            else np.full(len(frame), np.nan)
        )
    return frame


def interaction_fields(db: sa.Engine, group: str) -> tuple[str, ...] | None:
    """The field names, in order, of the group's Interactions schema (None: no such dataset)."""
    from services.local.data.schemas import parse_schema

    r = t.resources.c
    with db.connect() as conn:
        docs = conn.execute(
            sa.select(r.doc).where(r.kind == "dataset", r.group_arn == group)
        ).scalars()
        dataset = next((d for d in docs if d.get("datasetType") == "Interactions"), None)
        if dataset is None:
            return None
        schema = conn.execute(
            sa.select(r.doc).where(r.arn == dataset["schemaArn"])
        ).scalar_one_or_none()
    return None if schema is None else parse_schema(schema["schema"]).field_names


def export_frame(
    db: sa.Engine, bulk: BulkStore, group: str, dataset_type: str, sources: Sequence[str]
) -> pd.DataFrame:
    """A dataset as CreateDatasetExportJob writes it: interactions by TIMESTAMP, items and
    users by ID, with the schema's columns (sources: "bulk", "put" or both).

    Interactions have exactly the Interactions schema's fields, in its order, as the export job
    writes them (the one rule for every reader of a group's interactions: the export, the
    in-process snapshots and the Data page's views): a PutEvents ``recommendationId`` appears
    as RECOMMENDATION_ID when the schema has that field; what PutEvents sent beyond the schema
    (an ``impression`` or ``eventAttributionSource`` it has no field for) is left out; a
    schema column no row has a value for is empty."""
    if dataset_type == "Interactions":
        columns = interaction_fields(db, group)
        wanted = columns is not None and "RECOMMENDATION_ID" in columns
        # The schema's fields beyond the fixed ones are all that is read from what PutEvents
        # kept besides them (its JSON ``extra``): a schema with none needs no event's JSON
        # decoded (an impression list each, most of the Data page's first read, issue #21).
        fixed = (*INTERACTION_COLUMNS, "RECOMMENDATION_ID")
        extra = columns is None or any(c not in fixed for c in columns)
        frame = interactions(
            db, bulk, group, sources=sources, extra=extra, recommendation_ids=wanted
        )
        if columns is not None:
            frame = frame.reindex(columns=list(columns))
        return frame.sort_values("TIMESTAMP", kind="stable").reset_index(drop=True)
    key = "ITEM_ID" if dataset_type == "Items" else "USER_ID"
    frame = records(db, bulk, group, dataset_type, sources=sources)
    if dataset_type == "Items" and frame["CREATION_TIMESTAMP"].isna().all():
        frame = frame.drop(columns="CREATION_TIMESTAMP")
    elif dataset_type == "Items":
        frame["CREATION_TIMESTAMP"] = frame["CREATION_TIMESTAMP"].astype("Int64")
    return frame.sort_values(key, kind="stable").reset_index(drop=True)
