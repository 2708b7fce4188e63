"""v2's tuning bench: the list it chooses, the paired noise it reports, its coordinate search."""

from __future__ import annotations

import math

import pytest

from bench import v2_tune, v2_validation
from services.local.models.recipes.sequence import _sasrec_train

NAN = math.nan


def test_the_chosen_list_is_the_better_mean_over_users_with_truth() -> None:
    # served: mean of 0.5 and 0.1 = 0.3 (the NaN user has no truth); left out: 0.2
    r = {"served": [0.5, NAN, 0.1], "left_out": [0.2, NAN, 0.2]}
    assert v2_tune.chosen(r) == ("served", pytest.approx(0.3))
    r = {"served": [0.0, NAN, 0.1], "left_out": [0.2, NAN, 0.2]}
    assert v2_tune.chosen(r) == ("left_out", pytest.approx(0.2))


def test_the_difference_from_the_defaults_is_paired_per_user() -> None:
    r = {"served": [0.5, NAN, 0.1, 0.3]}
    base = {"served": [0.2, NAN, 0.1, 0.0]}
    # differences 0.3, 0.0, 0.3: mean 0.2; sample sd sqrt((0.01 + 0.04 + 0.01) / 2) = sqrt(0.03),
    # standard error sqrt(0.03) / sqrt(3) = 0.1
    diff, se = v2_tune.paired(r, base, "served")
    assert diff == pytest.approx(0.2)
    assert se == pytest.approx(0.1)


def test_coordinate_search_keeps_a_value_only_when_it_scores_higher_and_stops_at_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scores = {
        (): 0.30,
        (("LEARNING_RATE", "0.0015"),): 0.28,
        (("LEARNING_RATE", "0.006"),): 0.32,
        (("DROPOUT", "0.1"), ("LEARNING_RATE", "0.006")): 0.31,
    }
    tried: list[dict[str, str]] = []

    def fit(path: str, settings: dict[str, str], cap: float) -> dict:  # the fit's boundary
        tried.append(settings)
        value = scores[tuple(sorted(settings.items()))]
        return {
            "served": [value],
            "left_out": [0.0],
            "secs": 1.0,
            "epochs_run": 20,
            "best_epoch": 20,
            "stopped": "epochs",
        }

    monkeypatch.setattr(v2_tune, "in_child", fit)
    done = v2_tune.search("unused", v2_tune.GRID, 4, 60.0)
    # the better learning rate is held while dropout is tried; the fifth trial is over budget
    assert tried == [
        {},
        {"LEARNING_RATE": "0.0015"},
        {"LEARNING_RATE": "0.006"},
        {"LEARNING_RATE": "0.006", "DROPOUT": "0.1"},
    ]
    assert [s for s, _ in done] == tried


def test_constants_are_set_with_their_type_and_unknown_names_returned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_sasrec_train, "DROPOUT", _sasrec_train.DROPOUT)
    monkeypatch.setattr(_sasrec_train, "PATIENCE", _sasrec_train.PATIENCE)
    unknown = v2_validation.set_constants(["DROPOUT=0.35", "PATIENCE=3", "NO_SUCH=1", "loss=x"])
    assert unknown == ["NO_SUCH", "loss"]
    assert _sasrec_train.DROPOUT == 0.35 and isinstance(_sasrec_train.DROPOUT, float)
    assert _sasrec_train.PATIENCE == 3 and isinstance(_sasrec_train.PATIENCE, int)
