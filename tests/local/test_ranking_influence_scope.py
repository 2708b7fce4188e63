"""Recipe-specific campaign and batch settings only where Personalize documents them, in
process and over HTTP; on a campaign, a campaign update or a batch inference job of any other
recipe each is InvalidInputException (HTTP 400) with nothing stored:

- rankingInfluence (API reference CampaignConfig and BatchInferenceJobConfig: "supported only
  for solutions that use the semantic-similarity recipe");
- itemExplorationConfig (API reference CampaignConfig: "Provide itemExplorationConfig data
  only if your solution uses the User-Personalization recipe"; BatchInferenceJobConfig: "See
  User-Personalization"), which a User-Personalization version takes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.local.refusals import TRANSPORTS, World, refused
from tests.local.workspace import train

INFLUENCE = {"rankingInfluence": {"POPULARITY": 0.5, "FRESHNESS": 0.2}}
EXPLORE = {"itemExplorationConfig": {"explorationWeight": "0.9", "explorationItemAgeCutOff": "5"}}
# config → (the member it names, the recipe(s) the refusal names)
SETTINGS = {
    "rankingInfluence": (INFLUENCE, "aws-semantic-similarity"),
    "itemExplorationConfig": (EXPLORE, "aws-user-personalization"),
}


def _requests(w: World, config: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    p = w.clients.personalize
    return {
        "create campaign": lambda: p.create_campaign(
            name="configured", solutionVersionArn=w.version, campaignConfig=config
        ),
        "update campaign": lambda: p.update_campaign(campaignArn=w.campaign, campaignConfig=config),
        "batch inference": lambda: p.create_batch_inference_job(
            jobName="configured",
            solutionVersionArn=w.version,
            roleArn="arn:aws:iam::000000000000:role/x",
            jobInput={"s3DataSource": {"path": "s3://bucket/shop/interactions.csv"}},
            jobOutput={"s3DataDestination": {"path": "s3://bucket/configured/"}},
            batchInferenceJobConfig=config,
        ),
    }


@pytest.mark.parametrize("member", sorted(SETTINGS))
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_setting_is_refused_for_other_recipes(world: World, transport: str, member: str) -> None:
    w = world.over(transport)
    config, recipe = SETTINGS[member]
    for kind, call in _requests(w, config).items():
        message = refused(w, "InvalidInputException", call, "not aws-popularity-count")
        assert member in message, kind
        assert recipe in message, kind


def test_exploration_is_taken_by_user_personalization(world: World) -> None:
    p = world.clients.personalize
    _, version = train(world.clients, world.ws["group"], "up-explore", "aws-user-personalization")
    arn = p.create_campaign(name="up-exploring", solutionVersionArn=version, campaignConfig=EXPLORE)
    described = p.describe_campaign(campaignArn=arn["campaignArn"])["campaign"]
    assert described["campaignConfig"]["itemExplorationConfig"] == EXPLORE["itemExplorationConfig"]
    p.delete_campaign(campaignArn=arn["campaignArn"])
