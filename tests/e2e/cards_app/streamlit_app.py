"""The product cards alone, for the browser test (tests/e2e/test_product_cards.py): planted
names, an unreachable picture, a Korean name and category; what was clicked is written
under the cards."""

from __future__ import annotations

import os

import streamlit as st

from dashboard.components.recommendations.product_cards import Grid, product_cards
from services.evaluation.sampling import ItemCatalog
from services.i18n import use_language

HOSTILE = "<b>굵은</b>"
FORMULA = "=cmd|' /C calc'!A0"
# a loopback port nothing listens on (the test picks a free one): the picture cannot load
UNREACHABLE = f"http://127.0.0.1:{os.environ.get('CARDS_DEAD_PORT', '9')}/none.png"

use_language(st.query_params.get("lang", "en"))
catalog = ItemCatalog(
    {"h1": HOSTILE, "f1": FORMULA, "k1": "한국어 운동화", "u1": "Unreachable"},
    {"h1": "신발", "f1": FORMULA, "k1": "신발"},
    {"h1": 39000.0, "k1": 129000.0},
    images={"u1": UNREACHABLE, "f1": "javascript:alert(1)"},
)
rows = {"김민준": ["h1", "f1", "k1", "u1"], "<i>u2</i>": ["k1"]}
picked = product_cards(Grid(rows, 4, "user", "rank"), catalog, "cards")
st.text(f"picked: {picked}")
