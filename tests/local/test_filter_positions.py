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


def _history(seed: int, n: int = 400) -> list[tuple[str, str, float]]:
    """A user's rows with many time ties, more than 100 events of a type, and event types
    that differ only in case."""
    rng = np.random.default_rng(seed)
    kinds = np.array(["Purchase", "purchase", "View", "Click"], dtype=object)
    return [
        (f"p{int(i)}", str(kinds[k]), float(ts))
        for i, k, ts in zip(
            rng.integers(0, 500, n), rng.choice(4, n, p=[0.1, 0.05, 0.75, 0.1]),
            rng.integers(0, 60, n), strict=True,
        )
    ]  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "expression",
    [
        'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")',
        'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("View")',
        'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE NOT IN ("click")',
        'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")',
    ],
)
def test_rows_give_the_frame_mask(expression: str, seed: int) -> None:
    """A history given as rows (what GetRecommendations passes) is read as its frame is:
    newest first with ties in order, 100 events per event type as written."""
    expr = parse_filter(expression)
    rows = _history(seed)
    frame = pd.DataFrame(rows, columns=["ITEM_ID", "EVENT_TYPE", "TIMESTAMP"])
    index = {str(item): i for i, item in enumerate(ITEMS)}
    common = {"item_ids": ITEMS, "items": pd.DataFrame({"ITEM_ID": []}), "current_user": {},
              "values": {}, "positions": index}  # fmt: skip
    from_rows = evaluate(expr, user_interactions=rows, **common)
    np.testing.assert_array_equal(from_rows, evaluate(expr, user_interactions=frame, **common))
    assert 0 < int(from_rows.sum()) < len(ITEMS)


def test_rows_keep_only_the_newest_100_per_type() -> None:
    # 150 Views of p0..p149 at times 0..149 and one Purchase of p499: the newest 100 Views
    # are p50..p149
    rows = [(f"p{i}", "View", float(i)) for i in range(150)] + [("p499", "Purchase", 0.0)]
    expr = parse_filter('INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view")')
    mask = evaluate(
        expr, item_ids=ITEMS, items=pd.DataFrame({"ITEM_ID": []}), user_interactions=rows,
        current_user={}, values={},
    )  # fmt: skip
    assert sorted(ITEMS[mask], key=lambda s: int(s[1:])) == [f"p{i}" for i in range(50, 150)]
