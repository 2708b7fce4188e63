"""Amazon Personalize list prices per region: campaigns, recommenders, training, ingestion and
item metadata in recommendations, each figure with whether a source states it.

Source: https://aws.amazon.com/personalize/pricing/ (list prices in USD, as checked on
``PRICES_AS_OF``). Billing model:

- a campaign bills the larger of its ``minProvisionedTPS`` and the actual TPS (average
  requests per second over 5 minutes), per TPS-hour, with cheaper tiers as the account's
  monthly TPS-hours grow (pricing page);
- a recommender bills, per hour, the larger of its minimum requests
  (``minRecommendationRequestsPerSecond`` × 3,600) and the hour's actual requests ("Your bill
  is the greater of either the minimum requests per hour ... or the actual number of requests.
  The actual request throughput used is calculated as the average requests/second within a
  one-hour window": API reference, CreateRecommender,
  https://docs.aws.amazon.com/personalize/latest/dg/API_CreateRecommender.html); priced here
  per RPS-hour (one request a second for an hour, 3,600 requests);
- training bills training hours (4 vCPU + 8 GiB each, so they may exceed wall-clock hours);
- data ingestion bills per GB uploaded, streamed (PutEvents/PutItems/PutUsers) or imported
  from S3 (pricing page);
- returning item metadata with recommendations (``enableMetadataWithRecommendations``) costs
  extra (pricing page; "There is also an additional charge", aws-samples/personalization-apis,
  docs/item_metadata.md); priced here per TPS-hour / RPS-hour of the campaign or recommender.

A figure is *verified* for a region when a dated source states it for that region; every
other figure is US East's, carried over and named in ``Prices.unverified`` so the page can say
"not verified". No stored source gives the metadata surcharge: it is ``None`` (unknown) unless
``PERSONALIZE_PRICES`` sets it.

Prices change: ``PERSONALIZE_PRICES`` overrides the table with JSON, e.g.
``{"tps_hour": 0.2, "training_hour": 0.24}`` (same for every region) or
``{"ap-northeast-2": {"rps_hour": 0.15, "ingestion_gb": 0.05, "metadata_hour": 0.02}}``
(per region); keys ``tps_hour``, ``rps_hour``, ``training_hour``, ``ingestion_gb``,
``metadata_hour``. An overridden figure counts as verified (the operator vouches for it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from services.config import ConfigError

PRICES_AS_OF = date(2026, 11, 30)
SOURCE_URL = "https://aws.amazon.com/personalize/pricing/"
HOURS_PER_MONTH = 730  # AWS's own convention for monthly estimates (24 × 365 / 12)
REQUESTS_PER_RPS_HOUR = 3600
FIGURES = ("tps_hour", "rps_hour", "training_hour", "ingestion_gb", "metadata_hour")


@dataclass(frozen=True)
class Tier:
    """``price`` per TPS-hour for the account's TPS-hours up to ``up_to`` in a month."""

    up_to: float
    price: float


@dataclass(frozen=True)
class Prices:
    """USD list prices of one region.

    ``unverified`` names the figures (of ``FIGURES``) no dated source states for this region;
    ``metadata_hour`` is None when nothing gives it.
    """

    region: str
    training_hour: float  # per training hour
    tps_tiers: tuple[Tier, ...]  # campaigns, ascending; the last one is unbounded
    rps_hour: float = 0.0  # recommenders: per request-a-second for one hour (3,600 requests)
    ingestion_gb: float = 0.0  # per GB of data uploaded (imports and streamed)
    metadata_hour: float | None = None  # extra per TPS-/RPS-hour with metadata returned
    unverified: frozenset[str] = frozenset()
    estimated: bool = False  # True: the region is not in the table, US East prices are used
    overridden: bool = False  # True: some figure from PERSONALIZE_PRICES

    @property
    def tps_hour(self) -> float:
        """The first tier's price: what one more TPS-hour costs a small account."""
        return self.tps_tiers[0].price

    def verified(self, figure: str) -> bool:
        """Whether a dated source (or PERSONALIZE_PRICES) states ``figure`` for the region."""
        return figure not in self.unverified


_US = (Tier(20_000, 0.20), Tier(200_000, 0.10), Tier(math.inf, 0.05))
# US East (N. Virginia) figures. The campaign tiers and the training hour are the pricing
# page's as checked on PRICES_AS_OF; the recommender RPS-hour ($0.0417 per 1,000 requests ×
# 3.6) and the ingestion GB are figures no stored copy of the page states, hence unverified.
_US_EAST = Prices(
    "us-east-1",
    training_hour=0.24,
    tps_tiers=_US,
    rps_hour=0.15,
    ingestion_gb=0.05,
    metadata_hour=None,
    unverified=frozenset({"rps_hour", "ingestion_gb", "metadata_hour"}),
)
TABLE: dict[str, Prices] = {
    region: replace(_US_EAST, region=region) for region in ("us-east-1", "us-east-2", "us-west-2")
}
DEFAULT_REGION = "us-east-1"


def prices_for(region: str, override: str | None = None) -> Prices:
    """The prices of ``region``: ``override`` (PERSONALIZE_PRICES JSON), else the table.

    A region missing from the table gets US East's figures, every one unverified.

    Raises:
        ConfigError: the override is not JSON of the documented form (an object of numbers
            ≥ 0, flat or per region).
    """
    base = TABLE.get(region) or replace(
        TABLE[DEFAULT_REGION], region=region, estimated=True, unverified=frozenset(FIGURES)
    )
    if not override:
        return base
    try:
        raw = json.loads(override)
    except json.JSONDecodeError as err:
        raise ConfigError(f"PERSONALIZE_PRICES is not JSON: {err}") from err
    if not isinstance(raw, Mapping):
        raise ConfigError("PERSONALIZE_PRICES must be a JSON object")
    nested = raw.get(region)
    values = nested if isinstance(nested, Mapping) else raw
    picked = {k: v for k, v in values.items() if k in FIGURES}
    if not picked:
        return base
    for key, value in picked.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"PERSONALIZE_PRICES: {key} must be a number ≥ 0, not {value!r}")
    tiers = base.tps_tiers
    if "tps_hour" in picked:
        # A flat override: one price for every TPS-hour.
        tiers = (Tier(math.inf, float(picked["tps_hour"])),)
    metadata = picked.get("metadata_hour", base.metadata_hour)
    return replace(
        base,
        training_hour=float(picked.get("training_hour", base.training_hour)),
        tps_tiers=tiers,
        rps_hour=float(picked.get("rps_hour", base.rps_hour)),
        ingestion_gb=float(picked.get("ingestion_gb", base.ingestion_gb)),
        metadata_hour=None if metadata is None else float(metadata),
        unverified=base.unverified - set(picked),
        estimated=base.estimated and not picked.keys() >= set(FIGURES),
        overridden=True,
    )


def tiered_cost(tps_hours: float, prices: Prices) -> float:
    """USD for ``tps_hours`` TPS-hours in one month, walking the account's price tiers."""
    cost, lower = 0.0, 0.0
    for tier in prices.tps_tiers:
        if tps_hours <= lower:
            break
        used = min(tps_hours, tier.up_to) - lower
        cost += used * tier.price
        lower = tier.up_to
    return cost
