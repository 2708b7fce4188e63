"""How a campaign gets new models: by hand, or by Personalize's automatic training and sync.

A solution with ``performAutoTraining`` (Personalize's default) trains a new version every
``rate(N days)`` (default 7); a campaign with ``syncWithLatestSolutionVersion`` then moves to
each new ACTIVE version by itself. Anything else needs a person (or a scheduled pipeline) to
train and update the campaign.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.i18n import N_
from services.local.rules.training_schedule import FIRST_RUN_DELAY, ScheduleError, parse_schedule
from services.personalize.models import Campaign, Solution, SolutionVersion


@dataclass(frozen=True)
class Refresh:
    """``schedule_days`` is None without automatic training; times are tz-aware UTC."""

    auto_training: bool
    schedule_days: int | None
    auto_sync: bool
    last_training: datetime | None
    next_training: datetime | None

    @property
    def mode(self) -> str:
        """A short label: "automatic training + auto-sync", "automatic training, manual
        deploy", "manual retrain, auto-sync" or "manual"."""
        if self.auto_training and self.auto_sync:
            return N_("automatic training + auto-sync")
        if self.auto_training:
            return N_("automatic training, manual deploy")
        if self.auto_sync:
            return N_("manual retrain, auto-sync")
        return N_("manual")


def refresh_of(
    solution: Solution, versions: Sequence[SolutionVersion], campaign: Campaign | None
) -> Refresh:
    """How ``campaign`` (of ``solution``, described) is refreshed.

    ``next_training`` follows Personalize's rule as the local engine applies it: the interval
    counts from the newest version, and the first run comes within an hour of the solution
    becoming ACTIVE (services.local.rules.training_schedule).
    """
    created = [v.created for v in versions if v.created]
    last = max(created, default=None)
    days: int | None = None
    auto = solution.perform_auto_training is not False  # Personalize defaults to true
    if auto:
        try:
            days = parse_schedule(solution.auto_training_schedule)
        except ScheduleError:
            auto = False
    next_time = None
    if auto and days is not None:
        if last is not None:
            next_time = last + timedelta(days=days)
        elif solution.created is not None:
            next_time = solution.created + timedelta(seconds=FIRST_RUN_DELAY)
    config = campaign.config if campaign else None
    return Refresh(
        auto_training=auto,
        schedule_days=days,
        auto_sync=bool(config and config.sync_with_latest_version),
        last_training=last,
        next_training=next_time,
    )
