"""What each campaign and recommender costs, whether it earns it, and what to do: the cost
section's content.

Per campaign: ``minProvisionedTPS`` → hourly and monthly cost at list price; per ACTIVE
recommender: ``minRecommendationRequestsPerSecond`` → the same (a stopped recommender bills
nothing). Either one returning item metadata with its recommendations pays the metadata
surcharge per TPS-/RPS-hour on top (see ``pricing``). With traffic (``usage``): requests, peak
rate and the finding — *idle* (no request in the whole window: it still bills its minimum
every hour) or *over-provisioned* (peak below ``OVER_PROVISIONED_RATIO`` of the minimum) —
with the action and what it saves a month.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.costs.ingestion import INGESTION_DAYS
from services.costs.pricing import HOURS_PER_MONTH, Prices, tiered_cost
from services.costs.usage import HOUR, WINDOW, Series, Usage, rebucket, usage
from services.i18n import N_, ngettext
from services.i18n.formats import money
from services.personalize.models import Campaign, Recommender, SolutionVersion

IDLE_DAYS = 7  # default look-back: a campaign nobody called for a week is idle
OVER_PROVISIONED_RATIO = 0.5  # peak below half the provisioned minimum
MIN_DAYS_FOR_PEAK = 1.0
GB = 1024**3  # bytes in the GB ingestion is priced by
CAMPAIGN, RECOMMENDER = "campaign", "recommender"


@dataclass(frozen=True)
class ServingCost:
    """One campaign's or recommender's cost at its minimum, its traffic, and the finding.

    ``minimum`` is minProvisionedTPS (campaign) or minRecommendationRequestsPerSecond
    (recommender); ``hourly_usd`` includes the metadata surcharge when it is priced;
    ``metadata_hourly_usd`` is that surcharge: 0.0 without metadata, None when metadata is
    on but no price is known for it.
    """

    kind: str  # CAMPAIGN | RECOMMENDER
    arn: str
    name: str
    minimum: int
    hourly_usd: float
    monthly_usd: float  # hourly × 730
    usage: Usage | None  # None: no traffic source (or it could not be read)
    metadata: bool = False
    metadata_hourly_usd: float | None = 0.0
    finding: str | None = None  # "idle" | "over-provisioned" | None
    action: str | None = None
    monthly_saving_usd: float = 0.0

    @property
    def min_tps(self) -> int:
        """The minimum, by the name the campaign table uses."""
        return self.minimum


CampaignCost = ServingCost  # the name the pages knew first


@dataclass(frozen=True)
class CostReport:
    prices: Prices
    campaigns: tuple[ServingCost, ...]
    idle_days: int
    traffic_problem: str | None = None  # why there is no traffic, when there is none
    recommenders: tuple[ServingCost, ...] = ()
    ingested_bytes: int | None = None  # imported over the last ``ingestion_days``; None: unknown
    ingestion_days: int = INGESTION_DAYS

    @property
    def ingestion_usd(self) -> float | None:
        """What those bytes cost at the per-GB price (None when unknown)."""
        if self.ingested_bytes is None:
            return None
        return ingestion_cost(self.ingested_bytes, self.prices)

    @property
    def serving(self) -> tuple[ServingCost, ...]:
        return self.campaigns + self.recommenders

    @property
    def monthly_minimum_usd(self) -> float:
        """The account's monthly bill for every campaign and recommender at its minimum:
        campaign tiers applied to the campaigns' summed TPS-hours; recommenders and the
        metadata surcharge at their flat prices."""
        campaigns = tiered_cost(
            sum(c.minimum for c in self.campaigns) * HOURS_PER_MONTH, self.prices
        )
        extra = sum(c.metadata_hourly_usd or 0.0 for c in self.campaigns) * HOURS_PER_MONTH
        return campaigns + extra + sum(r.monthly_usd for r in self.recommenders)

    @property
    def hourly_usd(self) -> float:
        return sum(c.hourly_usd for c in self.serving)

    @property
    def metadata_unpriced(self) -> tuple[ServingCost, ...]:
        """Those returning metadata whose surcharge has no price (so totals leave it out)."""
        return tuple(c for c in self.serving if c.metadata_hourly_usd is None)

    @property
    def findings(self) -> tuple[ServingCost, ...]:
        """Campaigns and recommenders with a finding, biggest saving first."""
        found = [c for c in self.serving if c.finding]
        return tuple(sorted(found, key=lambda c: -c.monthly_saving_usd))


def _priced(
    kind: str,
    arn: str,
    name: str,
    minimum: int,
    unit_price: float,
    metadata: bool,
    prices: Prices,
    traffic: Usage | None,
    idle_days: int,
) -> ServingCost:
    """Cost at ``minimum`` × ``unit_price`` an hour plus the metadata surcharge, judged."""
    extra: float | None = 0.0
    if metadata:
        extra = None if prices.metadata_hour is None else minimum * prices.metadata_hour
    hourly = minimum * unit_price + (extra or 0.0)
    cost = ServingCost(
        kind, arn, name, minimum, hourly, hourly * HOURS_PER_MONTH, traffic, metadata, extra
    )
    unit = unit_price + ((prices.metadata_hour or 0.0) if metadata else 0.0)
    return _judge(cost, unit, idle_days)


def _judge(cost: ServingCost, unit_hour: float, idle_days: int) -> ServingCost:
    """Add the finding, its action and its monthly saving (``unit_hour``: USD per TPS-/RPS-
    hour, metadata surcharge included). Idle needs ``idle_days`` of history without a
    request; over-provisioned needs a day."""
    traffic, minimum, name = cost.usage, cost.minimum, cost.name
    if traffic is None:
        return cost
    campaign = cost.kind == CAMPAIGN
    days = round(traffic.days)  # as the messages write it, and the count their form follows
    # Both messages take these; each names the ones it needs (format ignores the others).
    fields = {
        "campaign": name,
        "recommender": name,
        "tps": minimum,
        "rps": minimum,
        "days": f"{days}",
        "monthly": money(cost.monthly_usd, "USD"),
        "peak": f"{traffic.peak_tps:.2f}",
    }
    # Judging needs enough history: "idle" means no request for the whole look-back, and a
    # peak measured over less than a day says little about the next busy evening.
    if traffic.requests == 0 and traffic.days >= idle_days:
        if campaign:
            message = ngettext(
                "No request to {campaign} in {days} day, yet it bills {tps} TPS every hour "
                "({monthly}/month): delete the campaign if nothing calls it any more (batch "
                "inference needs no campaign).",
                "No request to {campaign} in {days} days, yet it bills {tps} TPS every hour "
                "({monthly}/month): delete the campaign if nothing calls it any more (batch "
                "inference needs no campaign).",
                days,
            )
        else:
            message = ngettext(
                "No request to {recommender} in {days} day, yet it bills {rps} requests a "
                "second every hour ({monthly}/month): stop it (StopRecommender; "
                "StartRecommender resumes it) or delete it.",
                "No request to {recommender} in {days} days, yet it bills {rps} requests a "
                "second every hour ({monthly}/month): stop it (StopRecommender; "
                "StartRecommender resumes it) or delete it.",
                days,
            )
        return replace(
            cost,
            finding=N_("idle"),
            action=message.format(**fields),
            monthly_saving_usd=cost.monthly_usd,
        )
    if (
        traffic.requests > 0
        and traffic.days >= MIN_DAYS_FOR_PEAK
        and minimum > 1
        and traffic.peak_tps < OVER_PROVISIONED_RATIO * minimum
    ):
        target = max(1, math.ceil(traffic.peak_tps))
        saving = (minimum - target) * unit_hour * HOURS_PER_MONTH
        if campaign:
            message = ngettext(
                "{campaign} peaked at {peak} TPS in {days} day but provisions {tps}: lower "
                "minProvisionedTPS to {target} (UpdateCampaign); Personalize still scales up "
                "above it when traffic grows. Saves {saving}/month.",
                "{campaign} peaked at {peak} TPS in {days} days but provisions {tps}: lower "
                "minProvisionedTPS to {target} (UpdateCampaign); Personalize still scales up "
                "above it when traffic grows. Saves {saving}/month.",
                days,
            )
        else:
            message = ngettext(
                "{recommender} peaked at {peak} requests a second (busiest hour) in {days} "
                "day but provisions {rps}: lower minRecommendationRequestsPerSecond to "
                "{target} (UpdateRecommender); it still scales up when traffic grows. "
                "Saves {saving}/month.",
                "{recommender} peaked at {peak} requests a second (busiest hour) in {days} "
                "days but provisions {rps}: lower minRecommendationRequestsPerSecond to "
                "{target} (UpdateRecommender); it still scales up when traffic grows. "
                "Saves {saving}/month.",
                days,
            )
        action = message.format(**fields, target=target, saving=money(saving, "USD"))
        return replace(
            cost, finding=N_("over-provisioned"), action=action, monthly_saving_usd=saving
        )
    return cost


def campaign_cost(
    campaign: Campaign, prices: Prices, traffic: Usage | None = None, idle_days: int = IDLE_DAYS
) -> ServingCost:
    """Cost and finding of one campaign (an unset ``minProvisionedTPS`` is Personalize's 1)."""
    metadata = bool(campaign.config and campaign.config.enable_metadata)
    minimum = campaign.min_provisioned_tps or 1
    return _priced(
        CAMPAIGN, campaign.arn, campaign.name, minimum, prices.tps_hour, metadata, prices,
        traffic, idle_days,
    )  # fmt: skip


def recommender_cost(
    recommender: Recommender,
    prices: Prices,
    traffic: Usage | None = None,
    idle_days: int = IDLE_DAYS,
) -> ServingCost:
    """Cost and finding of one recommender (an unset minimum is Personalize's 1 request a
    second); ``traffic`` in hour windows, as it is billed."""
    minimum = recommender.min_requests_per_second or 1
    return _priced(
        RECOMMENDER, recommender.arn, recommender.name, minimum, prices.rps_hour,
        bool(recommender.enable_metadata), prices, traffic, idle_days,
    )  # fmt: skip


def _counted(
    arn: str,
    created: datetime | None,
    minimum: int,
    traffic: Mapping[str, Series],
    start: datetime,
    now: datetime,
    window: timedelta,
) -> Usage | None:
    begin = max(start, created) if created else start
    if begin >= now:
        return None
    series = traffic.get(arn, ())
    if window != WINDOW:
        series = rebucket(series, window)
    return usage(series, minimum, begin, now, window)


def cost_report(
    campaigns: Iterable[Campaign],
    prices: Prices,
    traffic: Mapping[str, Series] | None,
    now: datetime,
    idle_days: int = IDLE_DAYS,
    traffic_problem: str | None = None,
    recommenders: Iterable[Recommender] = (),
    ingested_bytes: int | None = None,
) -> CostReport:
    """The report over the last ``idle_days`` (``traffic`` None: costs only, no findings;
    ``traffic_problem`` says why). ``traffic`` maps campaign and recommender ARNs to their
    requests per 5-minute window; recommenders are judged per hour, as they are billed.
    ``ingested_bytes``: what import jobs read over the last ``INGESTION_DAYS`` days.

    Only ACTIVE recommenders are costed: a stopped one (INACTIVE) bills nothing. A campaign
    or recommender created inside the window is judged from its creation on.
    """
    start = now - timedelta(days=idle_days)
    rows = []
    for campaign in campaigns:
        counted = None
        if traffic is not None:
            minimum = campaign.min_provisioned_tps or 1
            counted = _counted(campaign.arn, campaign.created, minimum, traffic, start, now, WINDOW)
        rows.append(campaign_cost(campaign, prices, counted, idle_days))
    served = []
    for recommender in recommenders:
        if recommender.status != "ACTIVE":
            continue
        counted = None
        if traffic is not None:
            minimum = recommender.min_requests_per_second or 1
            counted = _counted(
                recommender.arn, recommender.created, minimum, traffic, start, now, HOUR
            )
        served.append(recommender_cost(recommender, prices, counted, idle_days))
    return CostReport(
        prices, tuple(rows), idle_days, traffic_problem, tuple(served), ingested_bytes
    )


@dataclass(frozen=True)
class TrainingCost:
    version: SolutionVersion
    hours: float | None  # billed training hours; None until the version is ACTIVE
    usd: float | None


def training_cost(version: SolutionVersion, prices: Prices) -> TrainingCost:
    """``trainingHours`` (billed; only after success, per DescribeSolutionVersion) × price."""
    hours = version.training_hours
    return TrainingCost(version, hours, None if hours is None else hours * prices.training_hour)


def ingestion_cost(size_bytes: int, prices: Prices) -> float:
    """USD to ingest ``size_bytes`` of data (imported or streamed), at the per-GB price."""
    return size_bytes / GB * prices.ingestion_gb
