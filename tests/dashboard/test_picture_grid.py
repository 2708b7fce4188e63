"""The compare grid's rows of different lengths (trial s9: each user's 5-item "latest" history
row in a top-10 grid read "None" in cells 6-10, in English and in Korean): a cell without an
item is drawn blank, and the product tables the grid feeds show no "None" either."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from dashboard.components.recommendations.grid import show_compare_grid
    from services.evaluation.inspection import UserRecommendations
    from services.evaluation.sampling import ItemCatalog
    from services.i18n import use_language

    use_language(st.session_state["language"])
    # i1 has a name and no category, i9 is not in the catalogue at all
    catalog = ItemCatalog({"i1": "Shoe", "i2": "Hat"}, {"i2": "hats"}, {"i1": 39000.0})
    a = [UserRecommendations("u1", ("i1", "i2", "i9", "i2x"))]
    b = [UserRecommendations("u1", ("i2", "i1"))]  # shorter than the grid
    show_compare_grid([("A-campaign", a), ("B-campaign", b)], {"u1": ["i9", "i1"]}, catalog, 4)


def _grid(language: str, selection: dict | None = None) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["language"] = language
    if selection is not None:
        at.session_state["compare_grid"] = {"selection": selection}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize(("language", "latest"), [("en", "latest"), ("ko", "최근")])
def test_a_short_row_draws_blank_cells_not_none(language: str, latest: str) -> None:
    at = _grid(language)
    grid = at.dataframe(key="compare_grid")
    frame = grid.value
    assert list(frame.index) == [f"u1 · {latest}", "u1 · A", "u1 · B"]
    # the history row (2 items) and B's row (2 items) end early: 2 + 2 cells without an item
    assert int(frame.isna().sum().sum()) == 4
    # and st.dataframe draws such a cell with its placeholder: blank, not its default "None"
    assert grid.proto.HasField("placeholder") and grid.proto.placeholder == ""


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_products_of_a_short_row_show_no_none(language: str) -> None:
    """A click on the history row lists its products; the unknown item's name, category and
    price are a dash, and the table's own placeholder is one too."""
    at = _grid(language, {"rows": [0], "columns": [], "cells": []})
    tables = [d for d in at.dataframe if d.value.index.name not in ("user", "사용자")]
    (table,) = tables
    frame = table.value
    assert len(frame) == 2 and frame.iloc[0].tolist()[1:4] == ["–", "–", "–"]
    cells = [str(v) for v in frame.to_numpy().ravel()]
    assert "None" not in cells and "nan" not in cells
    assert table.proto.placeholder == "–"


def _column_types(table: object) -> dict[str, str]:
    """A dataframe's column settings (name -> type) as its proto sends them to the browser."""
    import json

    config = json.loads(table.proto.columns)  # type: ignore[attr-defined]
    return {name: c.get("type_config", {}).get("type", "") for name, c in config.items()}


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_picture_has_its_name_as_text_under_the_grid(language: str) -> None:
    """Trial s13: the shop's own picture URLs did not load and the grid looked empty. Under
    the pictures, the same grid holds each product's name as text (its ID without one), so a
    picture that does not load still leaves its product readable."""
    at = _grid(language)
    frames = list(at.dataframe)
    pictures = at.dataframe(key="compare_grid")
    names = frames[[f.id for f in frames].index(pictures.id) + 1]  # drawn right under it
    assert list(names.value.index) == list(pictures.value.index)
    assert list(names.value.columns) == list(pictures.value.columns)
    # rows as written in _script: history i9, i1; A i1, i2, i9, i2x; B i2, i1 (4 columns)
    assert names.value.to_numpy().tolist() == [
        ["i9", "Shoe", "", ""],
        ["Shoe", "Hat", "i9", "i2x"],
        ["Hat", "Shoe", "", ""],
    ]
    assert set(_column_types(pictures).values()) == {"image"}
    assert set(_column_types(names).values()) == {"text"}
