"""Offline vs online: each solution version's offline metrics next to what it earned live.

Online numbers come from a metric attribution's report (services.local.runtime.attribution): per
hour,
per source (campaign or recommender) and per solution version, the attributed metric values
and the items shown (impressions). A version's online rate of a metric is its value per
impression (for a click metric: the click-through rate). The local engine writes that report
under the attribution's S3 destination; on AWS, Personalize publishes PutEvents metrics to
CloudWatch and bulk-import metrics to S3 in its own layout, which this module does not read.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from services.datasets.snapshot import ObjectStore
from services.errors import ServiceError
from services.local.runtime.attribution import HOUR, IMPRESSIONS_FILE, REPORT_FILE
from services.local.runtime.attribution import UNDEFINED_SOURCE as UNDEFINED_SOURCE  # for the pages
from services.personalize.models import MetricAttribution

OFFLINE_KEYS = (
    "normalized_discounted_cumulative_gain_at_10",
    "precision_at_10",
)


@dataclass(frozen=True)
class OnlineReport:
    """``metrics``: hour (UTC datetime), source, solutionVersionArn, metricName, eventType,
    value; ``impressions``: hour, source, solutionVersionArn, impressions."""

    metrics: pd.DataFrame
    impressions: pd.DataFrame

    @property
    def metric_names(self) -> list[str]:
        return sorted(self.metrics["metricName"].unique()) if len(self.metrics) else []


def report_uri(attribution: MetricAttribution, file: str) -> str:
    """The URI of one report file of ``attribution`` (it must have an S3 destination)."""
    if not attribution.output_path:
        raise ServiceError(
            f"Metric attribution {attribution.name} reports to CloudWatch only: give it an "
            "S3 destination to see online metrics here."
        )
    return f"{attribution.output_path.rstrip('/')}/{attribution.name}/{file}"


def read_report(store: ObjectStore, attribution: MetricAttribution) -> OnlineReport:
    """Read the attribution's report files.

    Raises:
        ServiceError: no S3 destination, or the files cannot be read.
    """
    frames = []
    for file in (REPORT_FILE, IMPRESSIONS_FILE):
        raw = store.get(report_uri(attribution, file))
        frame = pd.read_csv(io.BytesIO(raw), keep_default_na=False)
        if len(frame):
            frame["hour"] = pd.to_datetime(frame["hour"].astype("int64"), unit="s", utc=True)
        frames.append(frame)
    return OnlineReport(frames[0], frames[1])


def offline_vs_online(
    report: OnlineReport,
    offline: Mapping[str, Mapping[str, float]],
    now: datetime | None = None,
) -> pd.DataFrame:
    """One row per (source, solution version) that served: when, impressions, each metric's
    total and per-impression rate, next to the version's offline metrics.

    ``offline`` maps a solution version ARN to its GetSolutionMetrics values.
    Columns: source, solutionVersionArn, from, until, impressions, then ``<metric>`` and
    ``<metric> per impression`` for each metric, then OFFLINE_KEYS. ``from``/``until`` span
    every hour with a list served or an event credited (the report's hours are hour starts,
    so ``until`` is the end of the last one: a version seen only at 10:00 served 10:00–11:00),
    and never later than ``now`` (default: the clock): the hour under way ends at ``now``.
    """
    keys = ["source", "solutionVersionArn"]
    hours = _credited_hours(report).groupby(keys)["hour"]
    shown = report.impressions.groupby(keys).agg(impressions=("impressions", "sum"))
    shown.insert(0, "from", hours.min())
    now_ = pd.Timestamp(now or datetime.now(UTC))
    shown.insert(1, "until", (hours.max() + pd.Timedelta(seconds=HOUR)).clip(upper=now_))
    if len(report.metrics):
        totals = report.metrics.pivot_table(
            index=keys, columns="metricName", values="value", aggfunc="sum", fill_value=0.0
        )
        table = shown.join(totals, how="left").fillna(0.0)
    else:
        table = shown
    for name in report.metric_names:
        table[f"{name} per impression"] = table[name] / table["impressions"].where(
            table["impressions"] > 0
        )
    table = table.reset_index()
    for key in OFFLINE_KEYS:
        table[key] = [offline.get(v, {}).get(key) for v in table["solutionVersionArn"]]
    return table.sort_values(["source", "from"]).reset_index(drop=True)


def hourly_values(report: OnlineReport, metric: str) -> pd.DataFrame:
    """Per hour of the events and served version: the attributed value of ``metric``
    (columns hour, source, solutionVersionArn, value), every hour from a version's first to
    its last attributed event, quiet hours as 0. Events are bucketed by their own time;
    impressions by when the list was served, so rates are read per version, not per hour."""
    keys = ["hour", "source", "solutionVersionArn"]
    summed = (
        report.metrics.loc[report.metrics["metricName"] == metric]
        .groupby(keys, as_index=False)["value"]
        .sum()
    )
    # An hour with no attributed event is a 0 (the report has no row for it), so a line does
    # not jump straight across quiet hours.
    filled = []
    for (source, version), rows in summed.groupby(["source", "solutionVersionArn"]):
        hours = pd.date_range(rows["hour"].min(), rows["hour"].max(), freq=f"{HOUR}s")
        series = rows.set_index("hour")["value"].reindex(hours, fill_value=0.0)
        filled.append(
            pd.DataFrame(
                {"hour": hours, "source": source, "solutionVersionArn": version, "value": series}
            )
        )
    if not filled:
        return summed
    return pd.concat(filled).sort_values(keys).reset_index(drop=True)


def _credited_hours(report: OnlineReport) -> pd.DataFrame:
    """source, solutionVersionArn, hour of every row of both report files."""
    keys = ["source", "solutionVersionArn", "hour"]
    return pd.concat([report.impressions[keys], report.metrics[keys]], ignore_index=True)


def switch_overs(report: OnlineReport) -> pd.DataFrame:
    """When each source started serving each version: columns source, solutionVersionArn,
    since (the first hour a list was served or an event credited to it), oldest first per
    source; sources that are no campaign or recommender (no version) are left out."""
    keys = ["source", "solutionVersionArn"]
    both = _credited_hours(report)
    both = both.loc[both["solutionVersionArn"].astype(str) != ""]
    first = both.groupby(keys, as_index=False)["hour"].min()
    return (
        first.rename(columns={"hour": "since"})
        .sort_values(["source", "since"])
        .reset_index(drop=True)
    )
