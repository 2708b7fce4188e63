"""The quality bench's option to leave the user's history out of the list, which every model
in its table gets (chosen on the validation split)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.quality import Excluding, ScoreModel, _val_ndcg, with_exclusion
from services.local.models import metrics
from services.local.models.recipes.base import TrainingData


def split_of(history: list[str], truth: list[str]) -> metrics.Split:
    catalogue = np.array(["a", "b", "c", "d"], dtype=object)
    return metrics.Split(
        train=TrainingData(pd.DataFrame()),
        test_users=("u1", "u2"),
        histories=(tuple(history), ("zz",)),  # u2's one item is unknown to the model
        truths=(frozenset(truth), frozenset(truth)),
        catalogue=catalogue,
    )


def model() -> ScoreModel:
    items = np.array(["a", "b", "c", "d"], dtype=object)
    popularity = np.array([1.0, 4.0, 3.0, 2.0])  # b, c, d, a
    return ScoreModel(items, popularity, lambda codes: np.array([4.0, 3.0, 2.0, 1.0]))


def test_history_items_leave_the_list_and_the_fallback_too() -> None:
    split = split_of(["a", "b"], ["c"])
    served = metrics.recommend_for_split(model(), split, 3)
    assert served == [["a", "b", "c"], ["b", "c", "d"]]
    left_out = metrics.recommend_for_split(Excluding(model()), split, 2)
    # u1: a and b were theirs; u2 gets popularity, minus nothing known
    assert left_out == [["c", "d"], ["b", "c"]]
    # NDCG@10 for u1 (truth c): served at rank 3 = 1/log2(4) = 0.5, left out at rank 1 = 1
    assert metrics.ndcg_at_k(served[0], frozenset(["c"]), 10) == 0.5
    assert metrics.ndcg_at_k(left_out[0], frozenset(["c"]), 10) == 1.0


def test_validation_picks_the_better_of_serving_and_leaving_out(monkeypatch) -> None:  # noqa: ANN001
    from bench import quality

    monkeypatch.setitem(quality.BUILDERS, "fixed", lambda train, p: model())
    log: list[str] = []
    # truth c: leaving a, b out moves u1's c from rank 3 to rank 1; u2 (popularity b, c, d)
    # has it at rank 2 either way: (1 + 1/log2(3)) / 2, against (1/log2(4) + 1/log2(3)) / 2
    value = _val_ndcg("fixed", {}, split_of(["a", "b"], ["c"]), log)
    assert abs(value - (1 + 1 / np.log2(3)) / 2) < 1e-12
    assert log[-1] == "    fixed {}: 0.5655, history left out 0.8155"
    assert with_exclusion("fixed", {}) == {"exclude": True}
    # truth a: a is in the history, leaving it out loses it
    _val_ndcg("fixed", {"k": 1}, split_of(["a", "b"], ["a"]), log)
    assert with_exclusion("fixed", {"k": 1}) == {"k": 1, "exclude": False}


def test_tuning_fits_only_the_models_asked_for(monkeypatch) -> None:  # noqa: ANN001
    from bench import quality

    monkeypatch.setitem(quality.BUILDERS, "fixed", lambda train, p: model())
    log: list[str] = []
    # no baseline is asked for: none of them is fitted (an EASE fit would need training data)
    settings = quality.tune(split_of(["a", "b"], ["c"]), log, ["fixed"])
    assert settings == {"fixed": {"exclude": True}}
    assert log == ["    fixed {}: 0.5655, history left out 0.8155"]


def test_the_tuning_data_holds_every_user_but_the_reported_seeds_test_users() -> None:
    from bench import quality
    from services.local.models.recipes.base import TrainingConfig
    from services.local.models.training import check_minimums

    kept = check_minimums(quality.generate_shop(3_000, seed=1), TrainingConfig())
    users = set(kept.interactions["USER_ID"].astype(str))
    reported = set().union(*(metrics.split_users(kept, s).test_users for s in (42, 43)))
    tuning = quality.tuning_data(kept, (42, 43)).interactions
    assert reported and set(tuning["USER_ID"].astype(str)) == users - reported
    # a kept user keeps every event
    assert len(tuning) == kept.interactions["USER_ID"].astype(str).isin(users - reported).sum()
