"""What the Personalize account costs: list prices, campaign traffic, idle and over-provisioned
campaigns, training hours. No streamlit here; pages draw ``CostReport`` and ``TrainingCost``."""

from services.costs.pricing import HOURS_PER_MONTH, PRICES_AS_OF, SOURCE_URL, Prices, prices_for
from services.costs.report import (
    IDLE_DAYS,
    CampaignCost,
    CostReport,
    TrainingCost,
    campaign_cost,
    cost_report,
    training_cost,
)
from services.costs.usage import RequestSource, Usage, usage

__all__ = [
    "HOURS_PER_MONTH",
    "IDLE_DAYS",
    "PRICES_AS_OF",
    "SOURCE_URL",
    "CampaignCost",
    "CostReport",
    "Prices",
    "RequestSource",
    "TrainingCost",
    "Usage",
    "campaign_cost",
    "cost_report",
    "prices_for",
    "training_cost",
    "usage",
]
