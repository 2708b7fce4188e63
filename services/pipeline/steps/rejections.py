"""Rows a prepared raw export lost: a warning below the run's threshold, a refusal above it.

A FULL import replaces every earlier interaction of the dataset (CreateDatasetImportJob,
``importMode``: "FULL: the new data replaces all existing bulk data"; API reference), so a
night whose export lost a share of its rows to a format change must not be imported: the
check step refuses it before any import and campaigns keep their versions. Below the
threshold the lost rows are a warning the run's summary and the Operations page show.

The detail a check step stores (``rejected_detail``) is rendered again by
``rejection_text`` in the reader's language, as the guardrail's numbers are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.i18n import _, formats, ngettext
from services.prepare.convert import ConvertResult

_REASONS_NAMED = 3  # the commonest reasons named; the rest are in the rejects file


def rejected_detail(conversion: ConvertResult, max_pct: float) -> dict[str, Any] | None:
    """``{"read", "rejected", "share" (0–1), "reasons": [[reason, count], …] (commonest
    first, at most 3), "rejects_path", "max_pct"}`` for a conversion that rejected rows; None
    when it rejected none (or read none)."""
    rejected = conversion.rows_rejected
    if not rejected or not conversion.rows_read:
        return None
    return {
        "read": conversion.rows_read,
        "rejected": rejected,
        "share": rejected / conversion.rows_read,
        "reasons": [[r, n] for r, n in conversion.rejects.most_common(_REASONS_NAMED)],
        "rejects_path": str(conversion.rejects_path) if conversion.rejects_path else None,
        "max_pct": max_pct,
    }


def too_many(detail: Mapping[str, Any]) -> bool:
    """Whether the rejected share is above the run's threshold (``max_pct``, percent)."""
    return float(detail["share"]) * 100 > float(detail["max_pct"])


def rejection_text(detail: Mapping[str, Any]) -> str:
    """ "981 of 1,472 rows rejected (66.6%): 981 TIMESTAMP is not a date-time…; rejects in
    FILE", followed, above the threshold, by what the threshold is and how to change it."""
    reasons = "; ".join(f"{formats.count(n)} {r}" for r, n in detail.get("reasons") or ())
    text = ngettext(
        "{rejected} of {read} row rejected ({share}): {reasons}; rejects in {path}",
        "{rejected} of {read} rows rejected ({share}): {reasons}; rejects in {path}",
        int(detail["read"]),
    ).format(
        rejected=formats.count(detail["rejected"]),
        read=formats.count(detail["read"]),
        share=formats.share(detail["share"], 2, trim=True),
        reasons=reasons,
        path=detail.get("rejects_path") or "?",
    )
    if not too_many(detail):
        return text
    return _(
        "{rejected}. That is more than the {limit} a run accepts, so nothing was imported: fix "
        "the export (or its mapping) and run again, or raise the limit (--max-rejected, or "
        "Largest share of rejected rows on the Refresh tab) if these rows are meant to go"
    ).format(rejected=text, limit=formats.share(float(detail["max_pct"]) / 100, 2, trim=True))


def check_warnings(rejected_rows: list[Mapping[str, Any]]) -> list[str]:
    """The rejected-rows warnings of a run's check steps (``RefreshRun.rejected_rows``), in
    the reader's language; empty when no check rejected a row."""
    return [rejection_text(d) for d in rejected_rows]
