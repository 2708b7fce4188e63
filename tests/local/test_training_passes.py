"""A FULL training's passes over the events: repeated (USER_ID, ITEM_ID, TIMESTAMP) rows dropped
once, the catalogue and the user split from one hashing pass each; same data, same models.

Every expected value here is computed independently of pandas' deduplication and sorting: the
distinct rows with a Python dict in row order, the catalogue with ``sorted(set(...))``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from services.local.models import metrics
from services.local.models.recipes import get_recipe
from services.local.models.recipes.base import EventWeight, TrainingConfig, TrainingData
from services.local.models.recipes.training_data import filter_interactions, index
from services.local.models.training import check_minimums, load_model, train
from tests.local.recipes.toy import toy_data

COLUMNS = ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]
# eventsConfig weights make a dropped repeat visible: a repeat is a "purchase" (weight 3)
EVENTS = TrainingConfig(events=(EventWeight("click", 1.0), EventWeight("purchase", 3.0)))


def with_repeats() -> TrainingData:
    """The toy shop with every 4th event repeated later in the file (same user, item and
    timestamp, another event type) and every 7th repeated twice as it is."""
    base = toy_data()
    df = base.interactions
    again = df.iloc[::4].assign(EVENT_TYPE="purchase", EVENT_VALUE=9.0)
    twice = df.iloc[::7]
    mixed = pd.concat([df, again, twice, twice], ignore_index=True)
    return replace(base, interactions=mixed.sample(frac=1.0, random_state=3))


def first_of_each(df: pd.DataFrame) -> pd.DataFrame:
    """Rows in file order, each (USER_ID, ITEM_ID, TIMESTAMP) kept the first time only."""
    seen: dict[tuple[str, str, int], tuple[object, ...]] = {}
    for row in df[COLUMNS].itertuples(index=False):
        seen.setdefault((row.USER_ID, row.ITEM_ID, int(row.TIMESTAMP)), tuple(row))
    return pd.DataFrame(list(seen.values()), columns=COLUMNS).astype({"TIMESTAMP": "int64"})


def test_repeated_rows_are_dropped_once_and_marked() -> None:
    data = with_repeats()
    expected = first_of_each(data.interactions)
    assert len(data.interactions) == 1200 + 300 + 2 * 172 and len(expected) == 1200
    kept = check_minimums(data, TrainingConfig())
    assert kept.distinct_events and not data.distinct_events
    assert_frame(kept.interactions, expected)
    # a fit's filter trusts the mark: the same rows, each weighted by its first occurrence's
    # event type (the shuffle put some "purchase" repeats before their "click")
    marked = check_minimums(data, EVENTS)
    again = filter_interactions(marked.interactions, EVENTS, distinct=True)
    assert_frame(again[COLUMNS], expected)
    weights = [3.0 if t == "purchase" else 1.0 for t in expected["EVENT_TYPE"]]
    assert again["WEIGHT"].tolist() == weights and 0 < weights.count(3.0) < 300
    # ... and the mark is what skips the search: unmarked repeats would be summed
    summed = filter_interactions(data.interactions, EVENTS, distinct=True)
    assert len(summed) == len(data.interactions)


@pytest.mark.parametrize("hp", [{}, {"max_dense_items": "0"}])  # EASE, then ALS
def test_a_fit_on_marked_rows_is_the_fit_on_the_distinct_rows(hp: dict[str, str]) -> None:
    data = with_repeats()
    config = TrainingConfig(hyperparameters=hp)
    recipe = get_recipe("aws-user-personalization")
    by_hand = recipe.fit(replace(data, interactions=first_of_each(data.interactions)), config)
    marked = recipe.fit(check_minimums(data, config), config)
    unmarked = recipe.fit(data, config)  # the fit drops the repeats itself
    for model in (marked, unmarked):
        assert_same_model(model, by_hand)
    history = ["a1", "a2", "a3"]
    top = np.argsort(-by_hand.score_user("u0", history), kind="stable")[:10]
    assert list(np.argsort(-marked.score_user("u0", history), kind="stable")[:10]) == list(top)


def test_a_full_version_is_the_version_of_the_distinct_rows(tmp_path: Path) -> None:
    data = with_repeats()
    distinct = replace(data, interactions=first_of_each(data.interactions))
    name, config = "aws-user-personalization", TrainingConfig()
    a = train(data, name, config, out_path=tmp_path / "a.npz")
    b = train(distinct, name, config, out_path=tmp_path / "b.npz")
    assert a.metrics == b.metrics and a.evaluation == b.evaluation
    assert (a.num_interactions, a.num_users, a.num_items) == (1200, 60, 41)
    assert_same_model(load_model(name, a.model_path), load_model(name, b.model_path))


def test_the_catalogue_and_item_codes_of_one_hashing_pass() -> None:
    rows = [
        ("u1", "나무", 5),
        ("u1", "Zed", 3),
        ("u2", "b", 1),
        ("u2", "나무", 2),
        ("u3", "a1", 9),
        ("u1", "b", 4),
        ("u3", "a10", 8),
    ]
    df = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP"])
    df["EVENT_TYPE"], df["EVENT_VALUE"] = "click", np.nan
    items = pd.DataFrame({"ITEM_ID": ["cold", "b", "가격", "a2"]})
    idx = index(TrainingData(df, items), TrainingConfig())
    catalogue = sorted({r[1] for r in rows} | set(items["ITEM_ID"]))
    assert list(idx.item_ids) == catalogue
    assert catalogue == ["Zed", "a1", "a10", "a2", "b", "cold", "가격", "나무"]
    # events sorted by (user, time), each decoded back to its own item
    by_user_time = sorted(rows, key=lambda r: (r[0], r[2]))
    assert [idx.item_ids[c] for c in idx.items] == [r[1] for r in by_user_time]
    assert [idx.user_ids[c] for c in idx.users] == [r[0] for r in by_user_time]


def test_the_split_draws_its_test_users_from_the_sorted_eligible_users() -> None:
    ids = ["가", "Zoe", "zoe", "u10", "u9", "ü", "a", "b", "c", "d", "e", "f"]
    rows = [(u, f"i{k}", 100 * n + k) for n, u in enumerate(ids) for k in range(3)]
    rows.append(("once", "i0", 1))  # one event: never a test user, still counted
    df = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP"])
    df["EVENT_TYPE"], df["EVENT_VALUE"] = "click", np.nan
    items = pd.DataFrame({"ITEM_ID": ["i0", "cold"]})
    split = metrics.split_users(TrainingData(df, items), seed=5, test_fraction=0.3)
    n_test = round(0.3 * 13)  # 13 users, 12 of them with two or more events
    chosen = np.random.default_rng(5).permutation(np.array(sorted(ids), dtype=object))
    assert split.test_users == tuple(sorted(chosen[:n_test]))
    assert set(split.catalogue) == {"i0", "i1", "i2", "cold"}
    assert len(split.catalogue) == 4


def assert_frame(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """The same rows (as Python values, in order)."""
    assert got[COLUMNS].astype({"TIMESTAMP": "int64"}).values.tolist() == (
        expected[COLUMNS].values.tolist()
    )


def assert_same_model(a: object, b: object) -> None:
    """Every array the User-Personalization model keeps, equal."""
    for name in ("item_ids", "popularity", "factors", "user_ids"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            np.testing.assert_array_equal(x, y, err_msg=name)
    for name in ("neighbours", "transitions", "user_histories"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            assert (x != y).nnz == 0, name
