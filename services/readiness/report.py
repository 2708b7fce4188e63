"""Values a readiness check returns: findings and the report the dashboard draws."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: Mapping[str, int] = {"error": 0, "warning": 1, "info": 2}
DATASET_TYPES = ("interactions", "items", "users")


def _json_fields(value: Any) -> dict[str, Any]:
    """Every field of the dataclass ``value``, in order, JSON-ready: tuples as lists,
    mappings as dicts, times as ISO 8601 text."""
    out: dict[str, Any] = {}
    for f in fields(value):
        v = getattr(value, f.name)
        if isinstance(v, tuple):
            v = list(v)
        elif isinstance(v, Mapping):
            v = dict(v)
        elif isinstance(v, datetime):
            v = v.isoformat()
        out[f.name] = v
    return out


@dataclass(frozen=True)
class Finding:
    """One problem (or fact) about the data, with the numbers behind it and the fix.

    Attributes:
        code: stable snake-case id, e.g. ``"timestamp_milliseconds"``.
        severity: ``"error"`` blocks import or training, ``"warning"`` explains a risk.
        title: one line for a person.
        detail: the numbers behind it.
        fix: what a person should do.
        rows: up to 5 example line numbers (1-based, the header is line 1).
        column: the column concerned, if any.
    """

    code: str
    severity: Severity
    title: str
    detail: str
    fix: str
    rows: tuple[int, ...] = ()
    column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return _json_fields(self)


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Errors first, then warnings, then info; stable within a severity."""
    return tuple(sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity]))


@dataclass(frozen=True)
class Summary:
    """Headline numbers of one dataset file (None where not applicable, or not known).

    ``missing_columns``: the columns the numbers are read from (USER_ID, ITEM_ID, TIMESTAMP)
    that the file lacks, e.g. a raw export with its own headers. What is read from a missing
    column is not known and is None, never 0: users (USER_ID), items (ITEM_ID), and the
    interactions used for training (all three).
    """

    rows: int = 0
    users: int | None = None
    items: int | None = None
    event_types: Mapping[str, int] = field(default_factory=dict)
    time_min: datetime | None = None
    time_max: datetime | None = None
    interactions_after_filter: int | None = None
    users_with_two_or_more: int | None = None
    single_interaction_user_share: float | None = None
    single_interaction_item_share: float | None = None
    missing_columns: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (times as ISO 8601)."""
        return _json_fields(self)


def empty_events_per_day() -> pd.Series:
    """The empty daily-events series (UTC dates → count)."""
    return pd.Series([], index=pd.DatetimeIndex([], tz="UTC", name="date"), name="events")


def empty_histogram() -> pd.DataFrame:
    """The empty interactions-per-user histogram."""
    return pd.DataFrame({"interactions": pd.Series([], dtype=str), "users": []}).astype(
        {"users": "int64"}
    )


@dataclass(frozen=True, eq=False)
class ReadinessReport:
    """Result of checking one dataset (a CSV file or a DataFrame).

    Attributes:
        dataset_type: ``"interactions"``, ``"items"`` or ``"users"``.
        source: the file path, or ``"<DataFrame>"``.
        findings: sorted by severity, errors first.
        summary: headline numbers.
        events_per_day: interactions per UTC day (Series indexed by date), for a chart.
        interactions_per_user: histogram, columns ``interactions`` (bucket label), ``users``.
        user_ids, item_ids: distinct IDs seen, kept for cross-file checks.
    """

    dataset_type: str
    source: str
    findings: tuple[Finding, ...]
    summary: Summary
    events_per_day: pd.Series = field(default_factory=empty_events_per_day)
    interactions_per_user: pd.DataFrame = field(default_factory=empty_histogram)
    user_ids: pa.Array | None = field(default=None, repr=False)
    item_ids: pa.Array | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not self.errors

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings that block import or training."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings that explain a risk."""
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of all findings, in order."""
        return tuple(f.code for f in self.findings)

    @property
    def looks_like_raw_export(self) -> bool:
        """True when the file's own columns stand where the schema's required ones should: a
        required column is missing and the file has columns the schema does not name (a shop's
        export, e.g. 회원번호, 상품코드, 구매일시). Mapping and converting such a file is the
        prepare step's job (``services.prepare``), not a fix to read finding by finding."""
        codes = set(self.codes)
        return "missing_required_column" in codes and "unknown_column" in codes

    def get(self, code: str) -> Finding | None:
        """The first finding with this code, or None."""
        return next((f for f in self.findings if f.code == code), None)

    def with_findings(self, extra: Iterable[Finding]) -> ReadinessReport:
        """A copy with more findings (re-sorted)."""
        return replace(self, findings=sort_findings([*self.findings, *extra]))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict, aggregates included."""
        per_day = [
            {"date": ts.date().isoformat(), "events": int(n)}
            for ts, n in self.events_per_day.items()
        ]
        return {
            "dataset_type": self.dataset_type,
            "source": self.source,
            "ok": self.ok,
            "summary": self.summary.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "events_per_day": per_day,
            "interactions_per_user": self.interactions_per_user.to_dict(orient="records"),
        }
