"""Model files hold plain arrays only: a file carrying Python objects is refused on load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.local.models.recipes.base import header_int, load_npz, save_npz


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
