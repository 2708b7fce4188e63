"""aws-next-best-action's model on the toy data (see toy.toy_data_with_actions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from services.local.models.recipes import get_recipe
from services.local.models.recipes.actions.next_best_action import DAY, action_event_type, labels
from services.local.models.recipes.base import TrainingConfig, TrainingData, TrainingError
from tests.local.recipes.toy import toy_data_with_actions


def fit(data: TrainingData | None = None, **features: str):  # noqa: ANN201
    return get_recipe("aws-next-best-action").fit(
        data or toy_data_with_actions(), TrainingConfig(features=features)
    )


def test_each_user_gets_the_action_of_their_cluster_first() -> None:
    model = fit()
    assert list(model.scored) == [True, True, False]  # "idle" was never shown: no score
    a_user = model.ranked(["a1", "a2", "a3"])
    b_user = model.ranked(["b1", "b2", "b3"])
    assert [a for a, _ in a_user] == ["a-club", "b-club", "idle"]
    assert [a for a, _ in b_user] == ["b-club", "a-club", "idle"]
    assert a_user[0][1] > 0.7 and a_user[1][1] < 0.3 and a_user[2] == ("idle", 0.0)


def test_too_few_events_leave_an_action_unscored() -> None:
    data = toy_data_with_actions()
    events = data.action_interactions
    # 60 users: keep 49 TAKEN b-club events at most (one short of the documented 50)
    taken_b = events.index[(events.ACTION_ID == "b-club") & (events.EVENT_TYPE == "Taken")]
    fewer = events.drop(taken_b[49:]) if len(taken_b) > 49 else events
    model = fit(TrainingData(data.interactions, data.items, actions=data.actions,
                             action_interactions=fewer))  # fmt: skip
    b = list(model.action_ids).index("b-club")
    assert not model.scored[b] and model.propensities(["b1"])[b] == 0.0


def test_value_breaks_ties_and_expiry_and_repeat_frequency_hide_actions() -> None:
    data = toy_data_with_actions()
    actions = data.actions.assign(
        ACTION_EXPIRATION_TIMESTAMP=[np.nan, 1_000.0, np.nan], REPEAT_FREQUENCY=[7, np.nan, np.nan]
    )
    model = fit(TrainingData(data.interactions, data.items, actions=actions,
                             action_interactions=data.action_interactions.iloc[:0]))  # fmt: skip
    # no action interactions: every score is 0.0, so VALUE decides (idle 9 > a-club = b-club 1)
    assert [a for a, _ in model.ranked([])] == ["idle", "a-club", "b-club"]
    assert "b-club" not in [a for a, _ in model.ranked([], now=2_000.0)]  # expired at 1,000
    now = 1_700_000_000.0
    waiting = model.waiting({"a-club": now - 3 * DAY, "idle": now - 3 * DAY}, now)
    assert list(waiting) == [True, False, False]  # a-club waits 7 days; idle has no frequency
    assert not model.waiting({"a-club": now - 8 * DAY}, now).any()


def test_labels_count_taken_within_the_optimization_period() -> None:
    events = pd.DataFrame(
        {
            "USER_ID": ["u1", "u1", "u2", "u2", "u3", "u4"],
            "ACTION_ID": ["x"] * 6,
            "TIMESTAMP": [0, 3 * DAY, 0, 20 * DAY, 5, 7],
            "EVENT_TYPE": ["Viewed", "TAKEN", "NOT_TAKEN", "Taken", "Not Taken", "taken"],
        }
    )
    got = labels(events, 14).set_index("USER_ID")["took"].to_dict()
    # u1 took it 3 days after seeing it; u2 20 days after (outside 14); u3 never; u4 unshown
    assert got == {"u1": True, "u2": False, "u3": False, "u4": True}
    assert labels(events, 28).set_index("USER_ID")["took"]["u2"]
    assert [action_event_type(x) for x in ("Viewed", "not taken", "NOT_TAKEN", "Click")] == [
        "VIEWED", "NOT_TAKEN", "NOT_TAKEN", None,
    ]  # fmt: skip


def test_needs_actions() -> None:
    data = toy_data_with_actions()
    with pytest.raises(TrainingError, match="Actions dataset"):
        fit(TrainingData(data.interactions, data.items))
