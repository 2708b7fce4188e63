"""The work behind background jobs: dataset imports, training, batch inference."""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select

from services.local import tables as t
from services.local.control.imports import resolve_location
from services.local.engine import LocalEngine
from services.local.errors import EngineError
from services.local.importer import ImportFailed, read_dataset_csv
from services.local.jobs import Cancelled, JobContext
from services.local.recipes.base import (
    INTERACTION_COLUMNS,
    EventWeight,
    TrainingConfig,
    TrainingData,
    TrainingError,
)
from services.local.resources import ACTIVE, FAILED, IN_PROGRESS, PENDING, Resources
from services.local.schemas import parse_schema

_log = logging.getLogger(__name__)

MIN_IMPORT_INTERACTIONS = 1000  # Personalize's minimum interaction records per import job
STOPPED, STOPPING = "CREATE STOPPED", "CREATE STOPPING"
_INSERT_CHUNK = 50_000


def _start(engine: LocalEngine, arn: str) -> dict[str, Any] | None:
    """Mark a job's resource IN_PROGRESS; None if it was stopped before it started."""
    with engine.tx() as res:
        doc = res.find(arn)
        if doc is None or doc["status"] not in (PENDING, IN_PROGRESS, STOPPING):
            return None
        if doc["status"] == STOPPING:
            doc.update(status=STOPPED, lastUpdatedDateTime=res.now)
            res.save(arn, doc)
            return None
        doc.update(status=IN_PROGRESS, lastUpdatedDateTime=res.now)
        res.save(arn, doc)
        return doc


def _end(
    engine: LocalEngine, arn: str, status: str, reason: str | None = None, **fields: Any
) -> None:
    with engine.tx() as res:
        doc = res.find(arn)
        if doc is None:
            return
        doc.update(status=status, lastUpdatedDateTime=res.now, **fields)
        if reason:
            doc["failureReason"] = reason
        res.save(arn, doc)


