"""Offline vs online: each campaign's or recommender's offline metrics next to what it earned
live, from its metric attribution, the same way on AWS and on the local engine.

Where Personalize reports a metric attribution ("Publishing and viewing results",
https://docs.aws.amazon.com/personalize/latest/dg/metric-attribution-results.html):

- PutEvents (and incremental bulk) data: CloudWatch, one metric per attribution metric name
  ("For the search term, specify the name you gave the metric") and source, in 15-minute
  periods ("The minimum Period you can graph is 15 minutes"). ``AttributionSource`` reads it:
  ``services.evaluation.online_cloudwatch`` on AWS, the engine's own figures locally.
- Bulk data: CSV files in the attribution's S3 path, one per import job published with
  ``publishAttributionMetricsToS3``, named ``AggregatedAttributionMetrics - ImportMethod -
  Timestamp.csv`` with the columns ``REPORT_COLUMNS``; ``read_bulk_reports`` reads them from
  S3 or the local engine's mapped folder alike.

Each row credits a *source*: the campaign or recommender whose recommendationId the event
carried, the event's ``eventAttributionSource``, or ``SOURCE_NAME_UNDEFINED`` ("Event metrics
and attribution reports"). Personalize reports neither items shown nor the serving version, so
rates here are per recommendation request (GetRecommendations / GetPersonalizedRanking calls,
CloudWatch's AWS/Personalize metrics on AWS, the engine's counters locally), and a campaign's
offline metrics are those of the version it serves now.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import pandas as pd

from services.datasets.snapshot import ObjectStore
from services.errors import ServiceError
from services.evaluation.products import PRICE_COLUMNS, SHOP_CURRENCY

# The report layout is AWS's; the engine writes it, so its module holds the one definition.
from services.local.rules.attribution import PERIOD, REPORT_COLUMNS, REPORT_PREFIX
from services.local.rules.attribution import UNDEFINED_SOURCE as UNDEFINED_SOURCE
from services.personalize.models import (
    AttributedMetric,
    Campaign,
    MetricAttribution,
    Recommender,
)

# The look-back. CloudWatch publishes PutEvents records less than 14 days old on arrival and
# keeps 15-minute data points for 63 days (CloudWatch concepts, "Metrics retention"); a window of
# exactly 14 days read later than the events arrived would drop the oldest published ones.
ONLINE_DAYS = 28
PERIOD_SECONDS = PERIOD  # Personalize aggregates attributed metrics over 15 minutes
# The frame every reader returns: one row per metric, source and 15-minute period.
POINT_COLUMNS = ("time", "source", "metricName", "eventType", "value", "origin")
EVENTS, BULK = "events", "bulk"  # origin: PutEvents (CloudWatch) | bulk import (S3 report)
OFFLINE_KEYS = (
    "normalized_discounted_cumulative_gain_at_10",
    "precision_at_10",
)
_SUM = re.compile(r"\s*SUM\(\s*(Items|Interactions)\.([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*")


@dataclass(frozen=True)
class PointsQuery:
    """The figures of ``metrics`` of ``attribution`` in ``[start, end)``."""

    attribution: MetricAttribution
    metrics: tuple[AttributedMetric, ...]
    start: datetime
    end: datetime


class AttributionSource(Protocol):
    """The PutEvents side of a metric attribution: CloudWatch on AWS, the engine locally."""

    def points(self, query: PointsQuery) -> pd.DataFrame:
        """``POINT_COLUMNS`` rows (origin ``events``) the query asks for. Raises ServiceError
        when the figures cannot be read."""
        ...


def empty_points() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in POINT_COLUMNS})
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    frame["value"] = frame["value"].astype("float64")
    return frame


def in_window(rows: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    """The ``POINT_COLUMNS`` rows whose time is in ``[start, end)``, renumbered from 0."""
    inside = (rows["time"] >= pd.Timestamp(start)) & (rows["time"] < pd.Timestamp(end))
    return rows.loc[inside].reset_index(drop=True)


def money_currency(metric: AttributedMetric) -> str | None:
    """The currency of ``metric``'s values when it sums a price (``SUM(Items.PRICE)`` and the
    other Items price columns): the shop's, KRW; None for counts and other sums."""
    match = _SUM.fullmatch(metric.expression)
    if match and match.group(1) == "Items" and match.group(2).upper() in PRICE_COLUMNS:
        return SHOP_CURRENCY
    return None


