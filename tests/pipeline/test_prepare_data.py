"""A refresh whose --data is a raw export with --mapping: prepared before the check and the
import; the mapping is validated with the options, before anything runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from services.pipeline import FAILED, SUCCEEDED, DataSource, RefreshOptions, RefreshRun
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


def _refreshed(shop: Shop, source: DataSource) -> RefreshRun:
    """The shop refreshed from ``source`` (any drop deploys), after it SUCCEEDED."""
    group = shop.pipeline.resolve_group("shop")
    triggered = shop.pipeline.trigger(
        group, RefreshOptions(data=(source,), tolerance_pct=100), actor="t", trigger="test"
    )
    assert triggered.owner is not None
    shop.pipeline.execute(triggered.run_id, triggered.owner)
    run = shop.runs.get(triggered.run_id)
    assert run is not None and run.status == SUCCEEDED, run.reason
    return run


def test_a_raw_export_is_prepared_checked_and_imported(shop: Shop) -> None:
    source = DataSource(_raw_in_shop(shop), mapping=MAPPING)
    run = _refreshed(shop, source)
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


def test_a_dated_folder_with_one_raw_export_is_prepared_like_the_file(shop: Shop) -> None:
    """docs/pipeline.md's nightly line gives a folder (…/$(date -u +%F)/); with --mapping it
    stands for the one export in it (trial s13 finding 11: it was refused outright)."""
    _raw_in_shop(shop)  # s3://bucket/shop/raw/orders.csv, the folder's only file
    source = DataSource("s3://bucket/shop/raw/", mapping=MAPPING)
    run = _refreshed(shop, source)
    # the same counts as the file named (the first test): 1,200 rows, 4 rejected
    assert "1,196 written; 4 rejected" in run.step("check:INTERACTIONS").reason


def test_a_folder_without_exactly_one_export_is_refused_by_name(shop: Shop) -> None:
    from services.prepare import parse_mapping
    from services.prepare.importing import prepare_for_import

    mapping = parse_mapping(MAPPING)
    folder = shop.settings.data_dir / "s3" / "bucket" / "nightly" / "2026-12-07"
    folder.mkdir(parents=True)
    kwargs = {"settings": shop.settings}
    with pytest.raises(ValueError, match=r"2026-12-07/ is a folder with no file: .*arrived"):
        prepare_for_import("s3://bucket/nightly/2026-12-07/", mapping, **kwargs)
    for name in ("a.csv", "b.csv"):
        shutil.copyfile(RAW / "korean_headers_cp949.csv", folder / name)
    with pytest.raises(ValueError, match=r"is a folder with 2 files \(a\.csv, b\.csv\): .*name"):
        prepare_for_import("s3://bucket/nightly/2026-12-07/", mapping, **kwargs)
    (folder / "b.csv").unlink()
    (folder / ".a.csv.part").write_text("")  # an upload in progress is not an export
    prepared = prepare_for_import("s3://bucket/nightly/2026-12-07/", mapping, **kwargs)
    assert prepared.conversion.rows_read == 1200 and prepared.conversion.rows_rejected == 4
    # a local folder works the same way
    assert prepare_for_import(f"{folder}/", mapping, **kwargs).conversion.rows_read == 1200


def test_the_same_file_imported_again_is_a_warning_naming_the_first_run(shop: Shop) -> None:
    """Run 2 imports the very file run 1 did (trial s13 finding 9: INCREMENTAL doubled the
    Data page's count while training drops the duplicates): its check warns, naming run 1."""
    source = DataSource(shop.good)
    first = _refreshed(shop, source)
    assert "same content" not in first.step("check:INTERACTIONS").reason
    again = _refreshed(shop, source)
    check = again.step("check:INTERACTIONS")
    assert check.detail["same_as_run"] == first.id
    assert check.detail["sha256"] == first.step("check:INTERACTIONS").detail["sha256"]
    assert check.reason.startswith("1,800 rows in 1 file, 1 warning;")
    assert f"the same content as run #{first.id} imported" in check.reason
    assert f"Warning: the interactions file has the same content as run #{first.id}" in (
        again.reason
    )
    # a different file is not flagged
    third = _refreshed(shop, DataSource(shop.noise))
    assert "same_as_run" not in third.step("check:INTERACTIONS").detail


def test_a_mapping_reading_a_column_the_export_lacks_fails_its_check_in_the_readers_language(
    shop: Shop,
) -> None:
    """The mapping's USER_ID reads 회원번호, which the export does not have (its header:
    회원ID,상품코드,주문일시,구분,수량). The run stores English (the CLI's and the audit's) and
    the values; the Refresh tab and the Overview read it in the reader's language. Expected
    strings written by hand (the Korean from messages.po)."""
    from dashboard.components.operations.refresh_text import run_reason
    from services.i18n import use_language

    fields = [{"name": "USER_ID", "column": "회원번호"}, *MAPPING["fields"][1:]]
    source = DataSource(_raw_in_shop(shop), mapping={**MAPPING, "fields": fields})
    group = shop.pipeline.resolve_group("shop")
    triggered = shop.pipeline.trigger(
        group, RefreshOptions(data=(source,)), actor="t", trigger="test"
    )
    assert triggered.owner is not None
    shop.pipeline.execute(triggered.run_id, triggered.owner)
    run = shop.runs.get(triggered.run_id)
    assert run is not None and run.status == FAILED
    columns = "회원ID, 상품코드, 주문일시, 구분, 수량"
    assert run.reason == (
        f"Check the interactions data: orders.csv has no column '회원번호'; its columns are "
        f"{columns}. Campaigns keep serving their previous versions."
    )
    assert run_reason(run) == run.reason  # English readers read the CLI's words
    use_language("ko")
    try:
        assert run_reason(run) == (
            "상호작용 데이터 확인: orders.csv에 '회원번호' 열이 없습니다. "
            f"이 파일의 열: {columns}. 캠페인은 이전 버전을 계속 서비스합니다."
        )
    finally:
        use_language("en")
