"""The readiness corpus through the engine: files whose fault blocks an import fail as a job
with a specific reason, and leave the engine's data exactly as it was."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.config import Settings
from services.local.engine import LocalEngine, get_engine, reset_engines
from services.personalize.clients import Clients, build_clients
from tests.local.test_errors import snapshot
from tests.local.workspace import wait_for

DATA = Path(__file__).resolve().parents[1] / "data"
MANIFEST = [
    row
    for row in csv.DictReader((DATA / "bad" / "MANIFEST.csv").open())
    if row["blocks_import"] == "true"
]
# One Items schema that fits every Items file of the corpus (all metadata is optional).
ITEMS_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Items",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "ITEM_ID", "type": "string"},
            {"name": "GENRE", "type": ["null", "string"], "categorical": True},
            {"name": "GENRES", "type": ["null", "string"], "categorical": True},
            {"name": "PRICE", "type": ["null", "float"]},
        ],
        "version": "1.0",
    }
)


@pytest.fixture(scope="module")
def engine_world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Clients, LocalEngine, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("corpus") / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    p = clients.personalize
    group = p.create_dataset_group(name="corpus")["datasetGroupArn"]
    datasets = {}
    for kind, schema in (
        ("interactions", (DATA / "good" / "interactions_schema.json").read_text()),
        ("items", ITEMS_SCHEMA),
        ("users", (DATA / "good" / "users_schema.json").read_text()),
    ):
        arn = p.create_schema(name=f"corpus-{kind}", schema=schema)["schemaArn"]
        datasets[kind] = p.create_dataset(
            name=f"corpus-{kind}",
            schemaArn=arn,
            datasetGroupArn=group,
            datasetType=kind.capitalize(),
        )["datasetArn"]
    bucket = data_dir / "s3" / "corpus"
    shutil.copytree(DATA / "bad", bucket)
    shutil.copy(DATA / "good" / "interactions.csv", bucket / "good_interactions.csv")
    job = p.create_dataset_import_job(
        jobName="good",
        datasetArn=datasets["interactions"],
        dataSource={"dataLocation": "s3://corpus/good_interactions.csv"},
    )["datasetImportJobArn"]
    done = wait_for(
        lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
    )
    assert done["status"] == "ACTIVE", done.get("failureReason")
    yield clients, get_engine(settings), datasets
    reset_engines()


@pytest.mark.parametrize("row", MANIFEST, ids=[r["file"] for r in MANIFEST])
def test_blocking_fault_imports_nothing(
    engine_world: tuple[Clients, LocalEngine, dict[str, str]], row: dict[str, str]
) -> None:
    clients, engine, datasets = engine_world
    p = clients.personalize
    before = snapshot(engine, ignore_import_jobs=True)
    job = p.create_dataset_import_job(
        jobName="bad-" + row["file"].removesuffix(".csv").replace("_", "-"),
        datasetArn=datasets[row["dataset_type"]],
        dataSource={"dataLocation": f"s3://corpus/{row['file']}"},
        importMode="INCREMENTAL" if row["dataset_type"] == "interactions" else "FULL",
    )["datasetImportJobArn"]
    done = wait_for(
        lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
    )
    assert done["status"] == "CREATE FAILED", (row["file"], done)
    assert row["file"] in done["failureReason"]
    assert snapshot(engine, ignore_import_jobs=True) == before
