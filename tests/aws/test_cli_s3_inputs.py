"""AWS mode: ``python -m services.readiness check s3://…`` and ``python -m services.prepare
s3://…`` read the object through S3 (GetObject, stubbed), as the Data page does; S3 refusing
is one line and exit 2. The object store is the one the settings build (``object_store``),
with its S3 client replaced by the stubbed one at the boto3 boundary."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from services.config import Settings
from services.prepare.cli import main as prepare_main
from services.readiness.cli import main as readiness_main
from tests.aws.conftest import AwsStubs

DATA = Path(__file__).resolve().parents[1] / "data"
NOW = "1735689600"  # 2025-01-01: the corpora are dated 2024


@pytest.fixture
def s3_mode(aws: AwsStubs, monkeypatch: pytest.MonkeyPatch) -> AwsStubs:
    monkeypatch.setenv("PERSONALIZE_BACKEND", "aws")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")

    def client(settings: Settings, service: str, **_: Any) -> Any:
        assert settings.backend == "aws" and service == "s3"
        return aws.client("s3")

    monkeypatch.setattr("services.datasets.snapshot.aws_client", client)
    return aws


def _object(aws: AwsStubs, key: str, source: Path) -> None:
    aws.respond("s3", "get_object", {"Body": source.read_bytes()}, {"Bucket": "shop", "Key": key})


def test_readiness_checks_the_object_it_reads_from_s3(s3_mode: AwsStubs) -> None:
    source = DATA / "bad" / "timestamps_milliseconds.csv"
    _object(s3_mode, "in/interactions.csv", source)
    out = io.StringIO()
    argv = ["--dataset-type", "interactions", "--now", NOW, "--json"]
    status = readiness_main(["check", "s3://shop/in/interactions.csv", *argv], out=out)
    direct = io.StringIO()
    direct_status = readiness_main(["check", str(source), *argv], out=direct)
    got, want = json.loads(out.getvalue()), json.loads(direct.getvalue())
    assert got.pop("source") == "s3://shop/in/interactions.csv"
    want.pop("source")
    assert (status, got) == (direct_status, want) and status == 1


def test_readiness_says_what_s3_refused_in_one_line(
    s3_mode: AwsStubs, capsys: pytest.CaptureFixture[str]
) -> None:
    s3_mode.fail("s3", "get_object", "NoSuchKey", 404)
    status = readiness_main(["check", "s3://shop/none.csv", "--dataset-type", "items"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: file: S3 refused reading s3://shop/none.csv (NoSuchKey)")
    assert err.count("\n") == 1


def test_prepare_converts_a_raw_export_it_reads_from_s3(s3_mode: AwsStubs, tmp_path: Path) -> None:
    name = "product_master_multi_category"
    mapping = DATA / "raw" / "mappings" / f"{name}.json"
    _object(s3_mode, "mappings/items.json", mapping)  # the mapping is read first
    _object(s3_mode, "exports/products.csv", DATA / "raw" / f"{name}.csv")
    out, err = io.StringIO(), io.StringIO()
    status = prepare_main(
        [
            "s3://shop/exports/products.csv",
            "--mapping", "s3://shop/mappings/items.json",
            "--out", str(tmp_path / "items.csv"),
            "--now", NOW,
        ],
        out=out,
        err=err,
    )  # fmt: skip
    assert status == 0, err.getvalue()
    assert "5 rows read (csv, encoding utf-8" in out.getvalue()
    assert "3 written; 2 rejected" in out.getvalue()
    direct = tmp_path / "direct.csv"
    raw = str(DATA / "raw" / f"{name}.csv")
    assert prepare_main([raw, "--mapping", str(mapping), "--out", str(direct), "--now", NOW]) == 0
    assert (tmp_path / "items.csv").read_bytes() == direct.read_bytes()
