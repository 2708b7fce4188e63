"""Model files hold plain arrays only: a file carrying Python objects is refused on load; header
values are read back in their kind, and a value of another kind is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from services.local.models.recipes.base import TrainingConfig, TrainingData, load_npz, save_npz
from services.local.models.recipes.popular.trending_now import TrendingNowRecipe
from services.local.models.recipes.saved.model_header import (
    header_bool,
    header_float,
    header_int,
    header_object,
    header_str,
    header_strings,
)
from services.local.models.recipes.users._up_model import UPParams


def test_round_trip_keeps_strings_and_numbers(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    save_npz(
        path,
        {"kind": "toy"},
        item_ids=np.array(["a", "b"], dtype=object),
        popularity=np.array([2.0, 1.0]),
    )
    header, arrays = load_npz(path)
    assert header == {"kind": "toy"}
    assert arrays["item_ids"].tolist() == ["a", "b"]
    assert arrays["popularity"].tolist() == [2.0, 1.0]


def test_object_arrays_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(path, __header__=np.array("{}"), payload=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError, match="Object arrays cannot be loaded"):
        load_npz(path)


def test_header_figures_read_as_integers_and_refuse_other_shapes(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    save_npz(path, {"n_items": 3, "window": "86400", "bad": [1, 2]}, x=np.array([1]))
    header, _ = load_npz(path)
    assert header_int(header, "n_items") == 3
    assert header_int(header, "window") == 86_400
    with pytest.raises(ValueError, match="bad is \\[1, 2\\], not a number"):
        header_int(header, "bad")
    with pytest.raises(KeyError):
        header_int(header, "absent")


def test_header_values_come_back_in_their_kind_or_say_which_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    header = {
        "recipe_name": "aws-sims",
        "period_days": 14,  # a whole number where a float is kept
        "discount": "0.5",
        "incremental": True,
        "columns": ["TITLE", "DESCRIPTION"],
        "params": {"history_length": 50},
        "flag": "yes",
        "mixed": ["TITLE", 3],
        "n": True,
    }
    save_npz(path, header, x=np.array([1]))
    read, _ = load_npz(path)
    assert header_str(read, "recipe_name") == "aws-sims"
    assert header_float(read, "period_days") == 14.0
    assert isinstance(header_float(read, "period_days"), float)
    assert header_float(read, "discount") == 0.5
    assert header_bool(read, "incremental") is True
    assert header_strings(read, "columns") == ("TITLE", "DESCRIPTION")
    assert header_object(read, "params") == {"history_length": 50}
    assert header_object(read, "training", {}) == {}
    assert header_float(read, "absent", 2.5) == 2.5
    with pytest.raises(ValueError, match="flag is 'yes', not true or false"):
        header_bool(read, "flag")
    with pytest.raises(ValueError, match="recipe_name is 'aws-sims', not a number"):
        header_float(read, "recipe_name")
    with pytest.raises(ValueError, match="period_days is 14, not a string"):
        header_str(read, "period_days")
    with pytest.raises(ValueError, match=r"mixed is \['TITLE', 3\], not a list of strings"):
        header_strings(read, "mixed")
    with pytest.raises(ValueError, match="columns is .*, not a JSON object"):
        header_object(read, "columns")
    with pytest.raises(ValueError, match="n is True, not a number"):  # JSON true is no count
        header_int(read, "n")
    with pytest.raises(KeyError, match="the model header has no absent"):
        header_str(read, "absent")


def test_a_model_file_with_a_header_value_of_the_wrong_kind_is_refused(tmp_path: Path) -> None:
    model = TrendingNowRecipe().fit(
        TrainingData(
            pd.DataFrame(
                {
                    "USER_ID": ["u1", "u2", "u3"],
                    "ITEM_ID": ["a", "a", "b"],
                    "TIMESTAMP": [1_000, 2_000, 3_000],
                    "EVENT_TYPE": ["", "", ""],
                    "EVENT_VALUE": [np.nan] * 3,
                }
            )
        ),
        TrainingConfig(),
    )
    good = tmp_path / "good.npz"
    model.save(good)
    header, arrays = load_npz(good)
    assert TrendingNowRecipe().load(good).window_seconds == model.window_seconds
    bad = tmp_path / "bad.npz"
    save_npz(bad, {**header, "window_seconds": [86_400]}, **arrays)
    with pytest.raises(ValueError, match=r"window_seconds is \[86400\], not a number"):
        TrendingNowRecipe().load(bad)


def test_user_personalization_settings_an_older_file_lacks_keep_their_defaults() -> None:
    params = UPParams.from_header({"history_length": 20, "recency_decay": 0.5})
    assert params == UPParams(history_length=20, recency_decay=0.5)
    assert params.sequence_window == 3  # UPParams' default, written here by hand
    with pytest.raises(ValueError, match="sequence_weight is 'high', not a number"):
        UPParams.from_header({"sequence_weight": "high"})
