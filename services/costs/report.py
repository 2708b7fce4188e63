"""What each campaign costs, whether it earns it, and what to do: the cost section's content.

Per campaign: ``minProvisionedTPS`` → hourly and monthly cost at list price; with traffic
(``usage``): requests, peak TPS and the finding — *idle* (no request in the whole window:
it still bills its minimum every hour) or *over-provisioned* (peak TPS below
``OVER_PROVISIONED_RATIO`` of the minimum) — with the action and what it saves a month.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.costs.pricing import HOURS_PER_MONTH, Prices, tiered_cost
from services.costs.usage import Series, Usage, usage
from services.i18n import N_, _
from services.i18n.formats import money
from services.personalize.models import Campaign, SolutionVersion

IDLE_DAYS = 7  # default look-back: a campaign nobody called for a week is idle
OVER_PROVISIONED_RATIO = 0.5  # peak below half the provisioned minimum
MIN_DAYS_FOR_PEAK = 1.0


@dataclass(frozen=True)
class CampaignCost:
    """One campaign's cost at its minimum, its traffic, and the finding with its action."""

    campaign: Campaign
    min_tps: int
    hourly_usd: float  # min_tps × first-tier TPS-hour price
    monthly_usd: float  # hourly × 730
    usage: Usage | None  # None: no traffic source (or it could not be read)
    finding: str | None = None  # "idle" | "over-provisioned" | None
    action: str | None = None
    monthly_saving_usd: float = 0.0


@dataclass(frozen=True)
class CostReport:
    prices: Prices
    campaigns: tuple[CampaignCost, ...]
    idle_days: int
    traffic_problem: str | None = None  # why there is no traffic, when there is none

    @property
    def monthly_minimum_usd(self) -> float:
        """The account's monthly bill for all campaigns at their minimums, tiers applied."""
        return tiered_cost(sum(c.min_tps for c in self.campaigns) * HOURS_PER_MONTH, self.prices)

    @property
    def hourly_usd(self) -> float:
        return sum(c.hourly_usd for c in self.campaigns)

    @property
    def findings(self) -> tuple[CampaignCost, ...]:
        """Campaigns with a finding, biggest saving first."""
        found = [c for c in self.campaigns if c.finding]
        return tuple(sorted(found, key=lambda c: -c.monthly_saving_usd))


def campaign_cost(
    campaign: Campaign, prices: Prices, traffic: Usage | None = None, idle_days: int = IDLE_DAYS
) -> CampaignCost:
    """Cost and finding of one campaign (an unset ``minProvisionedTPS`` is Personalize's 1).

    Idle needs ``idle_days`` of history without a request; over-provisioned needs a day.
    """
    min_tps = campaign.min_provisioned_tps or 1
    hourly = min_tps * prices.tps_hour
    monthly = hourly * HOURS_PER_MONTH
    cost = CampaignCost(campaign, min_tps, hourly, monthly, traffic)
    if traffic is None:
        return cost
    name = campaign.name
    # Judging needs enough history: "idle" means no request for the whole look-back, and a
    # peak measured over less than a day says little about the next busy evening.
    if traffic.requests == 0 and traffic.days >= idle_days:
        return replace(
            cost,
            finding=N_("idle"),
            action=_(
                "No request to {campaign} in {days} days, yet it bills {tps} TPS every hour "
                "({monthly}/month): delete the campaign if nothing calls it any more (batch "
                "inference needs no campaign)."
            ).format(
                campaign=name,
                days=f"{traffic.days:.0f}",
                tps=min_tps,
                monthly=money(monthly, "USD"),
            ),
            monthly_saving_usd=monthly,
        )
    if (
        traffic.requests > 0
        and traffic.days >= MIN_DAYS_FOR_PEAK
        and min_tps > 1
        and traffic.peak_tps < OVER_PROVISIONED_RATIO * min_tps
    ):
        target = max(1, math.ceil(traffic.peak_tps))
        saving = (min_tps - target) * prices.tps_hour * HOURS_PER_MONTH
        return replace(
            cost,
            finding=N_("over-provisioned"),
            action=_(
                "{campaign} peaked at {peak} TPS in {days} days but provisions {tps}: lower "
                "minProvisionedTPS to {target} (UpdateCampaign); Personalize still scales up "
                "above it when traffic grows. Saves {saving}/month."
            ).format(
                campaign=name,
                peak=f"{traffic.peak_tps:.2f}",
                days=f"{traffic.days:.0f}",
                tps=min_tps,
                target=target,
                saving=money(saving, "USD"),
            ),
            monthly_saving_usd=saving,
        )
    return cost


def cost_report(
    campaigns: Iterable[Campaign],
    prices: Prices,
    traffic: Mapping[str, Series] | None,
    now: datetime,
    idle_days: int = IDLE_DAYS,
    traffic_problem: str | None = None,
) -> CostReport:
    """The report over the last ``idle_days`` (``traffic`` None: costs only, no findings;
    ``traffic_problem`` says why).

    A campaign created inside the window is judged from its creation on.
    """
    start = now - timedelta(days=idle_days)
    rows = []
    for campaign in campaigns:
        counted = None
        if traffic is not None:
            begin = max(start, campaign.created) if campaign.created else start
            if begin < now:
                counted = usage(
                    traffic.get(campaign.arn, ()), campaign.min_provisioned_tps or 1, begin, now
                )
        rows.append(campaign_cost(campaign, prices, counted, idle_days))
    return CostReport(prices, tuple(rows), idle_days, traffic_problem)


@dataclass(frozen=True)
class TrainingCost:
    version: SolutionVersion
    hours: float | None  # billed training hours; None until the version is ACTIVE
    usd: float | None


def training_cost(version: SolutionVersion, prices: Prices) -> TrainingCost:
    """``trainingHours`` (billed; only after success, per DescribeSolutionVersion) × price."""
    hours = version.training_hours
    return TrainingCost(version, hours, None if hours is None else hours * prices.training_hour)
