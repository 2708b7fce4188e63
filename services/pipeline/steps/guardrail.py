"""The guardrail: deploy a new version only if its offline metric did not drop too far.

Offline metrics (GetSolutionMetrics) of two versions of one solution are computed on each
version's own hold-out split of the dataset group's data; the AWS guide on evaluating solution
versions ("Evaluating a solution version with metrics") recommends comparing versions trained
on the same data only. Where the data behind each version is known (the embedded engine's
record, ``services.evaluation.version_data``), the verdict says when the two were scored on
different hold-outs and on how many test users each.

A drop on fewer than ``MIN_TEST_USERS`` test users is still refused (docs/pipeline.md, "The
guardrail on a small hold-out"): an unattended run does not change live recommendations on a
comparison that cannot tell the versions apart. The refusal says so and names the way out
(Deploy on Operations, with a confirmation, or ``--force``), so an operator who knows the served
version is the worse one is not trapped on it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from services.evaluation.version_data import VersionData, data_reasons, too_few_text, too_few_users
from services.i18n import _, formats, ngettext
from services.workspace.metric_names import metric_label


@dataclass(frozen=True)
class GuardrailResult:
    """``change_pct`` is (new - served) / served × 100 (None without a served value, or when a
    served 0 makes it infinite); ``allowed`` says whether to deploy; ``reported``: the metric
    keys the new version has. ``to_dict()`` is what a run stores (its guardrail step's detail):
    ``guardrail_reason`` renders it again in the reader's language."""

    metric: str
    new_value: float | None
    served_value: float | None
    change_pct: float | None
    tolerance_pct: float
    allowed: bool
    forced: bool
    reason: str
    reported: tuple[str, ...] = ()
    # What each version was trained and scored on (``VersionData.to_record()``), when known.
    new_data: Mapping[str, Any] | None = None
    served_data: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fmt(value: float | None) -> str:
    return formats.metric(value)


def _tolerance(tolerance_pct: float) -> str:
    return formats.share(tolerance_pct / 100, 2, trim=True)


def _refuses(new: float | None, change: float | None, tolerance_pct: float) -> bool:
    """The guardrail's own verdict, before ``force``: no metric, or a drop beyond the
    tolerance (an infinite gain over a served 0 has ``change`` None and passes)."""
    return new is None or (change is not None and -change > tolerance_pct)


def guardrail_reason(detail: Mapping[str, Any]) -> str | None:
    """Why the guardrail decided as it did, in the current language, from the numbers a run
    stored (``GuardrailResult.to_dict()``); the metric named as the pages name it (NDCG@10).
    None when ``detail`` lacks them: a step recorded before they were all stored keeps its
    stored (English) reason."""
    try:
        metric, new, served = detail["metric"], detail["new_value"], detail["served_value"]
        change, tolerance, forced = detail["change_pct"], detail["tolerance_pct"], detail["forced"]
    except (KeyError, TypeError):
        return None
    label = metric_label(str(metric))
    if new is None:
        if "reported" not in detail:
            return None
        keys = ", ".join(metric_label(str(k)) for k in detail["reported"]) or _("none")
        text = _(
            "the new version reports no {metric} (it has: {keys}); choose one of those as the "
            "guardrail's metric"
        ).format(metric=label, keys=keys)
    elif served is None:
        text = _("{metric} {new}; the served version has no {metric} to compare with").format(
            metric=label, new=_fmt(new)
        )
    else:
        shown = formats.change(change / 100, 1) if change is not None else "+∞"
        words = (
            _(
                "{metric} {new} vs {served} served ({change}, a drop beyond the {tolerance} "
                "tolerance)"
            )
            if _refuses(new, change, tolerance)
            else _("{metric} {new} vs {served} served ({change}, within the {tolerance} tolerance)")
        )
        text = words.format(
            metric=label,
            new=_fmt(new),
            served=_fmt(served),
            change=shown,
            tolerance=_tolerance(tolerance),
        )
    notes = _data_notes(detail) if new is not None and served is not None else []
    if notes:
        text = _("{verdict}; {notes}").format(verdict=text, notes="; ".join(notes))
    if forced and _refuses(new, change, tolerance):
        return _("forced: {reason}").format(reason=text)
    if _refuses(new, change, tolerance) and served is not None:
        return _(
            "{reason}. To deploy it anyway: Deploy on Operations (with a confirmation), or run "
            "again with --force"
        ).format(reason=text)
    return text


def _data_notes(detail: Mapping[str, Any]) -> list[str]:
    """Different hold-outs, and how many test users each version was scored on (or that they
    were too few to tell the versions apart), from the records a run stored."""
    records = detail.get("new_data"), detail.get("served_data")
    if not all(isinstance(r, Mapping) for r in records):
        return []
    new, served = (VersionData.from_record(r, r.get("interactions")) for r in records if r)
    notes = []
    differ = data_reasons(new, served, users=False)
    if differ:
        notes.append(
            _("scored on different hold-outs ({reasons})").format(reasons="; ".join(differ))
        )
    if too_few_users(new, served):
        notes.append(too_few_text(new, served))
    elif new.scored_users is not None and served.scored_users is not None:
        notes.append(
            ngettext(
                "{new} vs {served} test user", "{new} vs {served} test users", served.scored_users
            ).format(new=formats.count(new.scored_users), served=formats.count(served.scored_users))
        )
    return notes


def judge(
    metric: str,
    new_metrics: Mapping[str, float],
    served_metrics: Mapping[str, float] | None,
    tolerance_pct: float,
    *,
    force: bool = False,
    new_data: VersionData | None = None,
    served_data: VersionData | None = None,
) -> GuardrailResult:
    """Compare ``metric`` of the new version with the served one.

    The new version must report the metric (a missing key is a refusal that lists the keys it
    has, since a typo would otherwise deploy anything). With no served value to compare with
    (first deploy, or the served version's metrics are gone) the new version is allowed. A
    served value of 0 allows any value ≥ 0. ``force`` deploys anyway and says what the
    guardrail would have decided. ``new_data``/``served_data``: what each version was trained
    and scored on, when known (stored with the result; the reason names different hold-outs
    and the test users). The result's ``reason`` is in the current language (a run's
    worker speaks English); pages render it again with ``guardrail_reason``.
    """
    new = new_metrics.get(metric)
    if new is not None and isinstance(new, float) and math.isnan(new):
        new = None
    served = None if served_metrics is None else served_metrics.get(metric)
    change = None
    if new is not None and served is not None:
        change = (new - served) / served * 100 if served else (0.0 if new == served else math.inf)
    if change is not None and math.isinf(change):
        change = None
    refused = _refuses(new, change, tolerance_pct)
    result = GuardrailResult(
        metric,
        new,
        served,
        change,
        tolerance_pct,
        force or not refused,
        force,
        "",
        tuple(sorted(new_metrics)),
        new_data.to_record() if new_data else None,
        served_data.to_record() if served_data else None,
    )
    return replace(result, reason=guardrail_reason(result.to_dict()) or "")
