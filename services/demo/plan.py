"""What the demo shop holds: the names of its dataset groups, solutions, campaigns, filters,
recommender and metric attribution, the recipes they use, and the ARNs that follow."""

from __future__ import annotations

from dataclasses import dataclass

from services.config import LOCAL_ACCOUNT, Settings
from services.demo import eshop

GROUP = "demo-shop"
BUCKET = "demo-shop"
SEEDED_TAG = "demo:seeded"  # on the group once every step succeeded (value: UTC time)


@dataclass(frozen=True)
class DemoNames:
    """Names of the demo's resources (ARNs follow from them; see ``arns``)."""

    group: str = GROUP
    tracker: str = f"{GROUP}-tracker"
    user_personalization: str = "demo-user-personalization"
    popularity: str = "demo-popularity"
    similar_items: str = "demo-similar-items"
    ranking: str = "demo-ranking"
    user_personalization_v2: str = "demo-user-personalization-v2"
    recommendations_campaign: str = "demo-recommendations"
    popularity_campaign: str = "demo-popularity"
    similar_items_campaign: str = "demo-similar-items"
    ranking_campaign: str = "demo-ranking"
    exclude_purchased: str = "demo-exclude-purchased"
    by_category: str = "demo-category"
    attribution: str = "demo-shop-metrics"
    domain_group: str = eshop.GROUP
    best_sellers: str = eshop.RECOMMENDER


NAMES = DemoNames()
FILTERS = {
    NAMES.exclude_purchased: 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")',
    NAMES.by_category: "INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)",
}
# solution -> recipe; a solution of an OPTIONAL_RECIPES recipe is skipped on an engine
# without that recipe. The ranking and v2 solutions give GetPersonalizedRanking and the
# Solutions page's v1-vs-v2 comparison something to show.
SOLUTIONS = {
    NAMES.user_personalization: "aws-user-personalization",
    NAMES.popularity: "aws-popularity-count",
    NAMES.similar_items: "aws-similar-items",
    NAMES.ranking: "aws-personalized-ranking",
    NAMES.user_personalization_v2: "aws-user-personalization-v2",
}
OPTIONAL_RECIPES = {"aws-similar-items", "aws-personalized-ranking", "aws-user-personalization-v2"}
# v2 trains a transformer until its seconds budget (default 300 s) or early stopping: 10 s
# keeps the seed short on a small machine (JAX start-up, compiling and scoring add about
# 20 s more). The model records which bound stopped it.
SOLUTION_CONFIGS = {
    NAMES.user_personalization_v2: {"algorithmHyperParameters": {"max_training_seconds": "10"}},
}
# campaign -> the solution whose version it serves
CAMPAIGNS = {
    NAMES.recommendations_campaign: NAMES.user_personalization,
    NAMES.popularity_campaign: NAMES.popularity,
    NAMES.similar_items_campaign: NAMES.similar_items,
    NAMES.ranking_campaign: NAMES.ranking,
}
# What the metric attribution counts, per event type (Items.PRICE is the demo's price).
ATTRIBUTED_METRICS = (
    {"eventType": "View", "metricName": "views", "expression": "SAMPLECOUNT()"},
    {"eventType": "Purchase", "metricName": "purchases", "expression": "SAMPLECOUNT()"},
    {"eventType": "Purchase", "metricName": "revenue", "expression": "SUM(Items.PRICE)"},
)
METRICS_PATH = f"s3://{BUCKET}/metrics/"
DEMO_ROLE = f"arn:aws:iam::{LOCAL_ACCOUNT}:role/PersonalizeDemo"


def demo_arns(settings: Settings) -> dict[str, str]:
    """The demo's ARNs on the local engine, keyed like ``"campaign/demo-recommendations"``."""
    prefix = f"arn:aws:personalize:{settings.region}:{LOCAL_ACCOUNT}:"
    keys = [f"dataset-group/{GROUP}"]
    keys += [f"solution/{name}" for name in SOLUTIONS]
    keys += [f"campaign/{name}" for name in CAMPAIGNS]
    keys += [f"filter/{name}" for name in FILTERS]
    keys += [f"dataset-group/{NAMES.domain_group}", f"recommender/{NAMES.best_sellers}"]
    keys += [f"metric-attribution/{NAMES.attribution}"]
    return {key: prefix + key for key in keys}
