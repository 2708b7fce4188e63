"""A small shop built through boto3 on a fresh local engine, for the setup file's tests."""

from __future__ import annotations

import pytest

from services.config import Settings
from services.personalize.clients import Clients
from tests.local.conftest import clients, settings
from tests.local.workspace import create_group, train, wait_for

__all__ = ["clients", "settings"]  # the engine fixtures of tests/local
EXPRESSION = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view")'


@pytest.fixture
def small_shop(clients: Clients, settings: Settings) -> Clients:
    """Group "shop" (Interactions imported), a tracker, a filter, a popularity solution with
    no hyperparameters and a campaign on it at 2 TPS, and an untrained similar-items
    solution "sims" (item_id_hidden_dim 100, automatic training on)."""
    p = clients.personalize
    made = create_group(clients, settings.data_dir)
    p.create_event_tracker(name="shop-tracker", datasetGroupArn=made["group"])
    p.create_filter(name="no-views", datasetGroupArn=made["group"], filterExpression=EXPRESSION)
    _, version = train(
        clients, made["group"], "pop", "aws-popularity-count", performAutoTraining=False
    )
    p.create_solution(
        name="sims",
        datasetGroupArn=made["group"],
        recipeArn="arn:aws:personalize:::recipe/aws-similar-items",
        solutionConfig={"algorithmHyperParameters": {"item_id_hidden_dim": "100"}},
    )
    campaign = p.create_campaign(
        name="pop-campaign", solutionVersionArn=version, minProvisionedTPS=2
    )
    wait_for(lambda: p.describe_campaign(campaignArn=campaign["campaignArn"]), "campaign")
    return clients
