"""The recipes for items nobody has clicked yet, trained on the demo shop through boto3.

The group holds the demo shop's bulk history and its whole catalogue: the 500 items of the new
collection are in the Items dataset but in no interaction, so only their metadata (CATEGORY,
NAME) can place them. Expectations are computed from the generated catalogue, not from the
engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from services.config import Settings
from services.demo import data as demo_data
from services.local.engine import reset_engines
from services.personalize.clients import Clients, build_clients
from tests.local.workspace import import_file, train, wait_for

NOW = 1_750_000_000


@dataclass(frozen=True)
class Shop:
    clients: Clients
    group: str
    items: pd.DataFrame  # the whole catalogue: ITEM_ID, NAME, CATEGORY, PRICE, CREATION_TIMESTAMP
    cold: list[str]  # items in no interaction
    data_dir: Path


def _dataset(clients: Clients, group: str, kind: str, frame: pd.DataFrame, data_dir: Path) -> str:
    p = clients.personalize
    schema = p.create_schema(name=f"shop-{kind.lower()}", schema=demo_data.SCHEMAS[kind])
    arn = p.create_dataset(
        name=f"shop-{kind.lower()}",
        schemaArn=schema["schemaArn"],
        datasetGroupArn=group,
        datasetType=kind,
    )["datasetArn"]
    wait_for(lambda: p.describe_dataset(datasetArn=arn), "dataset")
    folder = data_dir / "s3" / "bucket" / "shop"
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / f"{kind.lower()}.csv", index=False)
    import_file(clients, arn, f"shop-{kind.lower()}", f"s3://bucket/shop/{kind.lower()}.csv")
    return arn


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    data_dir = tmp_path_factory.mktemp("new-recipes") / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    p = clients.personalize
    data = demo_data.generate(NOW)
    group = p.create_dataset_group(name="shop")["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=group), "datasetGroup")
    catalogue = pd.concat([data.items, data.new_items], ignore_index=True)
    _dataset(clients, group, "Interactions", data.interactions, data_dir)
    _dataset(clients, group, "Items", catalogue, data_dir)
    clicked = set(data.interactions["ITEM_ID"])
    cold = [i for i in data.new_items["ITEM_ID"] if i not in clicked]
    yield Shop(clients, group, catalogue, cold, data_dir)
    reset_engines()


def _campaign(shop: Shop, recipe: str, **solution: object) -> str:
    p = shop.clients.personalize
    _, version = train(shop.clients, shop.group, recipe, recipe, **solution)
    arn = p.create_campaign(name=recipe, solutionVersionArn=version)["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=arn), "campaign")
    return arn


def _category_share(shop: Shop, item: str, listed: list[str]) -> float:
    category = shop.items.set_index("ITEM_ID")["CATEGORY"]
    return sum(category[i] == category[item] for i in listed) / len(listed)


def test_similar_items_gives_a_new_item_neighbours_of_its_kind(shop: Shop) -> None:
    """aws-similar-items: an item without clicks is matched on its metadata, not answered with
    the shop's popular items (what aws-sims does for it)."""
    runtime = shop.clients.runtime
    campaign = _campaign(shop, "aws-similar-items")
    sims = _campaign(shop, "aws-sims")
    shares, sims_shares = [], []
    for item in shop.cold[:20]:
        got = runtime.get_recommendations(campaignArn=campaign, itemId=item, numResults=10)
        listed = [r["itemId"] for r in got["itemList"]]
        assert len(listed) == 10 and item not in listed
        assert not any(r.get("reason") for r in got["itemList"])  # not the popular fallback
        shares.append(_category_share(shop, item, listed))
        fallback = runtime.get_recommendations(campaignArn=sims, itemId=item, numResults=10)
        sims_shares.append(_category_share(shop, item, [r["itemId"] for r in fallback["itemList"]]))
    # 12 categories: popular items share a cold item's category about 1 time in 12
    assert sum(shares) / len(shares) >= 0.9
    assert sum(sims_shares) / len(sims_shares) < 0.3
