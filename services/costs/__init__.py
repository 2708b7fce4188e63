"""What the Personalize account costs: list prices, campaign and recommender traffic, idle and
over-provisioned campaigns and recommenders, training hours, data ingestion, metadata in
recommendations. No streamlit here; pages draw ``CostReport`` and ``TrainingCost``."""

from services.costs.pricing import HOURS_PER_MONTH, PRICES_AS_OF, SOURCE_URL, Prices, prices_for
from services.costs.report import (
    IDLE_DAYS,
    CampaignCost,
    CostReport,
    ServingCost,
    TrainingCost,
    campaign_cost,
    cost_report,
    ingestion_cost,
    recommender_cost,
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
    "ServingCost",
    "TrainingCost",
    "Usage",
    "campaign_cost",
    "cost_report",
    "ingestion_cost",
    "prices_for",
    "recommender_cost",
    "training_cost",
    "usage",
]
