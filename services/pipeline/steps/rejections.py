"""Rows a prepared raw export lost: a warning below the run's threshold, a refusal above it.

A FULL import replaces every earlier interaction of the dataset (CreateDatasetImportJob,
``importMode``: "FULL: the new data replaces all existing bulk data"; API reference), so a
night whose export lost a share of its rows to a format change must not be imported: the
check step refuses it before any import and campaigns keep their versions. Below the
threshold the lost rows are a warning the run's summary and the Operations page show.

The detail a check step stores (``rejected_detail``: counts, and each reason's kind as a code)
is rendered again by ``rejection_text`` in the reader's language, as the guardrail's numbers
are; the page names its own field where the CLI's text names ``--max-rejected``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.i18n import _, formats, ngettext
from services.prepare.convert import ConvertResult
from services.prepare.reject_reasons import reason_code, reason_in_language

_REASONS_NAMED = 3  # the commonest reasons named; the rest are in the rejects file
CLI_SETTING = "--max-rejected"  # where the CLI's reader raises the limit


def rejected_detail(conversion: ConvertResult, max_pct: float) -> dict[str, Any] | None:
    """``{"read", "rejected", "share" (0–1), "reasons": [[reason, count, code, values], …]
    (commonest first, at most 3; ``code`` and ``values`` as ``reject_reasons.reason_code``
    reads the English reason, None and {} for a reason it did not write), "rejects_path",
    "max_pct"}`` for a conversion that rejected rows; None when it rejected none (or read
    none). Runs stored before the codes have ``[reason, count]`` pairs."""
    rejected = conversion.rows_rejected
    if not rejected or not conversion.rows_read:
        return None
    reasons = []
    for reason, count in conversion.rejects.most_common(_REASONS_NAMED):
        code, values = reason_code(reason) or (None, {})
        reasons.append([reason, count, code, values])
    return {
        "read": conversion.rows_read,
        "rejected": rejected,
        "share": rejected / conversion.rows_read,
        "reasons": reasons,
        "rejects_path": str(conversion.rejects_path) if conversion.rejects_path else None,
        "max_pct": max_pct,
    }


def too_many(detail: Mapping[str, Any]) -> bool:
    """Whether the rejected share is above the run's threshold (``max_pct``, percent)."""
    return float(detail["share"]) * 100 > float(detail["max_pct"])


def _reason(entry: Sequence[Any]) -> str:
    """One counted reason in the reader's language (an older run's ``[reason, count]`` pair:
    read from its text)."""
    text, count = str(entry[0]), entry[1]
    code = entry[2] if len(entry) > 2 else None
    values = entry[3] if len(entry) > 3 else None
    return f"{formats.count(count)} {reason_in_language(text, code, values)}"


def rejection_text(detail: Mapping[str, Any], setting: str = CLI_SETTING) -> str:
    """ "981 of 1,472 rows rejected (66.6%): 981 TIMESTAMP is not a date-time…; rejects in
    FILE", in the reader's language, followed, above the threshold, by what the threshold is
    and where to change it: ``setting`` names it (the CLI's ``--max-rejected`` by default;
    a page names its own field)."""
    reasons = "; ".join(_reason(entry) for entry in detail.get("reasons") or ())
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
        "the export (or its mapping) and run again, or raise the limit ({setting}) if these "
        "rows are meant to go."
    ).format(
        rejected=text,
        limit=formats.share(float(detail["max_pct"]) / 100, 2, trim=True),
        setting=setting,
    )


def check_warnings(rejected_rows: list[Mapping[str, Any]], setting: str = CLI_SETTING) -> list[str]:
    """The rejected-rows warnings of a run's check steps (``RefreshRun.rejected_rows``), in
    the reader's language; empty when no check rejected a row."""
    return [rejection_text(d, setting) for d in rejected_rows]
