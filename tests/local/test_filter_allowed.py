"""A filter's items kept between requests (``filters.selection``, ``filters.allowed``) and the
norm-ordered search among them (``NormOrderedIndex.search_rows``): the same items as the
per-request evaluation (``evaluate``, itself checked against hand-made masks in test_filters.py
and test_filter_columns.py) and the exact top of those items, computed here apart from the code
under test (numpy's float64 argsort over the allowed rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from services.local.filters.allowed import AllowedItems, allowed_items
from services.local.filters.columns import ItemColumns
from services.local.filters.evaluate import evaluate
from services.local.filters.expression import FilterExpressionError
from services.local.filters.parse import parse_filter
from services.local.filters.selection import Selection, SelectionCache
from services.local.models.recipes.retrieval.norm_ordered import NormOrderedIndex

K = 25


def test_search_rows_by_hand() -> None:
    # five items on a line (2-D), codes 10..14, norms 5, 4, 3, 2, 1; the user (1, 0) scores
    # each item its first coordinate: 5, -4, 3, 2, 1
    vectors = np.array([[5, 0], [-4, 0], [3, 0], [0, 2], [1, 0]], dtype=np.float32)
    index = NormOrderedIndex.build(vectors, np.arange(10, 15))
    user = np.array([1, 0], dtype=np.float32)
    allowed = np.zeros(15, dtype=bool)
    allowed[[11, 13, 14]] = True  # scores -4, 0, 1
    rows = index.positions_of(allowed)
    assert rows.tolist() == [1, 3, 4]  # the rows of norms 4, 2, 1
    assert sorted(index.search_rows(user, 2, rows).tolist()) == [13, 14]
    assert index.search_rows(user, 1, rows).tolist() == [14]
    assert sorted(index.search_rows(user, 5, rows).tolist()) == [11, 13, 14]  # all there are
    assert index.search_rows(user, 1, rows[:0]).tolist() == []


def _heavy_tailed(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    """Factors as ALS learns them for a sparse catalogue: most norms near 0.045, 1 % near 2.2,
    three at 90 (the ×10 shop's spread, small)."""
    x = rng.normal(size=(n, dim))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    norms = np.exp(rng.normal(-3.1, 0.5, n))
    heavy = rng.choice(n, n // 100, replace=False)
    norms[heavy] = np.exp(rng.normal(0.8, 0.7, len(heavy)))
    norms[heavy[:3]] = 90.0
    return (x * norms[:, None]).astype(np.float32)


@pytest.mark.parametrize("share", [0.003, 0.03, 0.3, 0.9])
def test_search_rows_is_the_exact_top_among_the_rows(share: float) -> None:
    rng = np.random.default_rng(int(share * 1000))
    n, dim = 6000, 16
    items = _heavy_tailed(rng, n, dim)
    codes = rng.permutation(n).astype(np.int64) * 2 + 1  # item codes are not row numbers
    index = NormOrderedIndex.build(items, codes)
    allowed = np.zeros(2 * n + 1, dtype=bool)
    allowed[codes[rng.random(n) < share]] = True
    rows = index.positions_of(allowed)
    assert np.all(np.diff(rows) > 0) and np.all(allowed[index.codes[rows]])
    assert len(rows) == int(allowed.sum())
    kept = allowed[codes]  # by the items' own rows
    for user in rng.normal(size=(60, dim)).astype(np.float32):
        scores = items[kept].astype(np.float64) @ user.astype(np.float64)
        want = set(codes[kept][np.argsort(-scores, kind="stable")[:K]].tolist())
        assert set(index.search_rows(user, K, rows).tolist()) == want


# --- the filter's items: the same as ``evaluate`` ------------------------------------------

RNG = np.random.default_rng(11)
N = 300
ITEMS = pd.DataFrame(
    {
        "ITEM_ID": [f"i{k}" for k in range(N)] + ["ghost"],
        "CATEGORY": list(RNG.choice(np.array(["a", "b", "c", "가전|b", ""], dtype=object), N))
        + ["a"],
        "PRICE": list(np.round(RNG.uniform(0, 100, N), 1)) + [5.0],
    }
).astype({"CATEGORY": "str"})
# the model's catalogue: another order, some items without a row, one the Items data lacks
CATALOGUE = np.array([f"i{k}" for k in RNG.permutation(N) if k % 13] + ["unknown"], dtype=object)
POSITIONS = {str(i): k for k, i in enumerate(CATALOGUE)}
HISTORY = tuple(
    (f"i{k}", "Purchase" if k % 3 == 0 else "View", 1_700_000_000 + t)
    for t, k in enumerate(RNG.choice(N, 40, replace=False))
)
CASES = [
    ("INCLUDE ItemID WHERE Items.CATEGORY IN ($C)", {"C": '"a"'}, {}),
    ("INCLUDE ItemID WHERE Items.CATEGORY IN ($C)", {"C": '"b","가전"'}, {}),
    ("INCLUDE ItemID WHERE Items.CATEGORY NOT IN ($C)", {"C": '"a"'}, {}),
    (
        "INCLUDE ItemID WHERE Items.CATEGORY IN ($C) | EXCLUDE ItemID WHERE Items.PRICE >= $MAX",
        {"C": '"a"', "MAX": '"40"'},
        {},
    ),
    (
        "EXCLUDE ItemID WHERE Items.PRICE >= $LO AND Items.PRICE < $HI",
        {"LO": '"10"', "HI": '"40"'},
        {},
    ),
    # an EXCLUDE whose parameter is missing excludes nothing
    ("EXCLUDE ItemID WHERE Items.PRICE >= $LO", {}, {}),
    (
        "INCLUDE ItemID WHERE Items.CATEGORY IN ($C) | EXCLUDE ItemID WHERE "
        'Interactions.EVENT_TYPE IN ("Purchase")',
        {"C": '"a","b"'},
        {},
    ),
    (
        'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("View") | '
        "INCLUDE ItemID WHERE Items.CATEGORY IN ($C) | "
        "EXCLUDE ItemID WHERE Items.PRICE < 30",
        {"C": '"c"'},
        {},
    ),
    ('INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")', {}, {}),
    ('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE NOT IN ("View")', {}, {}),
    # an expression whose IF does not hold is ignored
    (
        'INCLUDE ItemID WHERE Items.CATEGORY IN ("a") IF CurrentUser.TIER IN ("gold") | '
        'EXCLUDE ItemID WHERE Items.CATEGORY IN ("b")',
        {},
        {"TIER": "silver"},
    ),
    (
        'INCLUDE ItemID WHERE Items.CATEGORY IN ("a") IF CurrentUser.TIER IN ("gold") | '
        'EXCLUDE ItemID WHERE Items.CATEGORY IN ("b")',
        {},
        {"TIER": "gold"},
    ),
    ('INCLUDE ItemID WHERE Items.MISSING IN ("x")', {}, {}),
]


# another user: other items, every event a Purchase
OTHER_HISTORY = tuple(
    (f"i{k}", "Purchase", 1_700_000_000 + t) for t, k in enumerate(RNG.choice(N, 40, replace=False))
)


def _evaluated(
    expression: str, values: dict[str, str], user: dict[str, str], history: tuple = HISTORY
) -> np.ndarray:
    common = {"user_interactions": history, "current_user": user, "values": values}
    return evaluate(parse_filter(expression), item_ids=CATALOGUE, items=ITEMS, **common)


def _allowed(
    expression: str, values: dict[str, str], user: dict[str, str], cache: SelectionCache,
    columns: ItemColumns, history: tuple = HISTORY,
) -> AllowedItems:  # fmt: skip
    common = {"user_interactions": history, "current_user": user, "values": values}
    parsed = parse_filter(expression)
    return allowed_items(parsed, columns=columns, selections=cache, positions=POSITIONS, **common)


@pytest.mark.parametrize(("expression", "values", "user"), CASES)
def test_allowed_items_are_the_evaluated_mask(
    expression: str, values: dict[str, str], user: dict[str, str]
) -> None:
    want = _evaluated(expression, values, user)
    cache, columns = SelectionCache(), ItemColumns(ITEMS, CATALOGUE)
    every = np.arange(len(CATALOGUE))
    for _ in range(2):  # answered, then from the cache
        got = _allowed(expression, values, user, cache, columns)
        np.testing.assert_array_equal(got.mask(), want)
        np.testing.assert_array_equal(got.contains(every), want)
        np.testing.assert_array_equal(got.codes(), np.flatnonzero(want))
        assert got.count == int(want.sum())
    # the use case's own exclusion (purchased items) on top: those items leave
    bought = np.array([POSITIONS[i] for i, e, _ in HISTORY if e == "Purchase" and i in POSITIONS])
    less = want.copy()
    less[bought] = False
    np.testing.assert_array_equal(got.without(bought).mask(), less)
    assert got.without(bought).count == int(less.sum())


def test_one_cache_answers_each_user_their_own_part() -> None:
    """Every case asked by two users in turn (other histories, other metadata) through one
    cache: each answer is that user's evaluation, so nothing of a user's own part (their
    Interactions, their IF conditions) is kept for another."""
    cache, columns = SelectionCache(), ItemColumns(ITEMS, CATALOGUE)
    users = [(HISTORY, {"TIER": "gold"}), (OTHER_HISTORY, {"TIER": "silver"}), (HISTORY, {})]
    differ = 0
    for _ in range(2):
        for expression, values, _user in CASES:
            answers = []
            for history, user in users:
                want = _evaluated(expression, values, user, history)
                got = _allowed(expression, values, user, cache, columns, history)
                np.testing.assert_array_equal(got.mask(), want)
                answers.append(want)
            differ += not np.array_equal(answers[0], answers[1])
    # by hand: the four cases with an Interactions part and the two with an IF, each round
    assert differ == 2 * 6


def test_allowed_items_by_hand() -> None:
    items = pd.DataFrame(
        {"ITEM_ID": ["x", "y", "z", "w"], "CATEGORY": ["a", "b", "a", "a"], "PRICE": [1, 2, 3, 50]}
    )
    ids = np.array(["w", "x", "y", "z", "v"], dtype=object)  # v has no row
    columns, cache = ItemColumns(items, ids), SelectionCache()
    history = (("y", "Purchase", 1), ("x", "Purchase", 2))
    got = allowed_items(
        parse_filter(
            "INCLUDE ItemID WHERE Items.CATEGORY IN ($C) | EXCLUDE ItemID WHERE Items.PRICE >= 10 "
            '| EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")'
        ),
        columns=columns,
        selections=cache,
        user_interactions=history,
        current_user={},
        values={"C": '"a"'},
        positions={str(i): k for k, i in enumerate(ids)},
    )
    # category a: w, x, z; w costs 50; x was bought: z (position 3) alone
    assert got.codes().tolist() == [3] and got.count == 1


def test_parameters_get_an_answer_per_value() -> None:
    cache, columns = SelectionCache(), ItemColumns(ITEMS, CATALOGUE)
    expression = "INCLUDE ItemID WHERE Items.CATEGORY IN ($C)"
    answers = {}
    for value in ("a", "b", "c", "a"):
        got = _allowed(expression, {"C": f'"{value}"'}, {}, cache, columns)
        np.testing.assert_array_equal(got.mask(), _evaluated(expression, {"C": f'"{value}"'}, {}))
        answers.setdefault(value, got.base)
    assert answers["a"] is not answers["b"] is not answers["c"]
    assert len(cache._kept) == 3  # a, b, c: "a" asked again is kept


def test_errors_are_those_of_the_evaluation() -> None:
    cache, columns = SelectionCache(), ItemColumns(ITEMS, CATALOGUE)
    for expression, values in (
        ("INCLUDE ItemID WHERE Items.CATEGORY IN ($C)", {}),  # an INCLUDE lacks $C
        ("EXCLUDE ItemID WHERE Items.PRICE >= $LO", {"LO": '"cheap"'}),  # not a number
    ):
        with pytest.raises(FilterExpressionError) as want:
            _evaluated(expression, values, {})
        with pytest.raises(FilterExpressionError) as got:
            _allowed(expression, values, {}, cache, columns)
        assert str(got.value) == str(want.value)


def test_the_cache_keeps_within_its_budget_and_selections_their_rows() -> None:
    n = 10_000
    cache = SelectionCache(budget=3 * n)  # three dense selections' masks
    for k in range(6):
        cache.get(("dense", k), lambda: np.ones(n, dtype=bool))
    assert sum(s.nbytes for s in cache._kept.values()) <= 3 * n
    assert ("dense", 5) in cache._kept and ("dense", 0) not in cache._kept
    sparse = Selection(np.isin(np.arange(n), [3, 70, 9000]))
    assert sparse.codes().tolist() == [3, 70, 9000]
    assert sparse.contains(np.array([0, 3, 9000, 9999])).tolist() == [False, True, True, False]
    index = NormOrderedIndex.build(
        np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n)
    )  # norms grow with the code: the index order is the codes' reverse
    assert sparse.rows(index).tolist() == [n - 1 - 9000, n - 1 - 70, n - 1 - 3]
    assert sparse.rows(index) is sparse.rows(index)  # computed once


def test_rows_kept_later_count_within_the_budget() -> None:
    # two dense selections of 10,000 items: 10,000 bytes of mask each, and once a search
    # asks, 40,000 bytes of int32 rows each (every item allowed); a budget of 60,000 holds
    # one with its rows and the other without
    n = 10_000
    cache = SelectionCache(budget=60_000)
    first = cache.get("first", lambda: np.ones(n, dtype=bool))
    second = cache.get("second", lambda: np.ones(n, dtype=bool))
    assert cache.nbytes == 2 * n
    index = NormOrderedIndex.build(np.ones((n, 2), dtype=np.float32), np.arange(n))
    first.rows(index)
    assert cache.nbytes == 2 * n + 4 * n and set(cache._kept) == {"first", "second"}
    second.rows(index)  # 100,000 bytes: the least recently used (first) leaves
    assert cache.nbytes == n + 4 * n <= cache.budget and set(cache._kept) == {"second"}
