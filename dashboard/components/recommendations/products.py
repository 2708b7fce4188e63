"""Items drawn as products: picture, name, price and category, the ID beside or on click.

Pictures are ``st.column_config.ImageColumn`` cells: the browser loads the URL (the item's
own, checked in ``services.evaluation.products``, or the dashboard's static pictures); names
and categories are dataframe cells, which Streamlit draws as plain text.

The item ID is a column or shows on click, not on hover: Streamlit 1.67's ``st.dataframe``
draws no per-cell tooltip of the app's. Its cell tooltips are its own validation messages, a
pandas Styler passes only display values, colours and font weight, and
``Styler.set_tooltips`` reaches ``st.table`` alone (streamlit/streamlit#10561; cell tooltips
for ``st.dataframe`` are the open #7564). Checked in Chromium: ``st.dataframe`` of a Styler
with tooltips shows no tooltip on hover and prints pandas' ``<span class="pd-t"></span>``
after every cell's text; ``st.table`` shows them (CSS ``::after`` text, so ``<b>x</b>`` stays
text), but its cells are markdown, it has no picture cells or selections, and an ID ending in
a backslash escapes pandas' CSS string, blanking the tooltips of the cells after it.

Re-checked against the installed 1.67 (``streamlit/elements/lib/column_types.py`` and the
``DataFrame`` frontend bundle): every column type's ``help`` is the header's tooltip only; the
grid shows a cell's ``tooltip`` field, but only a cell's validation error fills it and no
column setting reaches it; ``LinkColumn(display_text=…)`` replaces a URL's text, it adds no
hover; ``MarkdownColumn`` renders its cell as markdown in an overlay on click, which would draw
a product name typed by whoever exported the catalogue as markdown. So the ID stays a column of
the product tables, and in the picture grid a click on a picture (a cell selection) or on a row
shows the products with their IDs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd
import streamlit as st

from dashboard.components.text import md_escape
from services.evaluation.sampling import ItemCatalog
from services.i18n import N_, _, formats

ROW_HEIGHT = 56  # px: a thumbnail a merchandiser can recognise
NAME_ROW_HEIGHT = 35  # px: st.dataframe's own row (and header) height, for the names grid
PICTURE_WIDTH = 64  # px per rank column: 10 ranks and the user column fit a 1280 px window
# The item ID column: about 8 px a character in the grid's 14 px font (digits and capitals,
# what shop IDs are made of) plus the cell's padding; at least a 10-character SKU, at most a
# UUID's 36 characters (a longer ID is cut, and shows whole on a click of the cell).
ID_CHAR_PX, ID_PADDING_PX = 8, 24
ID_MIN_CHARS, ID_MAX_CHARS = 10, 36
# The name column of a half-page table (the playground's before / after): with the rank, a
# change mark, the picture and a 10-character ID it fits the ~460 px of half a 1400 px
# window's page (measured on a Chromium screenshot), so no scrolling is needed to read them.
COMPACT_NAME_WIDTH = 150
MISSING = "–"  # a name or category the catalogue does not have (never "None")
# What st.dataframe draws in a cell without a value (its ``placeholder``; Streamlit's default
# is the text "None"): a picture grid's row shorter than the grid is left blank.
NO_PICTURE = ""

# Product table columns (stable keys) and their headers, marked for the catalogue.
HEADERS = {
    "picture": N_("picture"),
    "name": N_("name"),
    "price": N_("price"),
    "category": N_("category"),
    "item_id": N_("item ID"),
}


def product_fields(catalog: ItemCatalog, item_id: str) -> dict[str, Any]:
    """One product's cells, keyed like ``HEADERS``: the picture URL and text to display."""
    product = catalog.product(item_id)
    return {
        "picture": product.image,
        "name": product.name or MISSING,
        "price": formats.money(product.price, product.currency),
        "category": product.category or MISSING,
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


def picture_grid(
    rows: Mapping[str, Sequence[str]],
    catalog: ItemCatalog,
    width: int,
    *,
    row_name: str,
    column_name: str,
) -> pd.DataFrame:
    """Rows × positions of pictures: one row per key of ``rows`` (a user, or a user and a
    campaign), column ``1`` … ``width`` the picture of the item at that position (None past
    the end of a shorter list, drawn blank by ``show_picture_grid``). The index is named
    ``row_name``, the columns ``column_name``."""
    frame = pd.DataFrame(
        [
            [catalog.product(i).image for i in list(items)[:width]]
            + [None] * (width - len(list(items)[:width]))
            for items in rows.values()
        ],
        index=pd.Index(list(rows), name=row_name),
        columns=pd.Index([str(k) for k in range(1, width + 1)], name=column_name),
    )
    return frame


def name_grid(
    frame: pd.DataFrame, rows: Mapping[str, Sequence[str]], catalog: ItemCatalog
) -> pd.DataFrame:
    """The names under a ``picture_grid`` ``frame``: the same rows and columns, each cell the
    product's name (its ID when the catalogue has no name), blank past the end of a list."""
    width = len(frame.columns)
    return pd.DataFrame(
        [
            [catalog.product(i).name or i for i in list(items)[:width]]
            + [NO_PICTURE] * (width - len(list(items)[:width]))
            for items in rows.values()
        ],
        index=frame.index,
        columns=frame.columns,
    )


def show_picture_grid(
    frame: pd.DataFrame, rows: Mapping[str, Sequence[str]], catalog: ItemCatalog, key: str
) -> str | None:
    """Draw a ``picture_grid`` and, under it, the same grid of product names; a click on a
    picture selects it and its product is shown below (name, price, category, ID). Returns the
    clicked item's ID, or None.

    The pictures are the shop's own URLs, loaded by the reader's browser: one that does not
    load leaves its cell blank (an image cell of ``st.dataframe`` has no fallback), so every
    position's name is also written as text, in the grid under it."""
    config = {col: st.column_config.ImageColumn(col, width=PICTURE_WIDTH) for col in frame.columns}
    event = st.dataframe(
        frame,
        column_config=config,
        row_height=ROW_HEIGHT,
        height=ROW_HEIGHT * len(frame) + 38,  # every row (and the 35 px header), no scrolling
        placeholder=NO_PICTURE,  # past the end of a shorter list (a 5-item history row)
        on_select="rerun",
        selection_mode=["single-cell", "single-row"],
        key=key,
    )
    names = {col: st.column_config.TextColumn(col, width=PICTURE_WIDTH) for col in frame.columns}
    st.dataframe(
        name_grid(frame, rows, catalog),
        column_config=names,
        height=NAME_ROW_HEIGHT * (len(frame) + 1) + 3,  # every row and the header, no scrolling
        placeholder=NO_PICTURE,
        key=f"{key}_names",
    )
    item = clicked_item(event, rows)
    picked = getattr(getattr(event, "selection", None), "rows", None) or []
    keys = list(rows)
    if item is not None:
        show_products([item], catalog, f"{key}_clicked")
    elif picked and 0 <= int(picked[0]) < len(keys):
        # a whole row: that user's list, every product with its name, price and category
        row = keys[int(picked[0])]
        st.markdown(_("**{row}**, product by product").format(row=md_escape(row)))
        show_products(list(rows[row]), catalog, f"{key}_row")
    else:
        st.caption(
            _(
                "Click a picture to see the product's name, price, category and ID, or the "
                "row's checkbox for all of a user's products."
            )
        )
    return item


def clicked_item(event: Any, rows: Mapping[str, Sequence[str]]) -> str | None:
    """The item ID under a grid's selected cell (``event``: what ``st.dataframe`` returned,
    cells as ``(row position, column name)``); None when nothing or an empty cell is selected."""
    cells = getattr(getattr(event, "selection", None), "cells", None) or []
    if not cells:
        return None
    row, column = cells[0]
    keys = list(rows)
    if not (0 <= int(row) < len(keys)):
        return None
    items = list(rows[keys[int(row)]])
    position = int(column) - 1 if str(column).isdigit() else -1
    return items[position] if 0 <= position < len(items) else None
