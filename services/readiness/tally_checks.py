"""Counted checks as data: a check a column (or the file) tallies, and the finding it gives.

Most readiness rules count the rows that break them in a ``Tally`` (count, example lines,
example values) and, when any did, report one ``Finding`` with those lines. The texts of each
rule sit in a table of ``TallyCheck`` rows next to the counter; ``tally_findings`` is the one
place that turns the tallies that counted rows into findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.i18n import Plural, translated

from .columns import Tally
from .figures import counted, pct
from .report import Finding, Severity


@dataclass(frozen=True)
class TallyCheck:
    """One counted rule. ``tally`` names the ``Tally`` attribute of the counter; ``code`` the
    finding's code (may name ``{prefix}``); ``title``, ``detail`` and ``fix`` are ``N_``-marked
    templates (``detail``, which counts the rows, ``N_plural``), translated and formatted when
    the finding is made. ``limit`` is the rule's
    bound where its texts state one."""

    tally: str
    code: str
    severity: Severity
    title: str
    detail: str | Plural
    fix: str
    limit: int | None = None


def tally_findings(
    counter: object,
    checks: Iterable[TallyCheck],
    column: str | None = None,
    *,
    total: int | None = None,
    **fields: object,
) -> list[Finding]:
    """A finding for each of ``checks`` whose tally on ``counter`` counted rows, in order.

    Each template is formatted with: ``column``; ``count`` (the tally's rows); ``sample`` and
    ``examples`` (its example values); ``limit``; ``share`` (``count`` of ``total``, when a
    total is given); and ``fields`` (str.format ignores the names a template does not use).
    The finding carries the tally's example lines and ``column``.
    """
    out: list[Finding] = []
    for check in checks:
        tally: Tally = getattr(counter, check.tally)
        if not tally.count:
            continue
        sample = tally.sample()
        values = counted(
            column=column,
            count=tally.count,
            sample=sample,
            examples=sample,
            limit=check.limit,
            **({"share": pct(tally.count, total)} if total is not None else {}),
            **fields,
        )
        title, detail, fix = (
            translated(text, tally.count).format(**values)
            for text in (check.title, check.detail, check.fix)
        )
        code = check.code.format(**values)
        out.append(Finding(code, check.severity, title, detail, fix, tuple(tally.rows), column))
    return out
