"""Metric attributions: which recommendations earned which events, per source and per 15 minutes.

The rules (an event's source, the metric expressions, the report's columns and 15-minute
window) are Personalize's, in ``services.local.rules.attribution``; this module applies them to
the events the engine recorded.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from services.local.rules.attribution import PERIOD, REPORT_COLUMNS, UNDEFINED_SOURCE, Metric


def attribute(
    events: pd.DataFrame,
    served: pd.DataFrame,
    items: pd.DataFrame,
    metrics: Iterable[Metric],
    since: float,
) -> pd.DataFrame:
    """The attributed metrics of ``events``, per 15-minute interval and source.

    Args:
        events: EVENT_TYPE, ITEM_ID, TIMESTAMP (epoch s) and optionally RECOMMENDATION_ID,
            EVENT_ATTRIBUTION_SOURCE and numeric Interactions columns (e.g. EVENT_VALUE).
        served: the recommendations the engine issued: RECOMMENDATION_ID, SOURCE (campaign or
            recommender ARN).
        items: ITEM_ID plus the Items columns SUM() may read.
        metrics: parsed metric attributes.
        since: the metric attribution's creation time; earlier events are not reported.

    Returns:
        One row per (metric, source, interval) with a ``VALUE`` (float): columns
        ``REPORT_COLUMNS``, sorted by TIMESTAMP, METRIC_NAME, source.
    """
    metrics = list(metrics)
    if events.empty or not metrics:
        return pd.DataFrame(columns=list(REPORT_COLUMNS))
    ev = events.loc[events["TIMESTAMP"] >= since].copy()
    ev["TIMESTAMP"] = (ev["TIMESTAMP"].astype("int64") // PERIOD) * PERIOD
    rid = ev["RECOMMENDATION_ID"] if "RECOMMENDATION_ID" in ev else pd.Series("", index=ev.index)
    lookup = served.drop_duplicates("RECOMMENDATION_ID").set_index("RECOMMENDATION_ID")
    source = (
        rid.map(lookup["SOURCE"]) if len(lookup) else pd.Series(None, index=ev.index, dtype=object)
    ).astype(object)
    explicit = ev.get("EVENT_ATTRIBUTION_SOURCE")
    if explicit is not None:
        # "If you provide both attributes, Amazon Personalize uses only the
        # eventAttributionSource" (Event metrics and attribution reports).
        given = explicit.notna() & (explicit.astype(str) != "")
        source = source.where(~given, explicit)
    ev["EVENT_ATTRIBUTION_SOURCE"] = source.fillna(UNDEFINED_SOURCE)
    frames = []
    for m in metrics:
        rows = ev.loc[ev["EVENT_TYPE"] == m.event_type]
        if rows.empty:
            continue
        if m.column is None:
            values = pd.Series(1.0, index=rows.index)
        elif m.dataset == "Items":
            prices = pd.to_numeric(items.set_index("ITEM_ID")[m.column], errors="coerce")
            values = rows["ITEM_ID"].map(prices).astype("float64").fillna(0.0)
        else:
            values = pd.to_numeric(rows.get(m.column), errors="coerce").fillna(0.0)
        out = (
            rows.assign(VALUE=values)
            .groupby(["TIMESTAMP", "EVENT_ATTRIBUTION_SOURCE"], as_index=False)["VALUE"]
            .sum()
        )
        out["METRIC_NAME"] = m.metric_name
        out["EVENT_TYPE"] = m.event_type
        out["MATH_FUNCTION"] = "samplecount" if m.column is None else "sum"
        frames.append(out)
    if not frames:
        return pd.DataFrame(columns=list(REPORT_COLUMNS))
    report = pd.concat(frames, ignore_index=True)
    return (
        report.loc[:, list(REPORT_COLUMNS)]
        .sort_values(["TIMESTAMP", "METRIC_NAME", "EVENT_ATTRIBUTION_SOURCE"])
        .reset_index(drop=True)
    )
