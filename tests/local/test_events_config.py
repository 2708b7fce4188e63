"""solutionConfig.eventsConfig: honoured by the v2 recipes, refused elsewhere (developer guide,
"Optimizing a solution with events configuration": User-Personalization-v2 and
Personalized-Ranking-v2 only; weights need an EVENT_TYPE column; only their ratio matters)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from services.local.models.recipes.base import EventWeight, TrainingConfig, TrainingData
from services.local.models.recipes.sequence.user_personalization_v2 import settings_from, windows
from services.local.models.recipes.training_data import index
from tests.local.refusals import TRANSPORTS, World, refused, refused_solution

EVENTS = {"eventParametersList": [{"eventType": "buy", "weight": 0.9}]}


def _data() -> TrainingData:
    """Ten users, each with 6 clicks and 6 buys alternating, one a minute."""
    rows = [
        (f"u{u}", f"i{(u + t) % 7}", 1_600_000_000 + u * 1000 + t * 60, kind, 1.0)
        for u in range(10)
        for t, kind in enumerate(["click", "buy"] * 6)
    ]
    frame = pd.DataFrame(
        rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]
    )
    return TrainingData(frame)


def test_v2_training_targets_carry_the_event_type_weights() -> None:
    """Each training target's loss weight is its event type's weight (recency bias off), so
    a buy counts 0.9 / 0.3 = 3 times a click; a type left out of the list is not trained on."""
    config = TrainingConfig(
        events=(EventWeight("click", 0.3), EventWeight("buy", 0.9)),
        hyperparameters={"apply_recency_bias": "false"},
    )
    idx = index(_data(), config)
    w = windows(idx, settings_from(config), seed=1).w
    assert sorted(set(np.round(w[w > 0], 6))) == [0.3, 0.9]
    # targets: every event but each user's first (a click) and last (a buy, held out for
    # validation): per user the buys at t = 1, 3, 5, 7, 9 and the clicks at t = 2, 4, …, 10
    assert (np.isclose(w, 0.9).sum(), np.isclose(w, 0.3).sum()) == (50, 50)
    only_buys = TrainingConfig(events=(EventWeight("buy", 1.0),))
    assert set(index(_data(), only_buys).weights) == {1.0}
    assert len(index(_data(), only_buys).weights) == 60  # the 60 buys, no click


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("recipe", ["aws-user-personalization", "aws-sims", "aws-popularity-count"])
def test_events_config_is_refused_outside_the_v2_recipes(
    world: World, transport: str, recipe: str
) -> None:
    w = world.over(transport)
    p = w.clients.personalize
    refused_solution(
        w, f"ev-{transport}", recipe, {"eventsConfig": EVENTS}, "eventsConfig works with"
    )
    refused(
        w,
        "InvalidInputException",
        lambda: p.update_solution(
            solutionArn=w.solution, solutionUpdateConfig={"eventsConfig": EVENTS}
        ),
        "not aws-popularity-count",
    )
