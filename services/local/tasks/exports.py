"""The dataset export job: write a dataset's rows as CSV with a header."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from services.local import tables as t
from services.local.context import EngineContext
from services.local.importer import ImportFailed
from services.local.job_context import JobContext
from services.local.locations import output_dir
from services.local.recipes.base import (
    INTERACTION_COLUMNS,
)
from services.local.resources import ACTIVE, FAILED
from services.local.tasks.lifecycle import end_job, start_job


def run_export(engine: EngineContext, arn: str, ctx: JobContext) -> None:
    """Write a dataset's rows (bulk, PutEvents/Put* or both) as CSV with a header."""
    doc = start_job(engine, arn)
    if doc is None:
        return
    with engine.tx() as res:
        dataset = res.get(doc["datasetArn"], "dataset")
    mode = doc.get("ingestionMode", "PUT")
    sources = {"BULK": ("bulk",), "PUT": ("put",), "ALL": ("bulk", "put")}[mode]
    group = dataset["datasetGroupArn"]
    kind = dataset["datasetType"]
    try:
        frame = _export_frame(engine, group, kind, sources)
        out = output_dir(engine, doc["jobOutput"]["s3DataDestination"]["path"]) / doc["jobName"]
        out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out / "part-00000.csv", index=False)
    except (ImportFailed, OSError) as err:
        end_job(engine, arn, FAILED, str(err))
        return
    end_job(engine, arn, ACTIVE)


def _export_frame(
    engine: EngineContext, group: str, kind: str, sources: tuple[str, ...]
) -> pd.DataFrame:
    with engine.db.connect() as conn:
        if kind == "Interactions":
            c = t.interactions.c
            rows = conn.execute(
                select(c.user_id, c.item_id, c.ts, c.event_type, c.event_value, c.extra)
                .where(c.group_arn == group, c.source.in_(sources))
                .order_by(c.ts, c.id)
            ).all()
            return pd.DataFrame(
                [
                    {
                        "USER_ID": r.user_id,
                        "ITEM_ID": r.item_id,
                        "TIMESTAMP": r.ts,
                        "EVENT_TYPE": r.event_type,
                        "EVENT_VALUE": r.event_value,
                        **(r.extra or {}),
                    }
                    for r in rows
                ],
                columns=None if rows else list(INTERACTION_COLUMNS),
            )
        table = t.items if kind == "Items" else t.users
        key = "ITEM_ID" if kind == "Items" else "USER_ID"
        id_col = table.c.item_id if kind == "Items" else table.c.user_id
        rows = conn.execute(
            select(id_col.label("id"), table.c.props)
            .where(table.c.group_arn == group, table.c.source.in_(sources))
            .order_by(id_col)
        ).all()
    return pd.DataFrame(
        [{key: r.id, **(r.props or {})} for r in rows], columns=None if rows else [key]
    )
