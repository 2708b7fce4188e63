"""An Interactions filter placed by the model's item index (``evaluate``'s ``positions``, what
GetRecommendations passes) lets through exactly the items the ID-hashing path does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from services.local.filters.evaluate import evaluate
from services.local.filters.parse import parse_filter

ITEMS = np.array([f"p{i}" for i in range(500)], dtype=object)
EVENTS = pd.DataFrame(
    {
        "ITEM_ID": ["p3", "p7", "p7", "p499", "gone", "p0"],
        "EVENT_TYPE": ["Purchase", "View", "purchase", "Purchase", "Purchase", "Click"],
        "TIMESTAMP": [1, 2, 3, 4, 5, 6],
    }
)


@pytest.mark.parametrize(
    "expression",
    [
        'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")',
        'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("View", "Click")',
        'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE NOT IN ("View")',
        'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")',
    ],
)
def test_positions_give_the_same_mask(expression: str) -> None:
    expr = parse_filter(expression)
    common = {"items": pd.DataFrame({"ITEM_ID": []}), "user_interactions": EVENTS}
    hashed = evaluate(expr, item_ids=ITEMS, current_user={}, values={}, **common)
    index = {str(item): i for i, item in enumerate(ITEMS)}
    placed = evaluate(expr, item_ids=ITEMS, current_user={}, values={}, positions=index, **common)
    np.testing.assert_array_equal(placed, hashed)
    assert 0 < int(placed.sum()) < len(ITEMS)


def test_purchased_items_by_hand() -> None:
    expr = parse_filter('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")')
    index = {str(item): i for i, item in enumerate(ITEMS)}
    mask = evaluate(
        expr, item_ids=ITEMS, items=pd.DataFrame({"ITEM_ID": []}), user_interactions=EVENTS,
        current_user={}, values={}, positions=index,
    )  # fmt: skip
    # p3, p7 ("purchase": event types match case-insensitively) and p499 are left out
    assert sorted(ITEMS[~mask]) == ["p3", "p499", "p7"]
