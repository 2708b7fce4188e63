"""The co-purchase model behind "Frequently bought together", checked on counts done by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from services.local.models.recipes import get_recipe
from services.local.models.recipes.base import TrainingConfig, TrainingData


def _purchases(rows: list[tuple[str, str]]) -> TrainingData:
    frame = pd.DataFrame(
        {
            "USER_ID": [u for u, _ in rows],
            "ITEM_ID": [i for _, i in rows],
            "TIMESTAMP": np.arange(len(rows), dtype=np.int64),
            "EVENT_TYPE": ["Purchase"] * len(rows),
            "EVENT_VALUE": np.nan,
        }
    )
    return TrainingData(frame)


def test_scores_are_numbers_of_users_who_bought_both(tmp_path: Path) -> None:
    # u1: a b c; u2: a b; u3: a c d; u4: b b (twice, counts once)
    data = _purchases(
        [
            ("u1", "a"), ("u1", "b"), ("u1", "c"),
            ("u2", "a"), ("u2", "b"),
            ("u3", "a"), ("u3", "c"), ("u3", "d"),
            ("u4", "b"), ("u4", "b"),
        ]
    )  # fmt: skip
    recipe = get_recipe("co-purchase")
    model = recipe.fit(data, TrainingConfig(event_type="Purchase"))
    pos = {str(i): n for n, i in enumerate(model.item_ids)}
    scores = model.score_item("a")
    assert scores is not None
    # with a: b by u1,u2 → 2; c by u1,u3 → 2; d by u3 → 1; a itself last
    assert round(scores[pos["b"]]) == 2 and round(scores[pos["c"]]) == 2
    assert round(scores[pos["d"]]) == 1
    assert scores[pos["a"]] < 0
    path = tmp_path / "m.npz"
    model.save(path)
    again = recipe.load(path)
    assert np.allclose(again.score_item("a"), scores)
    assert model.score_item("zzz") is None
