"""The engine side of metric attributions: the issued-recommendations log and the S3 report.

The runtime logs each recommendationId it answers (only while the group has a metric
attribution, so serving stays one read otherwise). The report joins that log with the
PutEvents events that arrived after the attribution was created (services.local.runtime.attribution)
and is written, as AWS would write to ``metricsOutputConfig.s3DataDestination.path``, to the
mapped folder ``<path>/<attribution name>/``:

- ``attributed-metrics.csv``: hour (epoch s), source, solutionVersionArn, metricName,
  eventType, value;
- ``impressions.csv``: hour, source, solutionVersionArn, impressions (items shown).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from services.local.context import EngineContext
from services.local.data import frames as datasets
from services.local.data import tables as t
from services.local.data.locations import output_dir
from services.local.runtime.attribution import (
    IMPRESSIONS_FILE,
    REPORT_FILE,
    attribute,
    impressions,
    parse_metric,
)

_log = logging.getLogger(__name__)
_ATTRIBUTED_TTL = 5.0  # seconds a "does this group have an attribution?" answer is cached
_attributed: dict[tuple[int, str], tuple[float, bool]] = {}
_lock = threading.Lock()


def group_is_attributed(engine: EngineContext, group: str) -> bool:
    """Whether the dataset group has a metric attribution (cached for a few seconds)."""
    key = (id(engine), group)
    now = time.monotonic()
    with _lock:
        hit = _attributed.get(key)
    if hit is not None and now - hit[0] < _ATTRIBUTED_TTL:
        return hit[1]
    with engine.read_db.connect() as conn:
        count = conn.execute(
            select(func.count())
            .select_from(t.resources)
            .where(t.resources.c.kind == "metric-attribution", t.resources.c.group_arn == group)
        ).scalar_one()
    with _lock:
        _attributed[key] = (now, bool(count))
    return bool(count)


def forget(group: str | None = None) -> None:
    """Drop cached answers for ``group`` (None: every group) after a metric attribution was
    created or deleted here; other processes see the change within the cache's few seconds."""
    with _lock:
        for key in [k for k in _attributed if group is None or k[1] == group]:
            del _attributed[key]


def log_issued(
    engine: EngineContext, group: str, source: str, version: str, rid: str, num_items: int
) -> None:
    """Remember which campaign/recommender and version answered ``rid`` (attributed groups).

    Best effort: the answer never waits on this write. A store that cannot take it (a full
    disk, a read-only or locked database) loses this recommendation from the attribution
    report, with a warning in the log, and the request is answered all the same.
    """
    if not group_is_attributed(engine, group):
        return
    try:
        with engine.db.begin() as conn:
            conn.execute(
                insert(t.issued).values(
                    recommendation_id=rid,
                    group_arn=group,
                    source_arn=source,
                    version_arn=version,
                    ts=engine.clock(),
                    num_items=num_items,
                )
            )
    except (SQLAlchemyError, OSError) as err:
        _log.warning("recommendation %s not logged for metric attribution: %s", rid, err)


def build(engine: EngineContext, doc: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(attributed metrics, impressions) of one metric attribution, as described above."""
    group, since = doc["datasetGroupArn"], float(doc["creationDateTime"])
    c = t.interactions.c
    with engine.read_db.connect() as conn:
        rows = conn.execute(
            select(c.item_id, c.ts, c.event_type, c.event_value, c.recommendation_id, c.extra)
            .where(c.group_arn == group, c.source == "put", c.received >= since)
            .order_by(c.id)
        ).all()
        served = pd.read_sql(
            select(
                t.issued.c.recommendation_id.label("RECOMMENDATION_ID"),
                t.issued.c.source_arn.label("SOURCE"),
                t.issued.c.version_arn.label("SOLUTION_VERSION_ARN"),
                t.issued.c.ts.label("TIMESTAMP"),
                t.issued.c.num_items.label("NUM_ITEMS"),
            ).where(t.issued.c.group_arn == group, t.issued.c.ts >= since),
            conn,
        )
    events = pd.DataFrame(
        [
            {
                "ITEM_ID": r.item_id,
                "TIMESTAMP": int(r.ts),
                "EVENT_TYPE": r.event_type,
                "EVENT_VALUE": r.event_value,
                "RECOMMENDATION_ID": r.recommendation_id,
                **(r.extra or {}),
            }
            for r in rows
        ],
        columns=None if rows else ["ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "RECOMMENDATION_ID"],
    )
    items = datasets.records(engine.read_db, engine.bulk, group, "Items")
    metrics = [parse_metric(m) for m in doc["_metrics"]]
    report = attribute(events, served, items, metrics, since=float("-inf"))
    return report, impressions(served, since=since)


def publish(engine: EngineContext, doc: dict[str, Any]) -> Path | None:
    """Write the report under the attribution's S3 destination; None if it has none."""
    path = ((doc.get("metricsOutputConfig") or {}).get("s3DataDestination") or {}).get("path")
    if not path:
        return None
    report, shown = build(engine, doc)
    folder = output_dir(engine, path) / doc["name"]
    folder.mkdir(parents=True, exist_ok=True)
    for frame, name in ((report, REPORT_FILE), (shown, IMPRESSIONS_FILE)):
        tmp = folder / f".{name}.tmp"
        frame.to_csv(tmp, index=False)
        tmp.replace(folder / name)
    return folder
