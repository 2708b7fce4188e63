"""A new campaign: which versions can serve, the checks, the request and what it costs.

Everything the Operations page's "New campaign" section decides lives here; the page only
draws. Sources, the botocore ``personalize`` service model's CreateCampaign request shape:
``name`` (``services.workspace.resource_names``), ``solutionVersionArn`` (an ACTIVE version:
ResourceInUseException otherwise), ``minProvisionedTPS`` (shape TransactionsPerSecond:
integer, ``min`` 1, no maximum in the model) and ``campaignConfig`` (CampaignConfig):
``itemExplorationConfig`` ("Provide itemExplorationConfig data only if your solution uses
the User-Personalization recipe", API reference CampaignConfig; v2 explores too), and
``enableMetadataWithRecommendations`` (any recipe; billed extra, pricing page).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.costs.pricing import Prices
from services.costs.report import ServingCost, campaign_cost
from services.evaluation.playground import EXPLORATION_DEFAULTS, exploration_settings
from services.i18n import _
from services.personalize.models import Campaign, CampaignConfig, SolutionVersion, short_arn
from services.workspace.overview import DatasetGroupOverview, SolutionStatus
from services.workspace.recipe_capabilities import EXPLORING_RECIPES, SEGMENT_RECIPES
from services.workspace.resource_names import name_problem

MIN_TPS = 1  # TransactionsPerSecond: {"min": 1}; the service model gives no maximum
DEFAULT_TPS = 1  # Personalize's default when minProvisionedTPS is left out
DEFAULT_WEIGHT = float(EXPLORATION_DEFAULTS["explorationWeight"])  # 0.3
DEFAULT_AGE_DAYS = float(EXPLORATION_DEFAULTS["explorationItemAgeCutOff"])  # 30 days
# Field keys of a form, where the page shows a problem or the service's refusal.
FIELDS = ("version", "name", "tps", "weight", "age", "metadata")


@dataclass(frozen=True)
class NewCampaign:
    """What the form holds. ``recipe``: the version's recipe name (aws-…); ``weight`` (0–1)
    and ``age_days`` (> 0) are used only for a recipe that ``explores``."""

    name: str
    version_arn: str
    recipe: str
    min_tps: int = DEFAULT_TPS
    weight: float = DEFAULT_WEIGHT
    age_days: float = DEFAULT_AGE_DAYS
    enable_metadata: bool = False


def explores(recipe: str | None) -> bool:
    """Whether a campaign of this recipe (name or ARN) takes itemExplorationConfig."""
    return short_arn(recipe or "") in EXPLORING_RECIPES


def campaign_solutions(group: DatasetGroupOverview) -> list[SolutionStatus]:
    """The group's solutions a campaign can serve: every one but the USER_SEGMENTATION
    recipes', which give batch segment jobs only (recipe_capabilities.SEGMENT_RECIPES)."""
    return [
        s for s in group.solutions if short_arn(s.solution.recipe_arn or "") not in SEGMENT_RECIPES
    ]


def active_versions(versions: Sequence[SolutionVersion]) -> list[SolutionVersion]:
    """The versions CreateCampaign takes (ACTIVE), in the order given (newest first)."""
    return [v for v in versions if v.status == "ACTIVE"]


def problems(form: NewCampaign) -> dict[str, str]:
    """What keeps the form from being sent, by field key of ``FIELDS`` (empty: it can be)."""
    found: dict[str, str] = {}
    if not form.version_arn:
        found["version"] = _("Pick an ACTIVE solution version for the campaign to serve.")
    name = name_problem(form.name)
    if name:
        found["name"] = name
    if form.min_tps < MIN_TPS:
        found["tps"] = _(
            "minProvisionedTPS is a whole number of at least {min} (CreateCampaign), not {value}."
        ).format(min=MIN_TPS, value=form.min_tps)
    if explores(form.recipe):
        if not (math.isfinite(form.weight) and 0.0 <= form.weight <= 1.0):
            found["weight"] = _("explorationWeight is from 0 to 1, not {value:g}.").format(
                value=form.weight
            )
        if not (math.isfinite(form.age_days) and form.age_days > 0):
            found["age"] = _(
                "explorationItemAgeCutOff is a number of days above 0, not {value:g}."
            ).format(value=form.age_days)
    return found


def campaign_config(form: NewCampaign) -> dict[str, Any]:
    """CreateCampaign's ``campaignConfig`` for the form (empty: Personalize's defaults).
    Exploration is sent for an exploring recipe only when it differs from the defaults."""
    config: dict[str, Any] = {}
    if explores(form.recipe) and (form.weight, form.age_days) != (
        DEFAULT_WEIGHT,
        DEFAULT_AGE_DAYS,
    ):
        config["itemExplorationConfig"] = exploration_settings(form.weight, form.age_days)
    if form.enable_metadata:
        config["enableMetadataWithRecommendations"] = True
    return config


def build_request(form: NewCampaign) -> dict[str, Any]:
    """CreateCampaign's parameters for a form with no ``problems``.

    Raises ValueError naming the first problem when there is one."""
    problem = next(iter(problems(form).values()), None)
    if problem:
        raise ValueError(problem)
    config = campaign_config(form)
    return {
        "name": form.name,
        "solutionVersionArn": form.version_arn,
        "minProvisionedTPS": form.min_tps,
        **({"campaignConfig": config} if config else {}),
    }


def serving_cost(form: NewCampaign, prices: Prices) -> ServingCost:
    """What the campaign bills at its minimum, as the Cost & usage tab prices a campaign
    (``services.costs.report.campaign_cost``: minProvisionedTPS × the TPS-hour price every
    hour, plus the metadata surcharge when enabled; monthly = hourly × 730)."""
    config = CampaignConfig(enable_metadata=form.enable_metadata or None)
    planned = Campaign(
        arn="", name=form.name, status="", min_provisioned_tps=form.min_tps, config=config
    )
    return campaign_cost(planned, prices)


# Words of a refusal that name a field: CreateCampaign's member names as the service writes
# them in InvalidInputException's text, and the exceptions that are about the name.
_REFUSED = (
    ("explorationWeight", "weight"),
    ("explorationItemAgeCutOff", "age"),
    ("itemExplorationConfig", "weight"),
    ("minProvisionedTPS", "tps"),
    ("enableMetadataWithRecommendations", "metadata"),
    ("solutionVersionArn", "version"),
    ("ResourceInUse", "version"),
    ("already exists", "name"),
    ("AlreadyExists", "name"),
    ("'name'", "name"),
)


def refused_field(message: str) -> str:
    """The field (of ``FIELDS``) a refusal of CreateCampaign is about, by the first member
    name its text carries; "name" when it names none (the form's first field)."""
    return next((field for word, field in _REFUSED if word in message), "name")
