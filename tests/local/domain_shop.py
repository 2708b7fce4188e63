"""An ECOMMERCE Domain dataset group for recommender tests, built through the public API."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from services.personalize.clients import Clients
from tests.local.workspace import INTERACTIONS_SCHEMA, START, wait_for, write_events

# The ECOMMERCE default Interactions schema is the plain one with EVENT_TYPE.
ECOMM_INTERACTIONS = INTERACTIONS_SCHEMA
ECOMM_ITEMS = json.dumps(
    {
        "type": "record",
        "name": "Items",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "ITEM_ID", "type": "string"},
            {"name": "PRICE", "type": "float"},
            {"name": "CATEGORY_L1", "type": "string", "categorical": True},
        ],
        "version": "1.0",
    }
)
VOD_ITEMS = json.dumps(
    {
        "type": "record",
        "name": "Items",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "ITEM_ID", "type": "string"},
            {"name": "GENRES", "type": "string", "categorical": True},
        ],
        "version": "1.0",
    }
)
USERS, ITEMS = 60, 40
# A domain's two event types in write_shop's rows: every view, and half of them again.
EVENTS = {"ECOMMERCE": ("View", "Purchase"), "VIDEO_ON_DEMAND": ("Click", "Watch")}


def write_shop(
    folder: Path, seed: int = 3, domain: str = "ECOMMERCE"
) -> list[tuple[str, str, int, str]]:
    """interactions.csv (View then, half the time, Purchase) and items.csv; returns the rows.

    User u views 40 items, mostly of category u % 2 (items 0–19 are category 0); every other
    view is followed by a purchase, so there are 2400 View and 1200 Purchase events.
    """
    rng = np.random.default_rng(seed)
    first, second = EVENTS[domain]
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, int, str]] = []
    for u in range(USERS):
        block = range(0, 20) if u % 2 == 0 else range(20, 40)
        for k in range(40):
            item = int(rng.choice(list(block))) if rng.random() < 0.85 else int(rng.integers(40))
            ts = START + u * 10_000 + k * 10
            rows.append((f"u{u}", f"i{item}", ts, first))
            if k % 2 == 0:
                rows.append((f"u{u}", f"i{item}", ts + 1, second))
    write_events(folder / "interactions.csv", rows)
    with (folder / "items.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        if domain == "ECOMMERCE":
            out.writerow(["ITEM_ID", "PRICE", "CATEGORY_L1"])
            for i in range(ITEMS):
                out.writerow([f"i{i}", 1.0 + i, "shoes" if i < 20 else "hats"])
        else:
            out.writerow(["ITEM_ID", "GENRES"])
            for i in range(ITEMS):
                out.writerow([f"i{i}", "drama" if i < 20 else "comedy|news"])
    return rows


def create_domain_shop(
    clients: Clients,
    data_dir: Path,
    name: str = "eshop",
    domain: str = "ECOMMERCE",
    users_schema: str | None = None,
) -> dict[str, str]:
    """Domain schemas → domain group → Interactions + Items datasets → imports, all ACTIVE;
    with ``users_schema`` a Users dataset too, from a users.csv the caller wrote into
    ``data_dir/s3/bucket/<name>/``."""
    p = clients.personalize
    write_shop(data_dir / "s3" / "bucket" / name, domain=domain)
    group = p.create_dataset_group(name=name, domain=domain)["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=group), "datasetGroup")
    out = {"group": group}
    items_schema = ECOMM_ITEMS if domain == "ECOMMERCE" else VOD_ITEMS
    kinds = [("Interactions", ECOMM_INTERACTIONS), ("Items", items_schema)]
    if users_schema:
        kinds.append(("Users", users_schema))
    for kind, schema_text in kinds:
        schema = p.create_schema(name=f"{name}-{kind.lower()}", schema=schema_text, domain=domain)[
            "schemaArn"
        ]
        dataset = p.create_dataset(
            name=f"{name}-{kind.lower()}", schemaArn=schema, datasetGroupArn=group, datasetType=kind
        )["datasetArn"]
        wait_for(lambda d=dataset: p.describe_dataset(datasetArn=d), "dataset")
        job = p.create_dataset_import_job(
            jobName=f"{name}-{kind.lower()}-1",
            datasetArn=dataset,
            dataSource={"dataLocation": f"s3://bucket/{name}/{kind.lower()}.csv"},
        )["datasetImportJobArn"]
        done = wait_for(
            lambda j=job: p.describe_dataset_import_job(datasetImportJobArn=j), "datasetImportJob"
        )
        assert done["status"] == "ACTIVE", done.get("failureReason")
        out[kind.lower()] = dataset
    return out


def create_recommender(
    clients: Clients, group: str, name: str, use_case: str, config: dict | None = None
) -> dict:
    """Create a recommender for ``use_case`` and wait until it is ACTIVE (or failed)."""
    p = clients.personalize
    arn = p.create_recommender(
        name=name,
        datasetGroupArn=group,
        recipeArn=f"arn:aws:personalize:::recipe/{use_case}",
        recommenderConfig=config or {},
    )["recommenderArn"]
    return wait_for(lambda: p.describe_recommender(recommenderArn=arn), "recommender", timeout=120)
