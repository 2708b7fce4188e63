"""The refresh's verify step asks each campaign the way its recipe type is served
(services/pipeline/steps/campaign_steps.py ``_probe``): a Next-Best-Action campaign with
GetActionRecommendations (GetRecommendations refuses it), a related-items campaign with an
itemId, a ranking campaign with a list of items to rank. Each refresh below retrains the
solution, deploys it (forced: the guardrail is not what is tested) and must end SUCCEEDED
with the campaign's own answer recorded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from services.config import Settings
from services.db import dispose_engines
from services.personalize.facade import PersonalizeService
from services.pipeline import SUCCEEDED, Pipeline, RefreshOptions, RunStore
from services.pipeline.steps.campaign_steps import PROBE_ID, PROBE_ITEMS
from services.store.tables import Store
from tests.local.test_next_best_action import Nba
from tests.local.test_next_best_action import nba as nba  # noqa: F401 (the fixture)
from tests.local.workspace import train, wait_for


@dataclass
class Kinds:
    nba: Nba
    pipeline: Pipeline
    runs: RunStore
    campaigns: dict[str, str]  # solution name → campaign ARN


@pytest.fixture(scope="module")
def kinds(nba: Nba, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kinds]:  # noqa: F811
    p = nba.clients.personalize
    campaigns = {"nba": nba.campaign}
    for name, recipe in (("sims", "aws-sims"), ("rank", "aws-personalized-ranking")):
        _, version = train(nba.clients, nba.shop.group, name, recipe)
        arn = p.create_campaign(name=f"{name}-c", solutionVersionArn=version)["campaignArn"]
        wait_for(lambda a=arn: p.describe_campaign(campaignArn=a), "campaign")
        campaigns[name] = arn
    db = f"sqlite:///{tmp_path_factory.mktemp('runs') / 'dashboard.db'}"
    settings = Settings(
        data_dir=nba.shop.data_dir, lifecycle_seconds=0.0, worker_mode="thread", dashboard_db_url=db
    )
    runs = RunStore(db)
    pipeline = Pipeline(
        PersonalizeService(nba.clients), runs, settings, store=Store(db), poll_s=0.02
    )
    yield Kinds(nba, pipeline, runs, campaigns)
    dispose_engines()


def _refresh(kinds: Kinds, solution: str) -> dict[str, list[str]]:
    group = kinds.pipeline.resolve_group(kinds.nba.shop.group.rsplit("/", 1)[-1])
    options = RefreshOptions(solutions=(solution,), force=True)
    triggered = kinds.pipeline.trigger(group, options, actor="tester", trigger="test")
    assert triggered.owner is not None
    kinds.pipeline.execute(triggered.run_id, triggered.owner)
    run = kinds.runs.get(triggered.run_id)
    assert run is not None and run.status == SUCCEEDED, run and run.reason
    return run.step(f"verify:{kinds.campaigns[solution]}").detail["answers"]


def test_an_action_campaign_is_asked_for_actions(kinds: Kinds) -> None:
    answers = _refresh(kinds, "nba")
    direct = kinds.nba.clients.runtime.get_action_recommendations(
        campaignArn=kinds.campaigns["nba"], userId=PROBE_ID
    )
    assert answers == {PROBE_ID: [a["actionId"] for a in direct["actionList"]]}
    assert answers[PROBE_ID][0] == "newsletter"  # actions, not items


def test_a_related_items_campaign_is_asked_with_an_item(kinds: Kinds) -> None:
    answers = _refresh(kinds, "sims")
    direct = kinds.nba.clients.runtime.get_recommendations(
        campaignArn=kinds.campaigns["sims"], itemId=PROBE_ID, numResults=10
    )
    assert answers == {PROBE_ID: [i["itemId"] for i in direct["itemList"]]}
    assert len(answers[PROBE_ID]) == 10


def test_a_ranking_campaign_is_given_items_to_rank(kinds: Kinds) -> None:
    answers = _refresh(kinds, "rank")
    assert sorted(answers[PROBE_ID]) == sorted(PROBE_ITEMS)