# -- imports ---------------------------------------------------------------------------------
def run_import(engine: LocalEngine, arn: str, ctx: JobContext) -> None:
    """Read, check and commit one import job's files in a single transaction."""
    doc = _start(engine, arn)
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
        _end(
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


def bump_data_version(res: Resources, group: str) -> None:
    """Tell runtime caches that a group's items or users changed."""
    row = res.conn.execute(
        select(t.data_versions.c.version).where(t.data_versions.c.group_arn == group)
    ).first()
    if row is None:
        res.conn.execute(insert(t.data_versions).values(group_arn=group, version=1))
    else:
        res.conn.execute(
            t.data_versions.update()
            .where(t.data_versions.c.group_arn == group)
            .values(version=row.version + 1)
        )


# -- training --------------------------------------------------------------------------------
def load_training_data(engine: LocalEngine, group: str) -> TrainingData:
    """Everything a recipe may learn from, for one dataset group."""
    with engine.db.connect() as conn:
        inter = pd.read_sql(
            select(
                t.interactions.c.user_id.label("USER_ID"),
                t.interactions.c.item_id.label("ITEM_ID"),
                t.interactions.c.ts.label("TIMESTAMP"),
                t.interactions.c.event_type.label("EVENT_TYPE"),
                t.interactions.c.event_value.label("EVENT_VALUE"),
            )
            .where(t.interactions.c.group_arn == group)
            .order_by(t.interactions.c.id),
            conn,
        )
        item_rows = conn.execute(
            select(t.items.c.item_id, t.items.c.creation_ts, t.items.c.props).where(
                t.items.c.group_arn == group
            )
        ).all()
        user_rows = conn.execute(
            select(t.users.c.user_id, t.users.c.props).where(t.users.c.group_arn == group)
        ).all()
    inter = inter.astype({"USER_ID": str, "ITEM_ID": str, "EVENT_TYPE": str})
    inter["TIMESTAMP"] = inter["TIMESTAMP"].astype("int64")
    inter["EVENT_VALUE"] = inter["EVENT_VALUE"].astype("float64")
    items = pd.DataFrame(
        [
            {**(r.props or {}), "ITEM_ID": r.item_id, "CREATION_TIMESTAMP": r.creation_ts}
            for r in item_rows
        ]
    )
    users = pd.DataFrame([{**(r.props or {}), "USER_ID": r.user_id} for r in user_rows])
    return TrainingData(inter[list(INTERACTION_COLUMNS)], items, users)


def training_config(solution: dict[str, Any], seed: int = 42) -> TrainingConfig:
    """TrainingConfig from a solution's document."""
    cfg = solution.get("solutionConfig") or {}
    threshold = cfg.get("eventValueThreshold")
    events = tuple(
        EventWeight(
            event_type=e["eventType"],
            weight=float(e.get("weight", 1.0)),
            event_value_threshold=e.get("eventValueThreshold"),
        )
        for e in (cfg.get("eventsConfig") or {}).get("eventParametersList") or []
    )
    return TrainingConfig(
        event_type=solution.get("eventType"),
        event_value_threshold=float(threshold) if threshold is not None else None,
        events=events,
        hyperparameters=dict(cfg.get("algorithmHyperParameters") or {}),
        perform_hpo=bool(solution.get("performHPO")),
        seed=seed,
    )


def run_training(engine: LocalEngine, arn: str, ctx: JobContext) -> None:
    """Train one solution version; the result is ACTIVE with metrics, or CREATE FAILED."""
    from services.local import training

    doc = _start(engine, arn)
    if doc is None:
        return
    started = time.time()
    with engine.tx() as res:
        solution = res.get(doc["solutionArn"], "solution")
        versions = res.all("solution-version", parent=doc["solutionArn"])
    previous = [v for v in versions if v["status"] == ACTIVE and v.get("_modelPath")]
    recipe = doc.get("recipeArn", "").rsplit("/", 1)[-1]
    automl = (
        [
            a.rsplit("/", 1)[-1]
            for a in ((solution.get("solutionConfig") or {}).get("autoMLConfig") or {}).get(
                "recipeList", []
            )
        ]
        if solution.get("performAutoML")
        else []
    )
    out = engine.models_dir / f"{arn.rsplit('/', 2)[-2]}-{arn.rsplit('/', 1)[-1]}.npz"

    def progress(_fraction: float) -> None:
        ctx.check_cancelled()

    try:
        data = load_training_data(engine, doc["datasetGroupArn"])
        outcome = training.train(
            data,
            recipe or (automl[0] if automl else ""),
            training_config(solution),
            doc.get("trainingMode", "FULL"),
            Path(previous[-1]["_modelPath"]) if previous else None,
            out_path=out,
            auto_ml_recipes=automl,
            on_progress=progress,
        )
        _hold(engine, started, ctx)
    except Cancelled:
        _end(engine, arn, STOPPED)
        return
    except (TrainingError, ValueError) as err:
        _end(engine, arn, FAILED, str(err))
        return
    used = outcome.best_recipe_name or recipe
    hours = (time.time() - started) / 3600
    fields: dict[str, Any] = {
        "trainingHours": round(hours, 6),
        "_metrics": outcome.metrics,
        "_modelPath": str(out),
        "_recipeName": used,
        "_numInteractions": outcome.num_interactions,
        "_numUsers": outcome.num_users,
        "_numItems": outcome.num_items,
    }
    if outcome.tuned_hyperparameters and doc.get("performHPO"):
        fields["tunedHPOParams"] = {"algorithmHyperParameters": outcome.tuned_hyperparameters}
    if outcome.best_recipe_name:
        fields["recipeArn"] = f"arn:aws:personalize:::recipe/{used}"
    _end(engine, arn, ACTIVE, **fields)
    if outcome.best_recipe_name:
        with engine.tx() as res:
            sol = res.find(doc["solutionArn"])
            if sol is not None:
                sol["autoMLResult"] = {"bestRecipeArn": fields["recipeArn"]}
                res.save(doc["solutionArn"], sol)


def _hold(engine: LocalEngine, started: float, ctx: JobContext) -> None:
    """Stretch training to the configured minimum (demos and restart tests need slow jobs)."""
    floor = engine.settings.min_training_seconds
    while time.time() - started < floor:
        ctx.check_cancelled()
        time.sleep(0.1)


# -- batch inference -------------------------------------------------------------------------
def run_batch(engine: LocalEngine, arn: str, ctx: JobContext) -> None:
    """Answer every JSON line of the input with recommendations, as Personalize does."""
    from services.local.runtime import batch_answer

    doc = _start(engine, arn)
    if doc is None:
        return
    try:
        inputs = resolve_location(engine, doc["jobInput"]["s3DataSource"]["path"])
        out_dir = _output_dir(engine, doc["jobOutput"]["s3DataDestination"]["path"])
        out_dir.mkdir(parents=True, exist_ok=True)
        for path in inputs:
            lines = []
            for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if not raw.strip():
                    continue
                try:
                    query = json.loads(raw)
                    if not isinstance(query, dict):
                        raise ValueError("not a JSON object")
                except ValueError as err:
                    raise ImportFailed(f"{path.name} line {n}: {err}") from err
                lines.append(json.dumps(batch_answer(engine, doc, query)))
                if n % 200 == 0:
                    ctx.check_cancelled()
            (out_dir / f"{path.name}.out").write_text("\n".join(lines) + "\n", encoding="utf-8")
    except (ImportFailed, EngineError, OSError, UnicodeDecodeError) as err:
        _end(engine, arn, FAILED, getattr(err, "message", None) or str(err))
        return
    _end(engine, arn, ACTIVE)


def _output_dir(engine: LocalEngine, location: str) -> Path:
    if location.startswith("s3://"):
        base = engine.s3_dir.resolve()
        path = (base / location[len("s3://") :]).resolve()
        if base not in path.parents and path != base:
            raise ImportFailed(f"output path {location} leaves the bucket folder")
        return path
    return Path(location)


# -- exports ---------------------------------------------------------------------------------
def run_export(engine: LocalEngine, arn: str, ctx: JobContext) -> None:
    """Write a dataset's rows (bulk, PutEvents/Put* or both) as CSV with a header."""
    doc = _start(engine, arn)
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
        out = _output_dir(engine, doc["jobOutput"]["s3DataDestination"]["path"]) / doc["jobName"]
        out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out / "part-00000.csv", index=False)
    except (ImportFailed, OSError) as err:
        _end(engine, arn, FAILED, str(err))
        return
    _end(engine, arn, ACTIVE)


def _export_frame(
    engine: LocalEngine, group: str, kind: str, sources: tuple[str, ...]
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


TASKS = {
    "import": run_import,
    "train": run_training,
    "batch": run_batch,
    "export": run_export,
}
