"""The demo shop's data as one dataset group, built through boto3 for engine tests.

The group holds the shop's bulk history (Interactions), its shoppers (Users: SEGMENT) and its
whole catalogue (Items: NAME, CATEGORY, PRICE, CREATION_TIMESTAMP), new collection included:
those 500 items are in no interaction. Expectations are computed from ``data``, the generated
shop, never from what the engine answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from services.demo import data as demo_data
from services.personalize.clients import Clients
from tests.local.workspace import import_file, wait_for

NOW = 1_750_000_000


@dataclass(frozen=True)
class Shop:
    clients: Clients
    group: str
    data: demo_data.DemoData
    items: pd.DataFrame  # the whole catalogue: ITEM_ID, NAME, CATEGORY, PRICE, CREATION_TIMESTAMP
    cold: list[str]  # items in no interaction
    data_dir: Path
    datasets: dict[str, str]  # dataset type → ARN


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


def build_shop(clients: Clients, data_dir: Path) -> Shop:
    """The demo shop as dataset group "shop" (Interactions, Items and Users imported)."""
    p = clients.personalize
    data = demo_data.generate(NOW)
    group = p.create_dataset_group(name="shop")["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=group), "datasetGroup")
    catalogue = pd.concat([data.items, data.new_items], ignore_index=True)
    frames = {"Interactions": data.interactions, "Items": catalogue, "Users": data.users}
    datasets = {k: _dataset(clients, group, k, f, data_dir) for k, f in frames.items()}
    clicked = set(data.interactions["ITEM_ID"])
    cold = [i for i in data.new_items["ITEM_ID"] if i not in clicked]
    return Shop(clients, group, data, catalogue, cold, data_dir, datasets)
