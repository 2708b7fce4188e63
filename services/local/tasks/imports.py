"""The dataset import job: read, check and commit its files in a single transaction."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert

from services.local import tables as t
from services.local.context import EngineContext
from services.local.data_versions import bump_data_version
from services.local.errors import EngineError
from services.local.importer import ImportFailed, read_dataset_csv
from services.local.job_context import JobContext
from services.local.locations import resolve_location
from services.local.recipes.base import (
    INTERACTION_COLUMNS,
)
from services.local.resources import ACTIVE, FAILED, Resources
from services.local.schemas import parse_schema
from services.local.tasks.lifecycle import end_job, start_job

MIN_IMPORT_INTERACTIONS = 1000  # Personalize's minimum interaction records per import job


_INSERT_CHUNK = 50_000


def run_import(engine: EngineContext, arn: str, ctx: JobContext) -> None:
    """Read, check and commit one import job's files in a single transaction."""
    doc = start_job(engine, arn)
    if doc is None:
        return
    with engine.tx() as res:
        dataset = res.get(doc["datasetArn"], "dataset")
        schema = parse_schema(res.get(dataset["schemaArn"], "schema")["schema"])
    kind = dataset["datasetType"]
    try:
        files = resolve_location(engine, doc["dataSource"]["dataLocation"])
        frames = []
        for path in files:
            data = read_dataset_csv(path, schema, kind)
            frames.append(data.frame)
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if kind == "Interactions" and len(frame) < MIN_IMPORT_INTERACTIONS:
            raise ImportFailed(
                f"the file has {len(frame)} interaction records; Personalize imports at least "
                f"{MIN_IMPORT_INTERACTIONS} per job"
            )
    except (ImportFailed, EngineError, OSError) as err:
        message = getattr(err, "message", None) or str(err)
        end_job(
            engine,
            arn,
            FAILED,
            f"{Path(files[-1]).name if 'files' in locals() else ''}: {message}".lstrip(": "),
        )
        return
    group = dataset["datasetGroupArn"]
    with engine.tx() as res:
        _store(res, group, kind, frame, full=doc["importMode"] == "FULL")
        job = res.find(arn)
        if job is not None:
            job.update(status=ACTIVE, lastUpdatedDateTime=res.now)
            res.save(arn, job)
        ds = res.find(dataset["datasetArn"])
        if ds is not None:
            ds["lastUpdatedDateTime"] = res.now
            res.save(dataset["datasetArn"], ds)
        bump_data_version(res, group)


def _store(res: Resources, group: str, kind: str, frame: pd.DataFrame, *, full: bool) -> None:
    conn = res.conn
    if kind == "Interactions":
        table = t.interactions
        if full:  # FULL replaces earlier bulk data, never PutEvents data
            conn.execute(delete(table).where(table.c.group_arn == group, table.c.source == "bulk"))
        extra_cols = [c for c in frame.columns if c not in INTERACTION_COLUMNS]
        rows = []
        for rec in frame.to_dict("records"):
            value = rec.get("EVENT_VALUE")
            rows.append(
                {
                    "group_arn": group,
                    "user_id": rec["USER_ID"],
                    "item_id": rec["ITEM_ID"],
                    "ts": int(rec["TIMESTAMP"]),
                    "event_type": rec.get("EVENT_TYPE") or "",
                    "event_value": None if value is None or _nan(value) else float(value),
                    "source": "bulk",
                    "extra": {c: _plain(rec[c]) for c in extra_cols} or None,
                }
            )
        _insert(conn, table, rows)
        return
    table = t.items if kind == "Items" else t.users
    key = "ITEM_ID" if kind == "Items" else "USER_ID"
    column = "item_id" if kind == "Items" else "user_id"
    if full:
        conn.execute(delete(table).where(table.c.group_arn == group, table.c.source == "bulk"))
    else:  # INCREMENTAL upserts by ID
        ids = frame[key].tolist()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            conn.execute(
                delete(table).where(table.c.group_arn == group, getattr(table.c, column).in_(chunk))
            )
    rows = []
    for rec in frame.to_dict("records"):
        props = {c: _plain(v) for c, v in rec.items() if c != key}
        row = {"group_arn": group, column: rec[key], "props": props, "source": "bulk"}
        if kind == "Items":
            created = rec.get("CREATION_TIMESTAMP")
            row["creation_ts"] = None if created is None or _nan(created) else int(created)
        rows.append(row)
    if full:
        # PutItems/PutUsers rows with the same ID give way to the bulk file.
        ids = [r[column] for r in rows]
        for start in range(0, len(ids), 500):
            conn.execute(
                delete(table).where(
                    table.c.group_arn == group,
                    getattr(table.c, column).in_(ids[start : start + 500]),
                )
            )
    _insert(conn, table, rows)


def _insert(conn: Any, table: t.Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _INSERT_CHUNK):
        conn.execute(insert(table), rows[start : start + _INSERT_CHUNK])


def _nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _plain(value: Any) -> Any:
    """A JSON-safe scalar (numpy numbers and NaN become Python values / None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
