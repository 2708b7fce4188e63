"""Numbers an Avro float/double cannot hold, NaN, negative prices and formula-like text: the
readiness check and the local engine's import job (through boto3) refuse and accept the same
rows, since both apply services.local.rules.avro_numbers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.config import Settings
from services.local.engine import reset_engines
from services.personalize.clients import build_clients
from services.readiness import check_file
from tests.local.workspace import wait_for

FIELDS = [
    {"name": "ITEM_ID", "type": "string"},
    {"name": "PRICE", "type": "float"},
    {"name": "WEIGHT", "type": ["null", "double"]},
    {"name": "NAME", "type": ["null", "string"], "categorical": True},
]
SCHEMA = {"type": "record", "name": "Items", "fields": FIELDS, "version": "1.0"}
# (PRICE, WEIGHT, NAME) of the one data row -> the check's error code, or None when the row
# imports; the engine's failure reason must then name the same column.
CASES = {
    "float_overflow": (("1e308", "1", "a"), "value_out_of_range", "PRICE"),
    "float_overflow_digits": (("1" + "0" * 39, "1", "a"), "value_out_of_range", "PRICE"),
    "nan": (("NaN", "1", "a"), "value_non_numeric", "PRICE"),
    # the engine says "'inf' is not a number"; a typed column reads it as infinity: too large
    "infinity": (("1", "inf", "a"), "value_out_of_range", "WEIGHT"),
    "double_overflow": (("1", "1e309", "a"), "value_out_of_range", "WEIGHT"),
    # 3.4e38 < 3.4028235e38 fits a float; 1e308 fits a double
    "float_largest": (("3.4e38", "1e308", "a"), None, None),
    # 1e23 (23 nines) is well inside a float's range: stored rounded, not refused
    "float_many_digits": (("99999999999999999999999", "1", "a"), None, None),
    "negative_price": (("-5", "", "a"), None, None),
    "formula": (("5", "", '"=HYPERLINK(""http://x"")"'), None, None),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, str, Path]]:
    data_dir = tmp_path_factory.mktemp("ranges") / "data"
    p = build_clients(
        Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    ).personalize
    group = p.create_dataset_group(name="ranges")["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=group), "datasetGroup")
    schema = p.create_schema(name="ranges-items", schema=json.dumps(SCHEMA))["schemaArn"]
    dataset = p.create_dataset(
        name="ranges-items", schemaArn=schema, datasetGroupArn=group, datasetType="Items"
    )["datasetArn"]
    wait_for(lambda: p.describe_dataset(datasetArn=dataset), "dataset")
    yield p, dataset, data_dir / "s3" / "bucket"
    reset_engines()


@pytest.mark.parametrize("case", CASES)
def test_the_check_and_the_import_job_agree(world: tuple, case: str) -> None:
    p, dataset, bucket = world
    (price, weight, name), code, column = CASES[case]
    bucket.mkdir(parents=True, exist_ok=True)
    path = bucket / f"{case}.csv"
    path.write_text(f"ITEM_ID,PRICE,WEIGHT,NAME\ni1,{price},{weight},{name}\n", encoding="utf-8")
    report = check_file(path, "items", schema=SCHEMA)
    errors = [(f.code, f.column) for f in report.findings if f.severity == "error"]
    job = p.create_dataset_import_job(
        jobName=case,
        datasetArn=dataset,
        dataSource={"dataLocation": f"s3://bucket/{case}.csv"},
    )["datasetImportJobArn"]
    done = wait_for(
        lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
    )
    if code is None:
        assert errors == [] and report.ok
        assert done["status"] == "ACTIVE", done.get("failureReason")
    else:
        assert errors == [(code, column)]
        assert done["status"] == "CREATE FAILED"
        assert f"column {column}" in done["failureReason"], done["failureReason"]


def test_the_trial_file_gets_errors_and_warnings(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(
        "ITEM_ID,PRICE,WEIGHT,NAME\n"
        'i1,1e308,,"=HYPERLINK(""http://x"")"\n'
        "i2,99999999999999999999999,,b\n"
        "i3,NaN,,c\n"
        "i4,-5,,d\n",
        encoding="utf-8",
    )
    report = check_file(path, "items", schema=SCHEMA)
    found = {f.code: (f.severity, f.rows) for f in report.findings}
    assert not report.ok
    # i2's 99999999999999999999999 (about 1e23) fits a float: only i1's 1e308 overflows
    assert found["value_out_of_range"] == ("error", (2,))
    assert found["value_non_numeric"] == ("error", (4,))
    assert found["value_negative_price"] == ("warning", (5,))
    assert found["value_formula_like"] == ("warning", (2,))
    detail = next(f.detail for f in report.findings if f.code == "value_out_of_range")
    assert "1 value of PRICE is too large for the schema type float" in detail
