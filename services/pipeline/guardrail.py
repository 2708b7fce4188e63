"""The guardrail: deploy a new version only if its offline metric did not drop too far.

Offline metrics (GetSolutionMetrics) of two versions of one solution are comparable because
both are computed on Personalize's hold-out split of the same dataset group; the AWS guide on
evaluating solution versions recommends comparing versions this way, within one group.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from services.i18n import formats


@dataclass(frozen=True)
class GuardrailResult:
    """``change_pct`` is (new - served) / served × 100; ``allowed`` says whether to deploy."""

    metric: str
    new_value: float | None
    served_value: float | None
    change_pct: float | None
    tolerance_pct: float
    allowed: bool
    forced: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fmt(value: float | None) -> str:
    return formats.metric(value)


def _tolerance(tolerance_pct: float) -> str:
    return formats.share(tolerance_pct / 100, 2, trim=True)


def judge(
    metric: str,
    new_metrics: Mapping[str, float],
    served_metrics: Mapping[str, float] | None,
    tolerance_pct: float,
    *,
    force: bool = False,
) -> GuardrailResult:
    """Compare ``metric`` of the new version with the served one.

    The new version must report the metric (a missing key is a refusal that lists the keys it
    has, since a typo would otherwise deploy anything). With no served value to compare with
    (first deploy, or the served version's metrics are gone) the new version is allowed. A
    served value of 0 allows any value ≥ 0. ``force`` deploys anyway and says what the
    guardrail would have decided.
    """
    new = new_metrics.get(metric)
    served = None if served_metrics is None else served_metrics.get(metric)
    change = None
    if new is None or (isinstance(new, float) and math.isnan(new)):
        keys = ", ".join(sorted(new_metrics)) or "none"
        allowed, reason = (
            False,
            f"the new version reports no {metric} (it has: {keys}); choose one of those "
            "with --metric",
        )
    elif served is None:
        allowed, reason = (
            True,
            (f"{metric} {_fmt(new)}; the served version has no {metric} to compare with"),
        )
    else:
        change = (new - served) / served * 100 if served else (0.0 if new == served else math.inf)
        drop = -change
        shown = formats.change(change / 100, 1) if math.isfinite(change) else "+∞"
        words = f"{metric} {_fmt(new)} vs {_fmt(served)} served ({shown}"
        if drop > tolerance_pct:
            allowed = False
            reason = f"{words}, a drop beyond the {_tolerance(tolerance_pct)} tolerance)"
        else:
            allowed = True
            reason = f"{words}, within the {_tolerance(tolerance_pct)} tolerance)"
    if change is not None and math.isinf(change):
        change = None
    if force and not allowed:
        return GuardrailResult(
            metric, new, served, change, tolerance_pct, True, True, f"forced: {reason}"
        )
    return GuardrailResult(metric, new, served, change, tolerance_pct, allowed, force, reason)