def report_rows(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    """AWS's report layout (``REPORT_COLUMNS``) → ``POINT_COLUMNS``, periods floored to 15
    minutes (the report's TIMESTAMP may fall inside its period).

    Raises:
        ServiceError: a column is missing or a VALUE / TIMESTAMP is not a number.
    """
    missing = [c for c in REPORT_COLUMNS if c not in frame.columns]
    if missing:
        raise ServiceError(
            f"The attribution report lacks the column(s) {', '.join(missing)}: it is not in "
            "Personalize's layout (" + ",".join(REPORT_COLUMNS) + ")."
        )
    values = pd.to_numeric(frame["VALUE"], errors="coerce")
    stamps = pd.to_numeric(frame["TIMESTAMP"], errors="coerce")
    if values.isna().any() or stamps.isna().any():
        raise ServiceError("The attribution report has a VALUE or TIMESTAMP that is no number.")
    periods = (stamps.astype("int64") // PERIOD_SECONDS) * PERIOD_SECONDS
    out = pd.DataFrame(
        {
            "time": pd.to_datetime(periods, unit="s", utc=True),
            "source": frame["EVENT_ATTRIBUTION_SOURCE"].astype(str),
            "metricName": frame["METRIC_NAME"].astype(str),
            "eventType": frame["EVENT_TYPE"].astype(str),
            "value": values.astype("float64"),
            "origin": origin,
        }
    )
    return out.loc[:, list(POINT_COLUMNS)]


def read_bulk_reports(
    store: ObjectStore, attribution: MetricAttribution, start: datetime, end: datetime
) -> pd.DataFrame:
    """Every ``AggregatedAttributionMetrics…csv`` under the attribution's S3 path, as
    ``POINT_COLUMNS`` rows (origin ``bulk``) in ``[start, end)``; none without a path.

    Raises:
        ServiceError: a file cannot be listed, read or parsed (it names the file).
    """
    if not attribution.output_path:
        return empty_points()
    prefix = (
        attribution.output_path
        if attribution.output_path.endswith("/")
        else (attribution.output_path + "/")
    )
    frames = []
    for uri in store.list(prefix):
        name = uri.rsplit("/", 1)[-1]
        if not (name.startswith(REPORT_PREFIX) and name.endswith(".csv")):
            continue
        try:
            raw = pd.read_csv(io.BytesIO(store.get(uri)), dtype=str, keep_default_na=False)
            frames.append(report_rows(raw, BULK))
        except (ValueError, UnicodeDecodeError) as err:
            raise ServiceError(f"Could not read the attribution report {uri}: {err}") from err
        except ServiceError as err:
            raise ServiceError(f"{uri}: {err}") from err
    if not frames:
        return empty_points()
    rows = pd.concat(frames, ignore_index=True)
    return in_window(rows, start, end)


@dataclass(frozen=True)
class OnlineReport:
    """One metric attribution's figures over ``[start, end)``.

    ``points``: ``POINT_COLUMNS`` from CloudWatch (or the engine) and the S3 reports;
    ``requests``: recommendation requests per campaign / recommender ARN in the window (None:
    traffic unknown, ``problem`` says why).
    """

    attribution: MetricAttribution
    metrics: tuple[AttributedMetric, ...]
    points: pd.DataFrame
    start: datetime
    end: datetime
    requests: Mapping[str, int] | None = None
    problem: str | None = None
    currencies: Mapping[str, str] = field(default_factory=dict)  # metric name -> ISO 4217

    @property
    def metric_names(self) -> list[str]:
        return [m.name for m in self.metrics]


def online_report(
    attribution: MetricAttribution,
    metrics: Sequence[AttributedMetric],
    source: AttributionSource,
    store: ObjectStore,
    start: datetime,
    end: datetime,
    requests: Mapping[str, int] | None = None,
    problem: str | None = None,
) -> OnlineReport:
    """Read both sides of ``attribution`` (PutEvents via ``source``, bulk via ``store``).

    Raises:
        ServiceError: either side could not be read.
    """
    frames = [source.points(PointsQuery(attribution, tuple(metrics), start, end))]
    frames.append(read_bulk_reports(store, attribution, start, end))
    kept = [f for f in frames if len(f)]
    points = pd.concat(kept, ignore_index=True) if kept else empty_points()
    currencies = {m.name: c for m in metrics if (c := money_currency(m))}
    return OnlineReport(
        attribution, tuple(metrics), points, start, end, requests, problem, currencies
    )


def online_table(
    report: OnlineReport,
    serving: Mapping[str, str | None],
    offline: Mapping[str, Mapping[str, float]],
) -> pd.DataFrame:
    """One row per source that earned something or served requests.

    ``serving`` maps the group's campaign and recommender ARNs to the solution version (or
    recommender) whose offline metrics stand for them; ``offline`` maps that key to its
    metrics. Columns: source, solutionVersionArn, requests, each metric's total, ``<metric>
    per request`` for each metric (None without requests), then OFFLINE_KEYS. Sorted: the
    group's campaigns and recommenders first, by name; other sources after.
    """
    totals = (
        report.points.pivot_table(
            index="source", columns="metricName", values="value", aggfunc="sum", fill_value=0.0
        )
        if len(report.points)
        else pd.DataFrame()
    )
    requests = report.requests or {}
    sources = sorted(set(totals.index) | {a for a, n in requests.items() if n})
    rows = []
    for src in sources:
        served = requests.get(src) if report.requests is not None else None
        row: dict[str, object] = {
            "source": src,
            "solutionVersionArn": serving.get(src),
            "requests": served,
        }
        earned = src in totals.index
        for name in report.metric_names:
            total = float(totals.at[src, name]) if earned and name in totals else 0.0
            row[name] = total
            row[f"{name} per request"] = total / served if served else None
        key = serving.get(src)
        for k in OFFLINE_KEYS:
            row[k] = offline.get(key or "", {}).get(k)
        rows.append(row)
    columns = ["source", "solutionVersionArn", "requests"]
    columns += report.metric_names + [f"{n} per request" for n in report.metric_names]
    columns += list(OFFLINE_KEYS)
    table = pd.DataFrame(rows, columns=columns)
    order = [(s not in serving, s) for s in table["source"]]
    table = table.iloc[sorted(range(len(table)), key=order.__getitem__)]
    return table.reset_index(drop=True)


def periodic_values(report: OnlineReport, metric: str, freq: str = "1h") -> pd.DataFrame:
    """``metric`` per source and period of ``freq`` (columns time, source, value), every
    period from a source's first to its last credited one, quiet periods as 0."""
    rows = report.points.loc[report.points["metricName"] == metric]
    if rows.empty:
        return pd.DataFrame({"time": [], "source": [], "value": []})
    filled = []
    for src, part in rows.groupby("source"):
        series = part.set_index("time")["value"].resample(freq).sum()
        filled.append(pd.DataFrame({"time": series.index, "source": src, "value": series.values}))
    return pd.concat(filled).sort_values(["source", "time"]).reset_index(drop=True)


def window_now() -> datetime:
    """The report's end: now, on a 15-minute boundary (CloudWatch's periods start there)."""
    now = datetime.now(UTC)
    return datetime.fromtimestamp(
        now.timestamp() // PERIOD_SECONDS * PERIOD_SECONDS + PERIOD_SECONDS, UTC
    )


def deployed(
    campaigns: Sequence[Campaign], recommenders: Sequence[Recommender]
) -> tuple[dict[str, str | None], dict[str, Mapping[str, float]]]:
    """What stands for each source of a group in ``online_table``: a campaign's version now
    served, a recommender itself (whose offline metrics are its ``modelMetrics``).

    Returns:
        (source ARN -> key, key -> offline metrics for the recommenders' keys).
    """
    serving: dict[str, str | None] = {c.arn: c.solution_version_arn for c in campaigns}
    serving |= {r.arn: r.arn for r in recommenders}
    return serving, {r.arn: r.model_metrics for r in recommenders}


@dataclass(frozen=True)
class OnlineView:
    """What the page draws for one attribution: its report, ``deployed``'s two maps and
    ``switch_times``."""

    report: OnlineReport
    serving: Mapping[str, str | None]
    offline: Mapping[str, Mapping[str, float]]
    switches: Mapping[str, datetime] = field(default_factory=dict)


def switch_times(
    campaigns: Sequence[Campaign], start: datetime, end: datetime
) -> dict[str, datetime]:
    """When each campaign began serving the version it serves now, where that fell inside
    ``[start, end)``: the completion of its latest UpdateCampaign that reached ACTIVE with a
    version (DescribeCampaign ``latestCampaignUpdate``; an update of the minimum TPS alone
    that names the same version is taken for one too). Figures before it were earned by an
    earlier version; Personalize keeps no older history."""
    found = {}
    for c in campaigns:
        update = c.pending_update
        if update is None or update.status != "ACTIVE" or update.updated is None:
            continue
        if not update.solution_version_arn or update.solution_version_arn != c.solution_version_arn:
            continue
        if start <= update.updated < end:
            found[c.arn] = update.updated
    return found
