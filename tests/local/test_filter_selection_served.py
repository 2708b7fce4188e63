"""Items filters answered from the model's cache of their Items parts (``filters.selection``,
through ``scoring._filter_allowed``) on every path that filters: through boto3, the answers
are the exact ones for the items this test allows by hand, per filterValues and allowed share,
for each user's own Interactions part, and follow a new Items import (an item put in the
category or price range appears, an item moved out leaves).

The paths: GetRecommendations on a model whose norm-ordered index is searched among the
filter's items (``NormOrderedIndex.search_rows``), on a model without an index (the full scan,
``recommend``), with a promotion whose filter is on Items (``_promote``), and
GetPersonalizedRanking with a filter. The served models are fitted here on the group's
interactions (the ALS path) and written over the model files of versions the engine trained:
one with a ``NormOrderedIndex`` over every item, so a 30-item category is searched among its
rows in the index (``scoring._searchable``) rather than scored item by item, and the same
factors without an index for the full scan and the ranking. The expected answers come from
``score_user`` (the full scan's scores) ranked among the items whose category and price this
test wrote, with numpy and Python's sort.
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
    campaign: str  # the model with a norm-ordered index
    scan: str  # campaign: the same factors without an index (every item scored)
    ranking: str  # campaign of aws-personalized-ranking, the same factors
    filters: dict[str, str]  # name (FILTERS) → ARN
    model: UserPersonalizationModel
    history: dict[str, list[str]]  # user → item IDs, oldest first

    @property
    def category(self) -> str:
        return self.filters["category"]

    @property
    def not_viewed(self) -> str:
        return self.filters["not-viewed"]


FILTERS = {
    "category": "INCLUDE ItemID WHERE Items.CATEGORY IN ($C)",
    # the category less the items the user viewed
    "not-viewed": "INCLUDE ItemID WHERE Items.CATEGORY IN ($C) | "
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view")',
    "cheaper": "INCLUDE ItemID WHERE Items.PRICE < $MAX",
    "not-dearer": "EXCLUDE ItemID WHERE Items.PRICE >= $MAX",
}


def _items_csv(data_dir: Path, name: str, categories: dict[str, str]) -> str:
    path = data_dir / "s3" / "bucket" / "shop" / f"{name}.csv"
    pd.DataFrame(
        {
            "ITEM_ID": list(categories),
            "CATEGORY": list(categories.values()),
            "PRICE": [PRICES[name][i] for i in categories],
            "CREATION_TIMESTAMP": START - 365 * 86400,
        }
    ).to_csv(path, index=False)
    return f"s3://bucket/shop/{name}.csv"


FIRST = {f"i{i}": f"cat{cluster_of_item(i, ITEMS)}" for i in range(ITEMS) if i != 50}
# i50 gets a row, in cat0; i5 moves from cat0 to cat2
SECOND = {**FIRST, "i50": "cat0", "i5": "cat2"}
# item iN costs N; in the second import i50 costs 2 and i3 99 (out of "cheaper than 6", into
# "from 80 left out")
PRICES = {"first": {i: float(i[1:]) for i in FIRST}}
PRICES["second"] = {**PRICES["first"], "i50": 2.0, "i3": 99.0}


def _campaign(clients: Clients, version: str, name: str) -> str:
    p = clients.personalize
    # no exploration (a ranking campaign takes no itemExplorationConfig: it does not explore)
    config = {} if name == "rank" else {"itemExplorationConfig": {"explorationWeight": "0"}}
    campaign = p.create_campaign(name=name, solutionVersionArn=version, campaignConfig=config)[
        "campaignArn"
    ]
    wait_for(lambda: p.describe_campaign(campaignArn=campaign), "campaign")
    return str(campaign)


def _model_file(data_dir: Path, version: str) -> Path:
    """Where the engine wrote ``version``'s model (jobs/tasks/training.py names it so)."""
    solution, version_id = version.rsplit("/", 2)[-2:]
    return data_dir / "models" / f"{solution}-{version_id}.npz"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    data_dir = tmp_path_factory.mktemp("selection") / "data"
    clients = build_clients(
        Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    )
    ws = create_group(clients, data_dir, with_items=True)
    import_file(clients, ws["items_dataset"], "items-2", _items_csv(data_dir, "first", FIRST))
    p = clients.personalize
    versions = {
        "up": train(clients, ws["group"], "up", "aws-user-personalization")[1],
        "scan": train(clients, ws["group"], "scan", "aws-user-personalization")[1],
        "rank": train(clients, ws["group"], "rank", "aws-personalized-ranking")[1],
    }
    campaigns = {name: _campaign(clients, version, name) for name, version in versions.items()}
    arns = {}
    for name, expression in FILTERS.items():
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
    model.save(_model_file(data_dir, versions["up"]))
    plain.save(_model_file(data_dir, versions["scan"]))
    plain.save(_model_file(data_dir, versions["rank"]))
    reset_engines()  # the next request loads the model files again
    history = {u: list(g["ITEM_ID"]) for u, g in events.groupby("USER_ID", sort=False)}
    yield Shop(
        clients, data_dir, ws["items_dataset"], campaigns["up"], campaigns["scan"],
        campaigns["rank"], arns, model, history,
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


# --- every path that filters: the same cached Items part, the exact answers ----------------

# (filter, filterValues): allowed shares of the 90 items from 7 % (kept as item codes,
# ``selection.SPARSE_SHARE``) to 90 % (kept as a mask)
SHARES = [
    ("cheaper", {"MAX": '"6"'}),  # i0 … i5
    ("cheaper", {"MAX": '"30"'}),  # i0 … i29 less i50, which has no row: a third
    ("category", {"C": '"cat0"'}),  # i0 … i29: a third
    ("not-dearer", {"MAX": '"80"'}),  # i80 … i89 left out, i50 (no price) kept
]
PATH_USERS = USERS[:5]


def _by_hand(shop: Shop, name: str, values: dict[str, str], data: str) -> set[str]:
    """The items ``name`` with ``values`` lets through after the import ``data`` ("first",
    "second"), from the categories and prices this test wrote."""
    categories = FIRST if data == "first" else SECOND
    prices = PRICES[data]
    (value,) = (v.strip('"') for v in values.values())
    if name == "category":
        return _in(categories, value)
    if name == "cheaper":
        return {i for i, price in prices.items() if price < float(value)}
    assert name == "not-dearer"  # items without a price are not left out
    return {str(i) for i in shop.model.item_ids} - {
        i for i, price in prices.items() if price >= float(value)
    }


def _recommended(
    shop: Shop, campaign: str, user: str, n: int, **request: object
) -> list[dict[str, object]]:
    got = shop.clients.runtime.get_recommendations(
        campaignArn=campaign, userId=user, numResults=n, **request
    )
    return list(got["itemList"])


def _ranked(shop: Shop, user: str, inputs: list[str], **request: object) -> list[str]:
    got = shop.clients.runtime.get_personalized_ranking(
        campaignArn=shop.ranking, userId=user, inputList=inputs, **request
    )
    return [i["itemId"] for i in got["personalizedRanking"]]


def _ranked_by_hand(shop: Shop, user: str, inputs: list[str], allowed: set[str]) -> list[str]:
    """GetPersonalizedRanking as documented: the allowed known items by score (ties in input
    order), then the unknown ones in input order."""
    scores = shop.model.score_user(user, shop.history[user])
    assert scores is not None
    at = {str(i): k for k, i in enumerate(shop.model.item_ids)}
    unique = list(dict.fromkeys(inputs))
    known = [(n, i) for n, i in enumerate(unique) if i in at and i in allowed]
    known.sort(key=lambda pair: (-scores[at[pair[1]]], pair[0]))
    return [i for _, i in known] + [i for i in unique if i not in at]


def _promoted(
    shop: Shop, user: str, name: str, values: dict[str, str], n: int, percent: int
) -> tuple[list[str], list[str]]:
    """A GetRecommendations whose promotion has filter ``name``: its promoted items and the
    others, each in list order."""
    got = _recommended(
        shop, shop.campaign, user, n,
        promotions=[{"name": "p", "percentPromotedItems": percent,
                     "filterArn": shop.filters[name], "filterValues": values}],
    )  # fmt: skip
    promoted = [str(i["itemId"]) for i in got if i.get("promotionName") == "p"]
    return promoted, [str(i["itemId"]) for i in got if "promotionName" not in i]


def _check_every_path(
    shop: Shop, user: str, name: str, values: dict[str, str], allowed: set[str]
) -> None:
    """Each path's answer for ``user`` with filter ``name`` is the exact one among
    ``allowed``; the ranking and the 90-item lists hold every allowed item (all of the
    filter's mask is read)."""
    every = [str(i) for i in shop.model.item_ids]
    request = {"filterArn": shop.filters[name], "filterValues": values}
    for campaign in (shop.campaign, shop.scan):  # norm-ordered search, full scan
        for n in (10, ITEMS):
            got = [i["itemId"] for i in _recommended(shop, campaign, user, n, **request)]
            assert got == _exact(shop, user, allowed, n), (campaign, n)
    inputs = [*every[::-1], "nope", every[0]]  # every item, one unknown, one twice
    assert _ranked(shop, user, inputs, **request) == _ranked_by_hand(shop, user, inputs, allowed)
    inputs = every[7:32]  # 25 of them
    assert _ranked(shop, user, inputs, **request) == _ranked_by_hand(shop, user, inputs, allowed)
    # a promotion of 40 % of 10 slots: the 4 best allowed items, the rest the unfiltered list's
    promoted, rest = _promoted(shop, user, name, values, 10, 40)
    assert promoted == _exact(shop, user, allowed, 4)
    unfiltered = [i for i in _exact(shop, user, set(every), 10) if i not in promoted]
    assert rest == unfiltered[: 10 - len(promoted)]
    promoted, _ = _promoted(shop, user, name, values, ITEMS, 100)  # every allowed item
    assert promoted == _exact(shop, user, allowed, ITEMS)


@pytest.mark.parametrize(("name", "values"), SHARES)
def test_every_path_answers_exactly_at_each_share(
    shop: Shop, name: str, values: dict[str, str]
) -> None:
    allowed = _by_hand(shop, name, values, "first")
    for user in PATH_USERS:
        for _ in range(2):  # answered, then from the cache
            _check_every_path(shop, user, name, values, allowed)


def test_each_users_own_interactions_on_every_path(shop: Shop) -> None:
    """Two users of cluster 0 with different views share the Items part of "cat0 less what
    I viewed" but not their own part: each path answers each user with their own views left
    out, asked in turn so that a part kept from the other user would show."""
    users = ("u0", "u12")
    viewed = {u: set(shop.history[u]) & _in(FIRST, "cat0") for u in users}
    assert viewed["u0"] != viewed["u12"] and viewed["u0"] - viewed["u12"]
    allowed = {u: _in(FIRST, "cat0") - viewed[u] for u in users}
    every = [str(i) for i in shop.model.item_ids]
    for _ in range(2):
        for user in users:
            _check_every_path(shop, user, "not-viewed", {"C": '"cat0"'}, allowed[user])
    request = {"filterArn": shop.not_viewed, "filterValues": {"C": '"cat0"'}}
    masks = {u: set(_ranked(shop, u, every, **request)) for u in users}
    assert masks["u0"] == allowed["u0"] and masks["u12"] == allowed["u12"]
    assert masks["u12"] & viewed["u0"]  # what u0 viewed is still u12's to see


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
    for name, values in SHARES:  # every path, every share: the new Items data's answers
        allowed = _by_hand(shop, name, values, "second")
        assert allowed != _by_hand(shop, name, values, "first")
        for u in PATH_USERS:
            _check_every_path(shop, u, name, values, allowed)
