"""Every prepared corpus file imports into the local engine under its generated schema, and
the files with enough rows train a model.

Personalize (and so the engine) refuses an Interactions import of fewer than 1,000 records;
for the small interactions files the engine must read and validate every row and fail on
that minimum alone, which shows their format is accepted.
"""

import json
import shutil

import pytest

from services.config import Settings
from services.local.engine import reset_engines
from services.personalize.clients import build_clients
from services.prepare import load_mapping, prepare_file
from tests.local.workspace import train, wait_for

from .conftest import CASES, MAPPINGS, raw_file

NOW = 1_735_689_600  # 2025-01-01
TRAINS = {"korean_headers_cp949", "gzipped_tsv_epoch_ms"}


@pytest.fixture
def clients(tmp_path):
    # One engine per file: the account quota allows 5 dataset groups.
    settings = Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread")
    yield settings, build_clients(settings)
    reset_engines()


@pytest.mark.parametrize("stem", CASES)
def test_prepared_file_imports_and_trains_when_large_enough(stem, clients, tmp_path):
    settings, c = clients
    p = c.personalize
    mapping = load_mapping(MAPPINGS / f"{stem}.json")
    prepared = prepare_file(raw_file(stem), mapping, tmp_path / "out.csv", now=NOW)
    assert prepared.ok == (stem in TRAINS or mapping.dataset_type != "interactions"), (
        prepared.report.codes
    )
    key = f"prepared/{stem}.csv"
    target = settings.data_dir / "s3" / "bucket" / key
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(prepared.out, target)
    name = stem.replace("_", "-")[:50]
    schema = p.create_schema(name=name, schema=json.dumps(prepared.schema))["schemaArn"]
    group = p.create_dataset_group(name=name)["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=group), "datasetGroup")
    dataset = p.create_dataset(
        name=name,
        schemaArn=schema,
        datasetGroupArn=group,
        datasetType=mapping.dataset_type.title(),
    )["datasetArn"]
    wait_for(lambda: p.describe_dataset(datasetArn=dataset), "dataset")
    job = p.create_dataset_import_job(
        jobName=name, datasetArn=dataset, dataSource={"dataLocation": f"s3://bucket/{key}"}
    )["datasetImportJobArn"]
    done = wait_for(
        lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
    )
    rows = prepared.conversion.rows_written
    if mapping.dataset_type == "interactions" and rows < 1000:
        assert done["status"] == "CREATE FAILED"
        assert done["failureReason"] == (
            f"out.csv: the file has {rows} interaction records; Personalize imports at least "
            "1000 per job"
        ).replace("out.csv", f"{stem}.csv")
        return
    assert done["status"] == "ACTIVE", done.get("failureReason")
    if stem in TRAINS:
        _, version = train(c, group, name, "aws-popularity-count")
        doc = p.describe_solution_version(solutionVersionArn=version)["solutionVersion"]
        assert doc["status"] == "ACTIVE"
