"""What the demo shop holds: its setup file (``examples/demo-shop.toml``, the definition of its
schemas, dataset groups, datasets, tracker, filters, solutions, campaigns, recommender and
metric attribution), the names the code refers to, and the ARNs that follow."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from services.config import LOCAL_ACCOUNT, Settings
from services.demo import eshop
from services.setup_file.model import SetupFile
from services.setup_file.reading import load

GROUP = "demo-shop"
BUCKET = "demo-shop"
SEEDED_TAG = "demo:seeded"  # on the group once every step succeeded (value: UTC time)
SETUP_FILE = Path(__file__).resolve().parents[2] / "examples" / "demo-shop.toml"


@dataclass(frozen=True)
class DemoNames:
    """Names of the demo's resources that the code uses (ARNs follow from them; see
    ``demo_arns``); the setup file defines them."""

    group: str = GROUP
    tracker: str = f"{GROUP}-tracker"
    user_personalization: str = "demo-user-personalization"
    popularity: str = "demo-popularity"
    similar_items: str = "demo-similar-items"
    ranking: str = "demo-ranking"
    user_personalization_v2: str = "demo-user-personalization-v2"
    item_affinity: str = "demo-item-affinity"
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
# A solution of one of these recipes is skipped (with its campaign) on an engine without it.
# The ranking and v2 solutions give GetPersonalizedRanking and the Solutions page's
# v1-vs-v2 comparison something to show; item-affinity, "Who should get this?".
OPTIONAL_RECIPES = {
    "aws-similar-items",
    "aws-personalized-ranking",
    "aws-user-personalization-v2",
    "aws-item-affinity",
}


@cache
def demo_setup() -> SetupFile:
    """The demo's setup file, read and checked (it ships with the code: a problem in it is a
    bug, raised as SetupFileError)."""
    return load(SETUP_FILE)


def solutions() -> dict[str, str]:
    """solution -> recipe, as the setup file says."""
    return {s.name: s.recipe for s in demo_setup().solutions}


def campaigns() -> dict[str, str]:
    """campaign -> the solution whose version it serves, as the setup file says."""
    return {c.name: c.solution for c in demo_setup().campaigns}


def demo_arns(settings: Settings) -> dict[str, str]:
    """The demo's ARNs on the local engine, keyed like ``"campaign/demo-recommendations"``."""
    setup = demo_setup()
    prefix = f"arn:aws:personalize:{settings.region}:{LOCAL_ACCOUNT}:"
    keys = [f"dataset-group/{g.name}" for g in setup.dataset_groups]
    keys += [f"solution/{s.name}" for s in setup.solutions]
    keys += [f"campaign/{c.name}" for c in setup.campaigns]
    keys += [f"filter/{f.name}" for f in setup.filters]
    keys += [f"recommender/{r.name}" for r in setup.recommenders]
    keys += [f"metric-attribution/{m.name}" for m in setup.metric_attributions]
    return {key: prefix + key for key in keys}
