"""A refresh whose --data is a raw export with --mapping: prepared before the check and the
import; the mapping is validated with the options, before anything runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from services.pipeline import SUCCEEDED, DataSource, RefreshOptions
from services.pipeline.options import parse_sources
from services.prepare import MappingError
from tests.pipeline.conftest import Shop
from tests.pipeline.test_cli import _cli

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
# The shop's Interactions schema has no EVENT_VALUE: the corpus mapping without it.
MAPPING = json.loads((RAW / "mappings" / "korean_headers_cp949.json").read_text())
MAPPING["fields"] = [f for f in MAPPING["fields"] if f["name"] != "EVENT_VALUE"]


def _raw_in_shop(shop: Shop) -> str:
    target = shop.settings.data_dir / "s3" / "bucket" / "shop" / "raw" / "orders.csv"
    target.parent.mkdir(parents=True)
    shutil.copyfile(RAW / "korean_headers_cp949.csv", target)
    return "s3://bucket/shop/raw/orders.csv"


def test_a_raw_export_is_prepared_checked_and_imported(shop: Shop) -> None:
    source = DataSource(_raw_in_shop(shop), mapping=MAPPING)
    group = shop.pipeline.resolve_group("shop")
    triggered = shop.pipeline.trigger(
        group, RefreshOptions(data=(source,), tolerance_pct=100), actor="t", trigger="test"
    )
    assert triggered.owner is not None
    shop.pipeline.execute(triggered.run_id, triggered.owner)
    run = shop.runs.get(triggered.run_id)
    assert run is not None and run.status == SUCCEEDED, run.reason
    check = run.step("check:INTERACTIONS")
    assert "1,196 rows in 1 file," in check.reason
    assert "1,196 written; 4 rejected (3 USER_ID is empty, 1 TIMESTAMP is not a date" in (
        check.reason
    )
    job = shop.service.describe_import_job(run.step("import:INTERACTIONS").detail["job_arn"])
    # beside the raw export, in its bucket, as docs/pipeline.md says; rejects as CSV next to it
    assert job.status == "ACTIVE" and job.location.startswith("s3://bucket/prepared/")
    imported = shop.settings.data_dir / "s3" / job.location[len("s3://") :]
    rejects = pd.read_csv(imported.with_name(imported.stem + ".rejects.csv"))
    assert list(rejects.columns[:2]) == ["line", "reason"] and len(rejects) == 4
    assert not list(imported.parent.glob("*.txt"))
    expected = pd.read_csv(RAW / "expected" / "korean_headers_cp949.csv", dtype=str)
    got = pd.read_csv(imported, dtype=str)
    pd.testing.assert_frame_equal(got, expected.drop(columns=["EVENT_VALUE"]))


def test_the_mapping_is_validated_with_the_options() -> None:
    with pytest.raises(MappingError, match=r"fields\[0\] \(USER_ID\)\.type"):
        bad = {**MAPPING, "fields": [{"name": "USER_ID", "column": "x", "type": "int"}]}
        RefreshOptions(data=(DataSource("s3://b/raw.csv", mapping=bad),))
    with pytest.raises(ValueError, match="the mapping is for interactions, but"):
        RefreshOptions(data=(DataSource("s3://b/raw.csv", "ITEMS", mapping=MAPPING),))
    with pytest.raises(ValueError, match="--mapping for items has no --data location"):
        parse_sources(["s3://b/raw.csv"], [{**MAPPING, "dataset_type": "items"}])
    (parsed,) = parse_sources(["s3://b/raw.csv"], [MAPPING])
    assert parsed.mapping == MAPPING
    options = RefreshOptions(data=(parsed,))
    assert RefreshOptions.from_dict(json.loads(json.dumps(options.to_dict()))) == options
    assert "interactions=s3://b/raw.csv (mapped)" in options.summary()


def test_cli_refuses_a_mapping_it_cannot_read(shop_env: Shop, tmp_path: Path) -> None:
    code, lines = _cli(
        "refresh", "--dataset-group", "shop", "--data", "s3://bucket/x.csv",
        "--mapping", str(tmp_path / "missing.json"),
    )  # fmt: skip
    assert code == 2
    assert "cannot read" in lines[-1]["message"] and "missing.json" in lines[-1]["message"]


def test_cli_refresh_prepares_a_local_raw_export_into_the_bucket_and_imports_it(
    shop_env: Shop, tmp_path: Path
) -> None:
    """`refresh --data LOCAL_FILE --mapping M`, as docs/pipeline.md describes it: the raw file stays
    where it is; the prepared file goes to the data directory's bucket folder and the import
    job reads it from s3:// (CreateDatasetImportJob takes nothing else)."""
    raw = tmp_path / "exports" / "주문.csv"  # a Hangul file name, CP949 content
    raw.parent.mkdir()
    shutil.copyfile(RAW / "korean_headers_cp949.csv", raw)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(MAPPING), encoding="utf-8")
    code, lines = _cli(
        "refresh", "--dataset-group", "shop", "--data", str(raw), "--mapping", str(mapping),
        "--tolerance", "100",
    )  # fmt: skip
    assert code == 0, lines[-1]
    run = shop_env.runs.get(lines[-1]["run"])
    assert run is not None and run.status == SUCCEEDED
    job = shop_env.service.describe_import_job(run.step("import:INTERACTIONS").detail["job_arn"])
    assert job.status == "ACTIVE"
    # s3://prepared/STAMP/주문-TOKEN.csv, the file under the data directory's s3/ folder
    bucket, stamp, name = job.location[len("s3://") :].split("/")
    assert bucket == "prepared" and name.startswith("주문-") and name.endswith(".csv")
    imported = shop_env.settings.data_dir / "s3" / bucket / stamp / name
    expected = pd.read_csv(RAW / "expected" / "korean_headers_cp949.csv", dtype=str)
    pd.testing.assert_frame_equal(
        pd.read_csv(imported, dtype=str), expected.drop(columns=["EVENT_VALUE"])
    )
    assert len(pd.read_csv(imported.with_name(imported.stem + ".rejects.csv"))) == 4
    assert sorted(p.name for p in raw.parent.iterdir()) == ["주문.csv"]  # nothing written there
