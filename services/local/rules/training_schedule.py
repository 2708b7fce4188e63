"""Automatic training schedules: ``autoTrainingConfig.schedulingExpression`` and when a run is due.

Personalize accepts only ``rate(N days)`` (botocore shape ``SchedulingExpression``: pattern
``rate\\(\\d+ days?\\)``, 1–16 characters) with N from 1 to 30, default 7 days; cron
expressions are not accepted (API reference, ``AutoTrainingConfig``; developer guide,
"Configuring automatic training"). The first automatic training starts within one hour after
the solution becomes ACTIVE; a version created by hand in that hour takes its place.

The engine counts each interval from the newest solution version (automatic or manual), so a
manual retrain also postpones the next automatic one, and from the solution's ACTIVE time plus
one hour before any version exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

DEFAULT_EXPRESSION = "rate(7 days)"
MIN_DAYS, MAX_DAYS = 1, 30
FIRST_RUN_DELAY = 3600.0  # seconds after the solution becomes ACTIVE
DAY = 86_400.0
_RATE = re.compile(r"rate\((\d+) days?\)")


class ScheduleError(ValueError):
    """A scheduling expression Personalize would refuse."""


def parse_schedule(expression: str | None) -> int:
    """Days between automatic trainings for ``expression`` (None → the default, 7).

    Raises:
        ScheduleError: not ``rate(N day)``/``rate(N days)``, or N outside 1–30.
    """
    if expression is None:
        expression = DEFAULT_EXPRESSION
    match = _RATE.fullmatch(expression)
    if match is None:
        raise ScheduleError(
            f"schedulingExpression '{expression}' is not valid: use rate(N days) with N from "
            f"{MIN_DAYS} to {MAX_DAYS}, e.g. {DEFAULT_EXPRESSION}; cron expressions are not "
            "accepted."
        )
    days = int(match.group(1))
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ScheduleError(
            f"schedulingExpression '{expression}': the interval must be {MIN_DAYS} to "
            f"{MAX_DAYS} days, not {days}."
        )
    return days


def next_training_time(
    active_since: float, version_times: Iterable[float], expression: str | None
) -> float:
    """Epoch seconds at which the next automatic training is due.

    ``active_since`` is when the solution became ACTIVE; ``version_times`` the creation times
    of its solution versions (any training type).

    Raises:
        ScheduleError: for an invalid ``expression``.
    """
    days = parse_schedule(expression)
    latest = max(version_times, default=None)
    if latest is None:
        return active_since + FIRST_RUN_DELAY
    return latest + days * DAY
