"""Items conditions answered from columns lined up once with the model's items
(``filters.columns.ItemColumns``, what GetRecommendations passes) let through exactly the items
the per-request evaluation of the Items frame does: categorical, multi-part ("a|b"), Korean,
boolean and numeric columns, missing and empty values, items without a row or with two rows,
and a catalogue in another order than the Items data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from services.local.filters.columns import ItemColumns
from services.local.filters.evaluate import evaluate
from services.local.filters.parse import parse_filter

RNG = np.random.default_rng(5)
N = 400
_GENRES = np.array(
    ["drama", "comedy", "커피", "차|커피", "drama|comedy|horror", "", None], dtype=object
)
ITEMS = pd.DataFrame(
    {
        "ITEM_ID": [f"i{k}" for k in range(N)] + ["i3", "ghost"],  # i3 twice: its last row counts
        "GENRE": list(RNG.choice(_GENRES, size=N)) + ["horror", "drama"],
        "COLOR": list(RNG.choice(np.array(["red", "blue", None], dtype=object), size=N))
        + ["green", "red"],
        "PRICE": list(np.round(RNG.uniform(0, 100, size=N), 1)) + [50.0, 1.0],
        "SIZE": list(RNG.choice(np.array([1, 2, 10], dtype=np.int64), size=N)) + [10, 2],
        "ON_SALE": list(RNG.choice(np.array([True, False]), size=N)) + [True, True],
    }
).astype({"GENRE": "str", "COLOR": "str"})
ITEMS.loc[7, "PRICE"] = np.nan
# the model's catalogue: another order, without some items, with one the Items data lacks
CATALOGUE = np.array([f"i{k}" for k in RNG.permutation(N) if k % 17] + ["unknown"], dtype=object)
EVENTS = pd.DataFrame(columns=["ITEM_ID", "EVENT_TYPE", "TIMESTAMP"])

CASES = [
    ("INCLUDE ItemID WHERE Items.GENRE IN ($G)", {"G": '"drama"'}),
    ("INCLUDE ItemID WHERE Items.GENRE IN ($G)", {"G": '"커피","horror"'}),
    ("EXCLUDE ItemID WHERE Items.GENRE IN ($G)", {"G": '"comedy"'}),
    ("INCLUDE ItemID WHERE Items.GENRE NOT IN ($G)", {"G": '"drama","커피"'}),
    ("INCLUDE ItemID WHERE Items.GENRE IN ($G)", {"G": '"drama|comedy"'}),  # "|" in a value
    ("INCLUDE ItemID WHERE Items.GENRE IN ($G)", {"G": '"nothing"'}),
    ('INCLUDE ItemID WHERE Items.COLOR IN ("red") AND Items.PRICE < 50', {}),
    ('INCLUDE ItemID WHERE Items.COLOR NOT IN ("red")', {}),
    (
        "EXCLUDE ItemID WHERE Items.PRICE >= $LO AND Items.PRICE <= $HI",
        {"LO": '"20"', "HI": '"60"'},
    ),
    ("INCLUDE ItemID WHERE Items.PRICE != 0", {}),
    ('INCLUDE ItemID WHERE Items.SIZE IN ("10", "2.0", "x")', {}),
    ('INCLUDE ItemID WHERE Items.ON_SALE IN ("true")', {}),
    ('INCLUDE ItemID WHERE Items.ON_SALE NOT IN ("true")', {}),
    ('INCLUDE ItemID WHERE Items.MISSING IN ("a")', {}),
    (
        'INCLUDE ItemID WHERE Items.GENRE IN ("drama") OR Items.PRICE > 90 '
        '| EXCLUDE ItemID WHERE Items.COLOR IN ("blue")',
        {},
    ),
]


@pytest.mark.parametrize(("expression", "values"), CASES)
@pytest.mark.parametrize("catalogue", ["shuffled", "same order"])
def test_prepared_columns_give_the_same_mask(
    expression: str, values: dict[str, str], catalogue: str
) -> None:
    items = ITEMS if catalogue == "shuffled" else ITEMS.iloc[:N]
    ids = CATALOGUE if catalogue == "shuffled" else items["ITEM_ID"].to_numpy(dtype=object)
    expr = parse_filter(expression)
    common = {"item_ids": ids, "items": items, "user_interactions": EVENTS, "current_user": {}}
    frame = evaluate(expr, values=values, **common)
    columns = ItemColumns(items, ids)
    for _ in range(2):  # prepared once, then read again
        prepared = evaluate(expr, values=values, columns=columns, **common)
        np.testing.assert_array_equal(prepared, frame)
    if "MISSING" not in expression and "nothing" not in str(values):
        assert 0 < int(frame.sum()) < len(ids)


def test_multi_part_values_by_hand() -> None:
    items = pd.DataFrame(
        {"ITEM_ID": ["a", "b", "c", "d", "e", "a"],
         "GENRE": ["drama|comedy", "comedy", "", None, "drama", "horror|drama"]}
    )  # fmt: skip
    ids = np.array(["e", "d", "c", "b", "a", "z"], dtype=object)
    columns = ItemColumns(items, ids)
    has_value, hit = columns.matches("GENRE", ["drama"])
    # a's last row ("horror|drama") counts; c is empty, d missing, z has no row
    assert list(has_value) == [True, False, False, True, True, False]
    assert list(hit) == [True, False, False, False, True, False]
    expr = parse_filter('INCLUDE ItemID WHERE Items.GENRE NOT IN ("drama")')
    mask = evaluate(
        expr, item_ids=ids, items=items, user_interactions=EVENTS, current_user={}, values={},
        columns=columns,
    )  # fmt: skip
    assert list(ids[mask]) == ["b"]
