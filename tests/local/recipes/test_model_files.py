"""Model files written by earlier code still load, and a loaded model writes the same file back:
the same entries in the same order, each with the same dtype and values, and the same header
text (so the same keys in the same order).

The files in ``model_files/`` were written by each model's hand-written ``save``, before the
models' files were declared as layouts (``recipes.stored``), after its recipe's ``fit`` on the
contract's toy data (``tests/local/recipes/test_contract.py``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from services.local.models.recipes import get_recipe
from services.local.models.recipes.saved.stored import Constant, Stored

FILES = sorted((Path(__file__).parent / "model_files").glob("*.npz"))


def test_there_is_a_file_of_each_recipe_written_before() -> None:
    assert [f.stem for f in FILES] == [
        "aws-item-affinity",
        "aws-item-attribute-affinity",
        "aws-next-best-action",
        "aws-popularity-count",
        "aws-semantic-similarity",
        "aws-similar-items",
        "aws-sims",
        "aws-trending-now",
    ]


@pytest.mark.parametrize("old", FILES, ids=lambda p: p.stem)
def test_a_model_file_written_before_loads_and_is_written_back_the_same(
    old: Path, tmp_path: Path
) -> None:
    model = get_recipe(old.stem).load(old)
    assert model.recipe_name == old.stem
    new = tmp_path / old.name
    model.save(new)
    with np.load(old, allow_pickle=False) as before, np.load(new, allow_pickle=False) as after:
        assert after.files == before.files
        for key in before.files:
            assert after[key].dtype == before[key].dtype, key
            np.testing.assert_array_equal(after[key], before[key], err_msg=key)


def test_every_field_of_a_stored_model_is_in_its_file() -> None:
    """A field added to a model without a place in its layout would be lost on save."""
    assert len(Stored.__subclasses__()) == 7
    for model in Stored.__subclasses__():
        kept = {f.name for f in dataclasses.fields(model) if not f.name.startswith("_")}
        stored = [e.field for e in model.LAYOUT if not isinstance(e, Constant)]
        assert sorted(stored) == sorted(kept), model.__name__
