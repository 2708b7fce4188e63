"""Rows of product cards: each position a card with the product's picture, name, price and
category, its item ID on hover (a band over the picture, and the card's native tooltip); a
click on a card or on a row's label comes back to Python.

One ``st.components.v2`` component (Streamlit 1.67): its JavaScript and CSS are the files
``product_cards.js`` / ``product_cards.css`` next to this module, given inline, so the
browser loads them from the page itself (a ``blob:`` module, no iframe, no request). Every
value is computed here (names, the price formatted in the reader's language, pictures
checked by ``services.evaluation.products.safe_image_url``); the script sets text with
``textContent`` / ``title`` and pictures with ``src`` only, never HTML, and swaps a picture
that fails to load for the placeholder tile. AppTest draws no custom component: there the
element carries what it was given (``cards_data``), which tests read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import streamlit as st

from dashboard.components.chart_style import FONT_FAMILY
from services.demo.images import PLACEHOLDER_URL
from services.evaluation.products import safe_image_url
from services.evaluation.sampling import ItemCatalog
from services.i18n import _, formats

_HERE = Path(__file__).parent
NAME = "personalize_dashboard.product_cards"
MISSING = "–"  # a category the catalogue does not have (never "None")


class Cell(TypedDict):
    """One card: the item ID (shown on hover) and the text and picture to draw."""

    item: str
    name: str
    price: str
    category: str
    image: str


class Row(TypedDict):
    label: str
    first: bool  # a new group starts here (Compare mode: the next user)
    cells: list[Cell]


@dataclass(frozen=True)
class Grid:
    """What a card grid shows: ``rows`` (row label -> item IDs, best first), ``width``
    positions of each (a shorter list leaves its last ones empty), the header's words
    (``row_name`` over the labels, ``column_name 1`` … over the positions) and ``groups``
    (row label -> group, a user: a row whose group differs from the row above starts with a
    gap; empty: no groups)."""

    rows: Mapping[str, Sequence[str]]
    width: int
    row_name: str
    column_name: str
    groups: Mapping[str, str] = field(default_factory=dict)


class Selected(TypedDict):
    row: int
    item: str | None  # None: the whole row (its label was clicked)


def _css() -> str:
    # the Hangul faces named once, in chart_style, for the charts and these cards alike
    rule = f".pc-root {{ font-family: {FONT_FAMILY}; }}\n"
    return rule + (_HERE / "product_cards.css").read_text(encoding="utf-8")


_MOUNT = st.components.v2.component(
    NAME,
    css=_css(),
    js=(_HERE / "product_cards.js").read_text(encoding="utf-8"),
)


def card(catalog: ItemCatalog, item_id: str) -> Cell:
    """One product as a card: its name (the ID when the catalogue has none), price in the
    reader's format (``₩39,000``; ``–`` unknown), category (``–`` unknown) and a picture the
    browser may load (the item's own checked URL, its demo category's, or the placeholder)."""
    product = catalog.product(item_id)
    return {
        "item": item_id,
        "name": product.name or item_id,
        "price": formats.money(product.price, product.currency),
        "category": product.category or MISSING,
        "image": safe_image_url(product.image) or PLACEHOLDER_URL,
    }


def cards_data(
    grid: Grid, catalog: ItemCatalog, selected: Selected | None = None
) -> dict[str, Any]:
    """What the component draws (JSON): the header and one row per row of ``grid``, a card
    per item up to its width; ``selected``: the card (or row) to draw as chosen."""
    drawn: list[Row] = []
    previous: str | None = None
    for index, (label, items) in enumerate(grid.rows.items()):
        group = grid.groups.get(label, label)
        drawn.append(
            {
                "label": label,
                "first": bool(grid.groups) and index > 0 and group != previous,
                "cells": [card(catalog, i) for i in list(items)[: grid.width]],
            }
        )
        previous = group
    return {
        "row_name": grid.row_name,
        "columns": [f"{grid.column_name} {k}" for k in range(1, grid.width + 1)],
        "rows": drawn,
        "placeholder": PLACEHOLDER_URL,
        "id_label": _("item ID"),
        "row_hint": _("Click for all of this row's products"),
        "selected": selected,
    }


def chosen(value: object, rows: Mapping[str, Sequence[str]]) -> Selected | None:
    """The browser's choice (``{"row": n, "item": id or None}``) if it names a row of
    ``rows`` and, with an item, an item of that row; None otherwise. The browser's state is
    not trusted: a tampered value selects nothing."""
    if not isinstance(value, Mapping):
        return None
    row, item = value.get("row"), value.get("item")
    keys = list(rows)
    if isinstance(row, bool) or not isinstance(row, int) or not 0 <= row < len(keys):
        return None
    if item is None:
        return {"row": row, "item": None}
    if isinstance(item, str) and item in list(rows[keys[row]]):
        return {"row": row, "item": item}
    return None


def product_cards(grid: Grid, catalog: ItemCatalog, key: str) -> Selected | None:
    """Draw ``grid`` as cards and return what the reader clicked: a card (``{"row": n,
    "item": id}``), a row's label (``item`` None), or None; a second click on the same card
    or label clears it. The choice is kept in the session under ``key``."""
    # the choice made by the click that started this run, so the card is drawn as chosen
    previous = chosen(_get(st.session_state.get(key), "selected"), grid.rows)
    result = _MOUNT(
        key=key,
        data=cards_data(grid, catalog, previous),
        default={"selected": None},
        on_selected_change=lambda: None,
    )
    return chosen(_get(result, "selected"), grid.rows)


def _get(state: object, name: str) -> object:
    """A state value of the component's result or session entry (a mapping), or None."""
    return state.get(name) if isinstance(state, Mapping) else None
