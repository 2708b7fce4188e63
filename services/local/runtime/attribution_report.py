"""The engine side of metric attributions: the issued-recommendations log, the PutEvents
metrics (what AWS sends to CloudWatch) and the bulk-import reports (what AWS writes to S3).

Where AWS puts each ("Publishing and viewing results",
https://docs.aws.amazon.com/personalize/latest/dg/metric-attribution-results.html):

- PutEvents data goes to CloudWatch, one metric per ``metricName`` and source in 15-minute
  periods; "to publish metrics to CloudWatch, records must be less than 14 days old"
  (metric-attribution-requirements.html). ``putevents_metrics`` answers with those rows, in
  the report's columns (services.local.rules.attribution), for the dashboard's local reader.
- Bulk data goes to S3 only for an Interactions import job created with
  ``publishAttributionMetricsToS3``: "Each time you publish metrics, Amazon Personalize creates
  a new file in your Amazon S3 bucket. The file name includes the import method and date as
  follows: AggregatedAttributionMetrics - ImportMethod - Timestamp.csv". ``import_report``
  names ``<path>/AggregatedAttributionMetrics-<FULL|INCREMENTAL>-<epoch s>.csv``.

The runtime logs each recommendationId it answers (only while the group has a metric
attribution, so serving stays one read otherwise; ``services.local.runtime.answers``): it names
the campaign or recommender an event's recommendationId credits.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from sqlalchemy import func, select

from services.local.context import EngineContext
from services.local.data.storage import frames as datasets
from services.local.data.storage import tables as t
from services.local.data.storage.locations import output_dir
from services.local.rules.attribution import REPORT_PREFIX, parse_metric
from services.local.runtime.attribution import attribute

_ATTRIBUTED_TTL = 5.0  # seconds a "does this group have a …?" answer is cached
_attributed: dict[tuple[int, str, str], tuple[float, bool]] = {}
_lock = threading.Lock()


def group_has(engine: EngineContext, group: str, kind: str) -> bool:
    """Whether the dataset group has a resource of ``kind`` (``metric-attribution``,
    ``event-tracker``), cached for a few seconds: the runtime asks on every answer."""
    key = (id(engine), group, kind)
    now = time.monotonic()
    with _lock:
        hit = _attributed.get(key)
    if hit is not None and now - hit[0] < _ATTRIBUTED_TTL:
        return hit[1]
    with engine.read_db.connect() as conn:
        count = conn.execute(
            select(func.count())
            .select_from(t.resources)
            .where(t.resources.c.kind == kind, t.resources.c.group_arn == group)
        ).scalar_one()
    with _lock:
        _attributed[key] = (now, bool(count))
    return bool(count)


def group_is_attributed(engine: EngineContext, group: str) -> bool:
    """Whether the dataset group has a metric attribution (cached for a few seconds)."""
    return group_has(engine, group, "metric-attribution")


def forget(group: str | None = None) -> None:
    """Drop cached answers for ``group`` (None: every group) after a metric attribution or an
    event tracker was created or deleted here; other processes see the change within the
    cache's few seconds."""
    with _lock:
        for key in [k for k in _attributed if group is None or k[1] == group]:
            del _attributed[key]


CLOUDWATCH_MAX_AGE = 14 * 86_400  # seconds: older records are not published to CloudWatch


def _served(conn: Any, group: str) -> pd.DataFrame:
    return pd.read_sql(
        select(
            t.issued.c.recommendation_id.label("RECOMMENDATION_ID"),
            t.issued.c.source_arn.label("SOURCE"),
        ).where(t.issued.c.group_arn == group),
        conn,
    )


def putevents_metrics(engine: EngineContext, doc: dict[str, Any]) -> pd.DataFrame:
    """The attribution's metrics of the PutEvents events received since it was created and
    less than 14 days old when they arrived: columns ``REPORT_COLUMNS``, 15-minute rows."""
    group, since = doc["datasetGroupArn"], float(doc["creationDateTime"])
    metrics = [parse_metric(m) for m in doc["_metrics"]]
    # Of the columns PutEvents kept beyond the fixed ones (its JSON ``extra``), only those the
    # rules read are taken, each extracted by the database: decoding every row's JSON (an
    # impression list each) was most of a Solutions page's first load (issue #21).
    kept = {m.column for m in metrics if m.column and m.dataset != "Items"} - set(_FIXED)
    extras = sorted(kept | {"EVENT_ATTRIBUTION_SOURCE"})
    c = t.interactions.c
    with engine.read_db.connect() as conn:
        rows = conn.execute(
            select(
                c.item_id,
                c.ts,
                c.event_type,
                c.event_value,
                c.recommendation_id,
                *(c.extra[name].as_string() for name in extras),
            )  # fmt: skip
            .where(c.group_arn == group, c.source == "put", c.received >= since)
            .where(c.ts >= c.received - CLOUDWATCH_MAX_AGE)
            .order_by(c.id)
        ).all()
        served = _served(conn, group)
    events = pd.DataFrame([tuple(r) for r in rows], columns=[*_FIXED, *extras])
    events["TIMESTAMP"] = events["TIMESTAMP"].astype("int64")
    items = datasets.records(engine.read_db, engine.bulk, group, "Items")
    return attribute(events, served, items, metrics, since=float("-inf"))


_FIXED = ("ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE", "RECOMMENDATION_ID")


def attribution_of(engine: EngineContext, group: str) -> dict[str, Any] | None:
    """The group's ACTIVE metric attribution document, None when it has none."""
    with engine.reading() as res:
        docs = res.all("metric-attribution", group=group)
    return next((d for d in docs if d.get("status") == "ACTIVE"), None)


def import_report(
    engine: EngineContext, group: str, events: pa.Table, import_mode: str
) -> tuple[pd.DataFrame, Path] | None:
    """The attribution report of one Interactions import job's rows and the file it goes to
    in the group's metric attribution's S3 path
    (``<path>/AggregatedAttributionMetrics-<FULL|INCREMENTAL>-<epoch s>.csv``); None when the
    group has no attribution with a path. The import job writes it (``jobs.tasks.imports``).

    Raises:
        ImportFailed: the attribution's path is not an output folder.
    """
    doc = attribution_of(engine, group)
    path = ((doc or {}).get("metricsOutputConfig") or {}).get("s3DataDestination", {}).get("path")
    if doc is None or not path:
        return None
    frame = events.to_pandas()
    with engine.read_db.connect() as conn:
        served = _served(conn, group)
    items = datasets.records(engine.read_db, engine.bulk, group, "Items")
    metrics = [parse_metric(m) for m in doc["_metrics"]]
    report = attribute(frame, served, items, metrics, since=float("-inf"))
    name = f"{REPORT_PREFIX}-{import_mode}-{int(engine.clock())}.csv"
    return report, output_dir(engine, path) / name
