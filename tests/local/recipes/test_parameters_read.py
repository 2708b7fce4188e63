"""Every hyperparameter DescribeAlgorithm / DescribeFeatureTransformation lists for a recipe is
read by that recipe's training (parameters.py is what CreateSolution accepts, so a listed name
nobody reads would be accepted and ignored), and the featurization and SIMS parameters that
used to be only recorded change the model as their recipe pages say.

The walk trains each recipe on the toy data with maps that record every name looked up in
them; a self-test shows it flags a listed name that training never reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from services.local.models.recipes import get_recipe
from services.local.models.recipes.base import TrainingConfig, TrainingData
from services.local.models.recipes.parameters import (
    PARAMETERS,
    Parameter,
    algorithm_parameters,
    feature_parameters,
)
from tests.local.recipes.toy import toy_data, toy_data_with_actions, toy_data_with_text

# Settings that steer training down the path where a parameter matters, or keep it short:
# User-Personalization reads hidden_dimension for ALS, which it uses above max_dense_items.
STEER: dict[str, dict[str, str]] = {
    "aws-user-personalization": {"max_dense_items": "1"},
    "aws-personalized-ranking": {"max_dense_items": "1"},
    "aws-user-personalization-v2": {"epochs": "1", "max_training_seconds": "5"},
    "aws-personalized-ranking-v2": {"epochs": "1", "max_training_seconds": "5"},
}


class Recorded(Mapping[str, str]):
    """A string map that notes every key looked up in it."""

    def __init__(self, values: Mapping[str, str], seen: set[str]) -> None:
        self._values = dict(values)
        self.seen = seen

    def __getitem__(self, key: str) -> str:
        self.seen.add(key)
        return self._values[key]

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.seen.add(key)
        return self._values.get(key, default)

    def __contains__(self, key: object) -> bool:
        self.seen.add(str(key))
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _data(recipe: str) -> TrainingData:
    if recipe == "aws-next-best-action":
        return toy_data_with_actions()
    return toy_data_with_text()


def unread(recipe: str) -> set[str]:
    """The names listed for ``recipe`` that its training never looks up."""
    seen: set[str] = set()
    config = TrainingConfig(
        hyperparameters=Recorded(STEER.get(recipe, {}), seen),
        features=Recorded({}, seen),
    )
    get_recipe(recipe).fit(_data(recipe), config)
    listed = {p.name for p in (*algorithm_parameters(recipe), *feature_parameters(recipe))}
    return listed - seen


@pytest.mark.parametrize(
    "recipe", sorted(r for r in PARAMETERS if algorithm_parameters(r) or feature_parameters(r))
)
def test_every_listed_parameter_is_read(recipe: str) -> None:
    assert unread(recipe) == set()


def test_the_walk_flags_a_parameter_nobody_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    algorithm, features = PARAMETERS["aws-sims"]
    never = Parameter("never_read", "integer", "1", 0, 2)
    monkeypatch.setitem(PARAMETERS, "aws-sims", ((*algorithm, never), features))
    assert unread("aws-sims") == {"never_read"}


# --- what the newly read parameters do ------------------------------------------------------

DAY = 86_400


def _frame(rows: list[tuple[str, str]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID"])
    df["TIMESTAMP"] = (1_600_000_000 + np.arange(len(df)) * 60).astype("int64")
    df["EVENT_TYPE"] = "click"
    df["EVENT_VALUE"] = np.nan
    return df


def _sims_data() -> TrainingData:
    """Anchor item "a" shares 5 users with the popular "p" (100 users in all) and 3 with the
    rare "r" (those 3 users only); "q" shares 2 users with "a". Fillers make the rest."""
    rows: list[tuple[str, str]] = []
    for u in range(100):
        rows.append((f"p{u}", "p"))
        rows.append((f"p{u}", f"f{u % 10}"))
    for u in range(5):
        rows.append((f"p{u}", "a"))
    for u in range(3):
        rows += [(f"r{u}", "a"), (f"r{u}", "r")]
    for u in range(2):
        rows += [(f"q{u}", "a"), (f"q{u}", "q")]
    return TrainingData(_frame(rows))


def _neighbours(config: TrainingConfig, anchor: str = "a") -> list[str]:
    model = get_recipe("aws-sims").fit(_sims_data(), config)
    scores = model.score_item(anchor)
    assert scores is not None
    ids = [str(i) for i in model.item_ids]
    return [ids[i] for i in np.argsort(-scores, kind="stable") if scores[i] > 1e-3]


def _sims(**hp: str) -> TrainingConfig:
    return TrainingConfig(hyperparameters=hp)


def test_sims_popularity_discount_factor() -> None:
    # c / n^d for the anchor's neighbours (c shared users, n users of the item): p 5 of 100,
    # r 3 of 3, q 2 of 2, f0-f4 1 of 10 each.
    # 0: the raw count, so the popular item first (5 > 3 > 2 > 1)
    assert _neighbours(_sims(popularity_discount_factor="0"))[:4] == ["p", "r", "q", "f0"]
    # 1: the share of the item's users, so p (0.05) falls behind the fillers (0.1); r and q
    # tie at 1.0 and the more popular comes first
    shares = _neighbours(_sims(popularity_discount_factor="1"))
    assert shares[:2] == ["r", "q"] and shares.index("p") > shares.index("f4")
    # 0.5, the default, is the cosine: r 1.73, q 1.41, p 0.5, then the fillers 0.32
    assert _neighbours(_sims()) == _neighbours(_sims(popularity_discount_factor="0.5"))
    assert _neighbours(_sims())[:4] == ["r", "q", "p", "f0"]


def test_sims_min_cointeraction_count() -> None:
    assert set(_neighbours(_sims(min_cointeraction_count="3"))) == {"p", "r"}
    assert set(_neighbours(_sims(min_cointeraction_count="4"))) == {"p"}
    assert {"p", "r", "q"} <= set(_neighbours(_sims(min_cointeraction_count="0")))


def test_sims_item_interaction_count_percentiles() -> None:
    # item interaction counts: p 100, f0-f9 10 each, a 10, r 3, q 2; the 90th percentile
    # (linear, of 14 counts) is 10 and the 10th 3 + 0.3·7 = 5.1: p, r and q are left out
    config = TrainingConfig(
        features={
            "min_item_interaction_count_percentile": "0.1",
            "max_item_interaction_count_percentile": "0.9",
        }
    )
    counts = _sims_data().interactions["ITEM_ID"].value_counts()
    assert counts.quantile(0.9) == 10 and counts.quantile(0.1) == pytest.approx(5.1)
    model = get_recipe("aws-sims").fit(_sims_data(), config)
    assert {"p", "q", "r"}.isdisjoint(str(i) for i in model.item_ids)
    assert _neighbours(_sims())[:3] == ["r", "q", "p"]  # all three without the percentiles
    kept = model.score_item("a")
    assert kept is not None
    ids = [str(i) for i in model.item_ids]
    assert {ids[i] for i in np.flatnonzero(kept > 1e-3)} == {"f0", "f1", "f2", "f3", "f4"}


@pytest.mark.parametrize("recipe", ["aws-user-personalization", "aws-personalized-ranking"])
def test_user_history_length_percentiles(recipe: str) -> None:
    """History lengths: 10 shoppers with 2 clicks on "brief", the 60 toy users with 20, a
    robot with 400 clicks on "bot". Of those 71 lengths the 95th percentile is 20 (so max 0.95
    leaves the robot out of training) and the 20th is 20 too (min 0.2 leaves the short ones
    out): an item only they clicked is then unknown to the model."""
    base = toy_data()
    robot = _frame([("robot", "bot")] * 400)
    brief = _frame([(f"s{u}", "brief") for u in range(10) for _ in range(2)])
    for extra in (robot, brief):  # distinct timestamps: duplicates would be dropped
        extra["TIMESTAMP"] += np.arange(len(extra)).astype("int64")
    frames = [base.interactions, robot, brief]
    data = replace(base, interactions=pd.concat(frames, ignore_index=True))
    lengths = data.interactions["USER_ID"].value_counts()
    assert lengths.quantile(0.95) == 20 and lengths.quantile(0.2) == 20
    fit = get_recipe(recipe).fit

    def known(**features: str) -> set[str]:
        return set(map(str, fit(data, TrainingConfig(features=features)).item_ids))

    assert {"bot", "brief"} <= known()
    assert "bot" not in known(max_user_history_length_percentile="0.95")
    assert "brief" in known(max_user_history_length_percentile="0.95")
    assert "brief" not in known(min_user_history_length_percentile="0.2")
    assert "bot" in known(min_user_history_length_percentile="0.2")
    assert (
        known(min_user_history_length_percentile="0", max_user_history_length_percentile="1")
        == known()
    )
