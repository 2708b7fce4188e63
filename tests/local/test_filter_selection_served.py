"""GetRecommendations with an Items filter on a model whose norm-ordered index is searched
among the filter's items kept with the model (``filters.selection``): through boto3, the lists
are the exact scan's with the filter applied, per filterValues, and follow a new Items import
(an item put in the category appears, an item moved out leaves).

The served model is fitted here on the group's interactions (the ALS path) with a
``NormOrderedIndex`` over every item and written over the model file of a version the engine
trained, so a 30-item category is searched among its rows in the index (``scoring._searchable``)
rather than scored item by item. The expected lists come from ``score_user`` (the
full scan) ranked among the items whose category this test wrote, with numpy.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from services.config import Settings
from services.local.engine import reset_engines
from services.local.models.recipes.base import TrainingConfig, TrainingData
from services.local.models.recipes.retrieval.norm_ordered import NormOrderedIndex
from services.local.models.recipes.users._up_model import UserPersonalizationModel
from services.local.models.recipes.users.user_personalization import UserPersonalizationRecipe
from services.local.runtime import model_cache
from services.personalize.clients import Clients, build_clients
from tests.local.workspace import (
    START,
    cluster_of_item,
    create_group,
    import_file,
    train,
    wait_for,
    write_interactions,
)

ITEMS = 90
CONFIG = TrainingConfig(hyperparameters={"max_dense_items": "0", "min_item_interactions": "1"})
USERS = [f"u{k}" for k in range(0, 60, 4)]


@dataclass
class Shop:
    clients: Clients
    data_dir: Path
    items_dataset: str
    campaign: str
    category: str  # filter ARN: INCLUDE … CATEGORY IN ($C)
    not_viewed: str  # filter ARN: the category less the items the user viewed
    model: UserPersonalizationModel
    history: dict[str, list[str]]  # user → item IDs, oldest first


def _items_csv(data_dir: Path, name: str, categories: dict[str, str]) -> str:
    path = data_dir / "s3" / "bucket" / "shop" / f"{name}.csv"
    pd.DataFrame(
        {
            "ITEM_ID": list(categories),
            "CATEGORY": list(categories.values()),
            "PRICE": 5.0,
            "CREATION_TIMESTAMP": START - 365 * 86400,
        }
    ).to_csv(path, index=False)
    return f"s3://bucket/shop/{name}.csv"


FIRST = {f"i{i}": f"cat{cluster_of_item(i, ITEMS)}" for i in range(ITEMS) if i != 50}
# i50 gets a row, in cat0; i5 moves from cat0 to cat2
SECOND = {**FIRST, "i50": "cat0", "i5": "cat2"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    data_dir = tmp_path_factory.mktemp("selection") / "data"
    clients = build_clients(
        Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    )
    ws = create_group(clients, data_dir, with_items=True)
    import_file(clients, ws["items_dataset"], "items-2", _items_csv(data_dir, "first", FIRST))
    p = clients.personalize
    _, version = train(clients, ws["group"], "up", "aws-user-personalization")
    campaign = p.create_campaign(
        name="c",
        solutionVersionArn=version,
        campaignConfig={"itemExplorationConfig": {"explorationWeight": "0"}},
    )["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=campaign), "campaign")
    arns = {}
    for name, expression in (
        ("category", "INCLUDE ItemID WHERE Items.CATEGORY IN ($C)"),
        (
            "not-viewed",
            "INCLUDE ItemID WHERE Items.CATEGORY IN ($C) | "
            'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view")',
        ),
    ):
        f = p.create_filter(name=name, datasetGroupArn=ws["group"], filterExpression=expression)
        wait_for(lambda f=f: p.describe_filter(filterArn=f["filterArn"]), "filter")
        arns[name] = f["filterArn"]
    events_csv = data_dir / "events-copy.csv"
    write_interactions(events_csv)  # the rows create_group imported (same seed)
    events = pd.read_csv(events_csv).sort_values("TIMESTAMP", kind="stable")
    plain = UserPersonalizationRecipe().fit(
        TrainingData(interactions=events.assign(EVENT_VALUE=np.nan)), CONFIG
    )
    assert plain.factors is not None and plain.factor_codes is None
    model = replace(
        plain, retrieval=NormOrderedIndex.build(plain.factors, np.arange(len(plain.item_ids)))
    )
    (model_path,) = (data_dir / "models").glob("*.npz")
    model.save(model_path)
    reset_engines()  # the next request loads the model file again
    history = {u: list(g["ITEM_ID"]) for u, g in events.groupby("USER_ID", sort=False)}
    yield Shop(
        clients, data_dir, ws["items_dataset"], campaign, arns["category"], arns["not-viewed"],
        model, history,
    )  # fmt: skip
    reset_engines()


def _served(shop: Shop, filter_arn: str, user: str, category: str, n: int) -> list[str]:
    got = shop.clients.runtime.get_recommendations(
        campaignArn=shop.campaign,
        userId=user,
        numResults=n,
        filterArn=filter_arn,
        filterValues={"C": f'"{category}"'},
    )
    return [i["itemId"] for i in got["itemList"]]


def _exact(shop: Shop, user: str, allowed: set[str], n: int) -> list[str]:
    """The full scan's scores ranked among ``allowed`` (ties by item position, as top_k)."""
    scores = shop.model.score_user(user, shop.history[user])
    assert scores is not None
    ids = [str(i) for i in shop.model.item_ids]
    keep = np.array([i in allowed for i in ids])
    order = np.lexsort((np.arange(len(ids)), -scores))
    return [ids[k] for k in order if keep[k]][:n]


def _in(categories: dict[str, str], category: str) -> set[str]:
    return {i for i, c in categories.items() if c == category}


def test_filtered_lists_are_the_exact_scan_per_value(shop: Shop) -> None:
    for user in USERS:
        lists = {}
        for category in ("cat0", "cat1", "cat2"):
            got = _served(shop, shop.category, user, category, 10)
            assert got == _exact(shop, user, _in(FIRST, category), 10)
            lists[category] = got
        assert len({tuple(v) for v in lists.values()}) == 3  # an answer per value


def test_items_and_interactions_filters_combine_exactly(shop: Shop) -> None:
    for user in USERS:
        viewed = set(shop.history[user])
        allowed = _in(FIRST, "cat1") - viewed
        got = _served(shop, shop.not_viewed, user, "cat1", 10)
        assert got == _exact(shop, user, allowed, 10)
        assert not viewed & set(got) and len(got) == min(10, len(allowed))


def test_a_new_items_import_changes_the_filtered_lists(shop: Shop) -> None:
    user = USERS[1]
    before = _served(shop, shop.category, user, "cat0", 40)  # every item of cat0
    assert set(before) == _in(FIRST, "cat0") and "i5" in before and "i50" not in before
    location = _items_csv(shop.data_dir, "second", SECOND)
    import_file(shop.clients, shop.items_dataset, "items-3", location)
    time.sleep(model_cache.ITEMS_CHECK_SECONDS + 0.1)  # the engine asks again after this
    after = _served(shop, shop.category, user, "cat0", 40)
    assert "i50" in after and "i5" not in after
    assert after == _exact(shop, user, _in(SECOND, "cat0"), 40)
    for u in USERS:
        assert _served(shop, shop.category, u, "cat2", 10) == _exact(
            shop, u, _in(SECOND, "cat2"), 10
        )
