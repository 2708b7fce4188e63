"""The compare grid as product cards (issue #21): rows of different lengths (trial s9: each
user's 5-item "latest" history row in a top-10 grid read "None" in cells 6-10) leave their
last positions empty, every card carries its name, price, category and item ID as text, and
a click on a card or a row's name shows its products with no "None" either.

AppTest draws no custom component: these tests read what the cards component was given (its
element's JSON), which is all its script draws (tests/e2e/test_product_cards.py checks the
drawing in Chromium)."""

from __future__ import annotations

import json
from typing import Any

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
    c = [UserRecommendations("u2", ("i2",))]
    show_compare_grid(
        [("A-campaign", a), ("B-campaign", [*b, *c])], {"u1": ["i9", "i1"]}, catalog, 4
    )


def _grid(language: str, selected: dict | None = None) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["language"] = language
    if selected is not None:  # what the browser sends after a click
        at.session_state["compare_grid"] = {"selected": selected}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _cards(at: AppTest) -> dict[str, Any]:
    (cards,) = at.get("bidi_component")
    data: dict[str, Any] = json.loads(cards.proto.json)
    return data


@pytest.mark.parametrize(("language", "latest"), [("en", "latest"), ("ko", "최근")])
def test_a_short_row_leaves_its_last_positions_empty(language: str, latest: str) -> None:
    data = _cards(_grid(language))
    assert [r["label"] for r in data["rows"]] == [
        f"u1 · {latest}",
        "u1 · A",
        "u1 · B",
        f"u2 · {latest}",
        "u2 · A",
        "u2 · B",
    ]
    assert len(data["columns"]) == 4
    # as written in _script: history i9, i1; A i1, i2, i9, i2x; B i2, i1; u2: no history,
    # nothing from A, i2 from B
    assert [[c["item"] for c in r["cells"]] for r in data["rows"]] == [
        ["i9", "i1"],
        ["i1", "i2", "i9", "i2x"],
        ["i2", "i1"],
        [],
        [],
        ["i2"],
    ]
    # u2's rows start a new user: a gap above the first of them only
    assert [r["first"] for r in data["rows"]] == [False, False, False, True, False, False]


@pytest.mark.parametrize(("language", "price"), [("en", "₩39,000"), ("ko", "₩39,000")])
def test_every_card_has_its_name_price_category_and_id_as_text(language: str, price: str) -> None:
    """A card's text is what the catalogue says, formatted in Python: the unknown item i9 is
    named by its ID with a dash for price and category (never "None"); its picture is the
    neutral placeholder."""
    data = _cards(_grid(language))
    cards = {c["item"]: c for r in data["rows"] for c in r["cells"]}
    assert cards["i1"] == {
        "item": "i1",
        "name": "Shoe",
        "price": price,
        "category": "–",
        "image": "app/static/items/placeholder.svg",
    }
    assert (cards["i2"]["name"], cards["i2"]["price"], cards["i2"]["category"]) == (
        "Hat",
        "–",
        "hats",
    )
    assert (cards["i9"]["name"], cards["i9"]["price"], cards["i9"]["category"]) == (
        "i9",
        "–",
        "–",
    )
    assert data["id_label"] == ("item ID" if language == "en" else "상품 ID")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_clicked_row_shows_its_products_with_no_none(language: str) -> None:
    """A click on the history row's name lists its products; the unknown item's name,
    category and price are a dash, and the table's own placeholder is one too."""
    at = _grid(language, {"row": 0, "item": None})
    (table,) = at.dataframe
    frame = table.value
    assert len(frame) == 2 and frame.iloc[0].tolist()[1:4] == ["–", "–", "–"]
    cells = [str(v) for v in frame.to_numpy().ravel()]
    assert "None" not in cells and "nan" not in cells
    assert table.proto.placeholder == "–"
    assert _cards(at)["selected"] == {"row": 0, "item": None}


def test_a_clicked_card_shows_that_product_with_its_id() -> None:
    at = _grid("en", {"row": 1, "item": "i2"})
    (table,) = at.dataframe
    assert table.value.to_dict("records") == [
        {
            "picture": "app/static/items/placeholder.svg",
            "name": "Hat",
            "price": "–",
            "category": "hats",
            "item ID": "i2",
        }
    ]
    assert _cards(at)["selected"] == {"row": 1, "item": "i2"}


@pytest.mark.parametrize(
    "tampered",
    [
        {"row": 1, "item": "i404"},  # not in that row
        {"row": 9, "item": None},  # no such row
        {"row": True, "item": "i1"},  # a boolean is no row number
        {"row": "1", "item": "i1"},
        ["row", 1],
    ],
)
def test_a_tampered_choice_selects_nothing(tampered: object) -> None:
    """The browser's state is not trusted: a choice naming no card of the grid shows no
    product and draws no card as chosen."""
    at = _grid("en", tampered)  # type: ignore[arg-type]
    assert len(at.dataframe) == 0
    assert _cards(at)["selected"] is None
