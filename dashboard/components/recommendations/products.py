"""Items drawn as products: picture, name, price and category, with the item ID.

Recommendation grids (the side-by-side top-N and history, Compare mode's aligned rows) are
``product_cards``: one card per position with the picture, name, price and category, the ID
on hover (a band over the picture, and the card's native tooltip); a click on a card or a
row's name shows the product table below. That is a ``st.components.v2`` component, since
Streamlit 1.67's ``st.dataframe`` draws no per-cell tooltip of the app's (its cell tooltips
are its own validation messages; no column setting reaches them, and a pandas Styler's
``set_tooltips`` reaches ``st.table`` alone: streamlit/streamlit#10561, cell tooltips for
``st.dataframe`` are the open #7564).

Product tables (``show_products``: a clicked card's product, all recommended products,
similar items, ranking, the playground's before / after) stay ``st.dataframe``: pictures are
``st.column_config.ImageColumn`` cells (the browser loads the URL, the item's own checked in
``services.evaluation.products`` or the dashboard's static pictures), names and categories
plain-text cells, and the item ID a column of its own, sized to the longest ID shown, since
those tables are selected, sorted and read by tests cell by cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd
import streamlit as st

from dashboard.components.recommendations.product_cards import (
    MISSING,
    Grid,
    card,
    product_cards,
)
from dashboard.components.text import md_escape
from services.evaluation.sampling import ItemCatalog
from services.i18n import N_, _

ROW_HEIGHT = 56  # px: a thumbnail a merchandiser can recognise
PICTURE_WIDTH = 64  # px: the picture column of a product table
# The item ID column: about 8 px a character in the grid's 14 px font (digits and capitals,
# what shop IDs are made of) plus the cell's padding; at least a 10-character SKU, at most a
# UUID's 36 characters (a longer ID is cut, and shows whole on a click of the cell).
ID_CHAR_PX, ID_PADDING_PX = 8, 24
ID_MIN_CHARS, ID_MAX_CHARS = 10, 36
# The name column of a half-page table (the playground's before / after): with the rank, a
# change mark, the picture and a 10-character ID it fits the ~460 px of half a 1400 px
# window's page (measured on a Chromium screenshot), so no scrolling is needed to read them.
COMPACT_NAME_WIDTH = 150

# Product table columns (stable keys) and their headers, marked for the catalogue.
HEADERS = {
    "picture": N_("picture"),
    "name": N_("name"),
    "price": N_("price"),
    "category": N_("category"),
    "item_id": N_("item ID"),
}


def product_fields(catalog: ItemCatalog, item_id: str) -> dict[str, Any]:
    """One product's cells, keyed like ``HEADERS``: the picture URL and text to display (a
    card's, but ``–`` for a name the catalogue does not have: the ID is its own column)."""
    shown = card(catalog, item_id)
    return {
        "picture": shown["image"],
        "name": catalog.product(item_id).name or MISSING,
        "price": shown["price"],
        "category": shown["category"],
        "item_id": item_id,
    }


def id_width(item_ids: Sequence[str]) -> int:
    """The item ID column's width in px: wide enough for the longest of ``item_ids`` (within
    ``ID_MIN_CHARS``–``ID_MAX_CHARS`` characters). Left to Streamlit, a narrow table (the
    playground's half-page ones) cut a typical ID after a few characters."""
    longest = max((len(i) for i in item_ids), default=0)
    chars = min(max(longest, ID_MIN_CHARS), ID_MAX_CHARS)
    return chars * ID_CHAR_PX + ID_PADDING_PX


def column_config(
    item_ids: Sequence[str] = (), name_width: int | Literal["medium"] = "medium"
) -> dict[str, Any]:
    """Column settings for a frame with ``HEADERS`` columns, renamed with ``headers``; the
    ID column as wide as ``id_width(item_ids)``, the name ``name_width`` (px or a size)."""
    return {
        _(HEADERS["picture"]): st.column_config.ImageColumn(
            _(HEADERS["picture"]), width=PICTURE_WIDTH
        ),
        _(HEADERS["name"]): st.column_config.TextColumn(_(HEADERS["name"]), width=name_width),
        _(HEADERS["item_id"]): st.column_config.TextColumn(
            _(HEADERS["item_id"]), width=id_width(item_ids)
        ),
    }


def headers(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its product columns named in the reader's language."""
    return table.rename(columns={k: _(v) for k, v in HEADERS.items()})


def product_frame(item_ids: Sequence[str], catalog: ItemCatalog) -> pd.DataFrame:
    """One row per item (in the given order): picture, name, price, category, item ID."""
    return pd.DataFrame(
        [product_fields(catalog, i) for i in item_ids], columns=list(HEADERS)
    ).reset_index(drop=True)


def show_products(
    item_ids: Sequence[str],
    catalog: ItemCatalog,
    key: str,
    reasons: Mapping[str, str] | None = None,
    *,
    ranked: bool = False,
    extra: Mapping[str, Sequence[str]] | None = None,
    compact: bool = False,
) -> None:
    """The products as a table with pictures (nothing drawn for no items); ``reasons``: why
    the service put an item in a list (GetRecommendations ``reason``), as a last column.
    ``ranked`` puts the list position (1…) first; ``extra``: more columns (header -> one
    text per item) after it, before the product's: what the table is about comes first.
    ``compact`` (a half-page table): a narrower name with the item ID right after it, price
    and category last, so a typical ID is read without scrolling sideways."""
    if not item_ids:
        return
    frame = product_frame(item_ids, catalog)
    if ranked:
        frame.insert(0, _("rank"), range(1, len(item_ids) + 1))
    for header, cells in (extra or {}).items():
        frame[header] = list(cells)
    if reasons:
        frame[_("reason")] = [reasons.get(i, "") for i in item_ids]
    frame = headers(frame)
    products = [_(HEADERS[k]) for k in HEADERS]
    if compact:
        products = [_(HEADERS[k]) for k in ("picture", "name", "item_id", "price", "category")]
    leading = [c for c in frame.columns if c not in products and c != _("reason")]
    st.dataframe(
        frame,
        hide_index=True,
        column_config=column_config(
            item_ids, name_width=COMPACT_NAME_WIDTH if compact else "medium"
        ),
        column_order=[*leading, *products, *([_("reason")] if reasons else [])],
        row_height=ROW_HEIGHT,
        placeholder=MISSING,
        key=key,
    )


def show_picture_grid(grid: Grid, catalog: ItemCatalog, key: str) -> str | None:
    """``grid`` as product cards (``product_cards``: picture, name, price, category, the ID
    on hover), every row drawn; a click on a card shows that product below (name, price,
    category, ID), a click on a row's label all of its products. Returns the clicked item's
    ID, or None."""
    picked = product_cards(grid, catalog, key)
    keys = list(grid.rows)
    if picked is not None and picked["item"] is not None:
        show_products([picked["item"]], catalog, f"{key}_clicked")
        return picked["item"]
    if picked is not None:
        # a whole row: that user's list, every product with its name, price and category
        row = keys[picked["row"]]
        st.markdown(_("**{row}**, product by product").format(row=md_escape(row)))
        show_products(list(grid.rows[row]), catalog, f"{key}_row")
    else:
        st.caption(
            _(
                "Hover over a product for its item ID. Click it to see it with its ID below, "
                "or click a row's name for all of its products."
            )
        )
    return None
