"""A small shop built through boto3 on a fresh local engine, for the setup file's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from services.config import Settings
from services.local.engine import reset_engines
from services.personalize.clients import Clients, build_clients
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


def fresh_engine(settings: Settings, tmp_path: Path) -> Clients:
    """Clients of an empty engine in ``tmp_path/other`` holding the bucket files of the one
    in ``settings`` (read what you need from the old one first: its engine is reset)."""
    reset_engines()
    empty = Settings(data_dir=tmp_path / "other", lifecycle_seconds=0.0, worker_mode="thread")
    shutil.copytree(settings.data_dir / "s3", empty.data_dir / "s3")  # the bucket's files
    return build_clients(empty)
