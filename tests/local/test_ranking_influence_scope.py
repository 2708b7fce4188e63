"""rankingInfluence only where Personalize documents it (API reference CampaignConfig and
BatchInferenceJobConfig: "supported only for solutions that use the semantic-similarity
recipe"): on a campaign, a campaign update or a batch inference job of any other recipe it is
InvalidInputException (HTTP 400) with nothing stored, in process and over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.local.refusals import TRANSPORTS, World, refused

INFLUENCE = {"rankingInfluence": {"POPULARITY": 0.5, "FRESHNESS": 0.2}}


def _requests(w: World) -> dict[str, Callable[[], Any]]:
    p = w.clients.personalize
    return {
        "create campaign": lambda: p.create_campaign(
            name="influenced", solutionVersionArn=w.version, campaignConfig=INFLUENCE
        ),
        "update campaign": lambda: p.update_campaign(
            campaignArn=w.campaign, campaignConfig=INFLUENCE
        ),
        "batch inference": lambda: p.create_batch_inference_job(
            jobName="influenced",
            solutionVersionArn=w.version,
            roleArn="arn:aws:iam::000000000000:role/x",
            jobInput={"s3DataSource": {"path": "s3://bucket/shop/interactions.csv"}},
            jobOutput={"s3DataDestination": {"path": "s3://bucket/influenced/"}},
            batchInferenceJobConfig=INFLUENCE,
        ),
    }


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_ranking_influence_is_refused_for_other_recipes(world: World, transport: str) -> None:
    w = world.over(transport)
    for kind, call in _requests(w).items():
        message = refused(w, "InvalidInputException", call, "not aws-popularity-count")
        assert "aws-semantic-similarity" in message, kind
