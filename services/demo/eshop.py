"""The demo's Domain dataset group ``demo-eshop`` (ECOMMERCE) with a "Best sellers" recommender.

It holds the same shop as ``demo-shop`` (bulk history plus the replayed events, as one bulk
file) under ECOMMERCE's schema rules: Items need PRICE and a categorical CATEGORY_L1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from services.demo.data import SCHEMAS, DemoData
from services.personalize.models import SchemaField
from services.personalize.schema_avro import avro_record

DOMAIN = "ECOMMERCE"
GROUP = "demo-eshop"
RECOMMENDER = "demo-best-sellers"
USE_CASE = "arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-purchases"
ITEMS_SCHEMA = json.dumps(
    avro_record(
        "Items",
        [
            SchemaField("ITEM_ID", "string", nullable=False),
            SchemaField("PRICE", "float", nullable=False),
            SchemaField("CATEGORY_L1", "string", nullable=False, categorical=True),
        ],
    )
)
ESHOP_SCHEMAS = {"Interactions": SCHEMAS["Interactions"], "Items": ITEMS_SCHEMA}


def write_files(folder: Path, data: DemoData) -> None:
    """interactions.csv (bulk history + events) and items.csv (both collections) for the
    domain group, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]
    pd.concat([data.interactions[columns], data.events[columns]], ignore_index=True).to_csv(
        folder / "interactions.csv", index=False
    )
    items = pd.concat([data.items, data.new_items], ignore_index=True)
    items.rename(columns={"CATEGORY": "CATEGORY_L1"})[["ITEM_ID", "PRICE", "CATEGORY_L1"]].to_csv(
        folder / "items.csv", index=False
    )
