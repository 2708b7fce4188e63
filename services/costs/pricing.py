"""Amazon Personalize list prices for custom campaigns and training, per region.

Source: https://aws.amazon.com/personalize/pricing/ (US East (N. Virginia) list prices, as
checked on ``PRICES_AS_OF``). Billing model, from the same page: a campaign bills the larger
of its ``minProvisionedTPS`` and the actual TPS (average requests per second over 5 minutes),
per TPS-hour, with cheaper tiers as the account's monthly TPS-hours grow; training bills
training hours (4 vCPU + 8 GiB each, so they may exceed wall-clock hours).

Prices change: ``PERSONALIZE_PRICES`` overrides the table with JSON, e.g.
``{"tps_hour": 0.2, "training_hour": 0.24}`` (same for every region) or
``{"eu-west-1": {"tps_hour": 0.22, "training_hour": 0.26}}`` (per region). A region missing
from both is priced like US East and marked ``estimated``.
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


@dataclass(frozen=True)
class Tier:
    """``price`` per TPS-hour for the account's TPS-hours up to ``up_to`` in a month."""

    up_to: float
    price: float


@dataclass(frozen=True)
class Prices:
    """USD list prices of one region."""

    region: str
    training_hour: float  # per training hour
    tps_tiers: tuple[Tier, ...]  # ascending; the last one is unbounded
    estimated: bool = False  # True: the region is not in the table, US East prices are used
    overridden: bool = False  # True: from PERSONALIZE_PRICES

    @property
    def tps_hour(self) -> float:
        """The first tier's price: what one more TPS-hour costs a small account."""
        return self.tps_tiers[0].price


_US = (Tier(20_000, 0.20), Tier(200_000, 0.10), Tier(math.inf, 0.05))
TABLE: dict[str, Prices] = {
    region: Prices(region, training_hour=0.24, tps_tiers=_US)
    for region in ("us-east-1", "us-east-2", "us-west-2")
}
DEFAULT_REGION = "us-east-1"


def prices_for(region: str, override: str | None = None) -> Prices:
    """The prices of ``region``: ``override`` (PERSONALIZE_PRICES JSON), else the table.

    Raises ConfigError when the override is not JSON of the documented form.
    """
    base = TABLE.get(region) or replace(TABLE[DEFAULT_REGION], region=region, estimated=True)
    if not override:
        return base
    try:
        raw = json.loads(override)
    except json.JSONDecodeError as err:
        raise ConfigError(f"PERSONALIZE_PRICES is not JSON: {err}") from err
    if not isinstance(raw, Mapping):
        raise ConfigError("PERSONALIZE_PRICES must be a JSON object")
    values = raw.get(region) if isinstance(raw.get(region), Mapping) else raw
    known = {"tps_hour", "training_hour"}
    picked = {k: v for k, v in values.items() if k in known}
    if not picked:
        return base
    for key, value in picked.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"PERSONALIZE_PRICES: {key} must be a number ≥ 0, not {value!r}")
    tiers = base.tps_tiers
    if "tps_hour" in picked:
        # A flat override: one price for every TPS-hour.
        tiers = (Tier(math.inf, float(picked["tps_hour"])),)
    return Prices(
        region,
        training_hour=float(picked.get("training_hour", base.training_hour)),
        tps_tiers=tiers,
        estimated=False,
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
