"""The CLI: prepare (exit 0 ready / 1 readiness error / 2 unusable input) and suggest."""

import io
import json

from services.prepare.cli import main
from tests.local.workspace import INTERACTIONS_SCHEMA

from .conftest import MAPPINGS, raw_file

NOW = "1735689600"  # 2025-01-01: the corpus is dated 2024


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


def test_prepare_writes_csv_schema_and_rejects(tmp_path):
    out, schema = tmp_path / "items.csv", tmp_path / "schema.json"
    status, text, _ = _run(
        str(raw_file("product_master_multi_category")),
        "--mapping", str(MAPPINGS / "product_master_multi_category.json"),
        "--out", str(out), "--schema-out", str(schema), "--now", NOW,
    )  # fmt: skip
    assert status == 0, text
    assert "5 rows read (csv, encoding utf-8" in text and "3 written; 2 rejected" in text
    assert "rejected 1: PRICE is not a number" in text
    assert (tmp_path / "items.rejects.csv").exists()
    fields = {f["name"]: f for f in json.loads(schema.read_text())["fields"]}
    assert fields["CATEGORY"] == {
        "name": "CATEGORY",
        "type": ["null", "string"],
        "categorical": True,
    }
    assert fields["ITEM_ID"]["type"] == "string"


def test_too_small_for_training_exits_1(tmp_path):
    status, text, _ = _run(
        str(raw_file("event_codes")),
        "--mapping", str(MAPPINGS / "event_codes.json"),
        "--out", str(tmp_path / "o.csv"), "--now", NOW,
    )  # fmt: skip
    assert status == 1
    assert "NOT READY" in text and "too_few_interactions" in text


def test_bad_mapping_exits_2_naming_the_field(tmp_path):
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"version": 1, "dataset_type": "users", "fields": [{}]}))
    status, _, err = _run(str(raw_file("users_euc_kr")), "--mapping", str(mapping), "--out", "x")
    assert status == 2
    assert "fields[0].name: must be a field name" in err


def test_suggest_prints_a_mapping_that_loads(tmp_path):
    status, text, err = _run(
        "suggest", str(raw_file("korean_headers_cp949")), "--dataset-type", "interactions",
        "--timezone", "Asia/Seoul",
    )  # fmt: skip
    assert status == 0
    doc = json.loads(text)
    assert doc["timezone"] == "Asia/Seoul" and doc["source"]["encoding"] == "cp949"
    assert "USER_ID ← '회원ID'" in err
    path = tmp_path / "m.json"
    path.write_text(text)
    status, out, _ = _run(
        str(raw_file("korean_headers_cp949")), "--mapping", str(path),
        "--out", str(tmp_path / "o.csv"), "--now", NOW,
    )  # fmt: skip
    assert status == 0, out


def test_suggest_with_the_target_schema_maps_only_its_fields(tmp_path):
    schema = tmp_path / "interactions.json"
    schema.write_text(INTERACTIONS_SCHEMA)  # USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE
    raw = str(raw_file("korean_headers_cp949"))
    status, text, err = _run(
        "suggest", raw, "--dataset-type", "interactions", "--schema", str(schema)
    )
    assert status == 0, err
    names = [f["name"] for f in json.loads(text)["fields"]]
    assert names == ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]
    assert "'수량' left unmapped: it looks like EVENT_VALUE" in err
    # Prepared by that mapping against that schema: no schema error.
    mapping = tmp_path / "m.json"
    mapping.write_text(text)
    status, out, _ = _run(raw, "--mapping", str(mapping), "--out", str(tmp_path / "o.csv"))
    assert "not in the schema" not in out


def test_suggest_items_on_an_interactions_file_says_so(tmp_path):
    raw = str(raw_file("typed_columns"))  # user_id, item_id, clicked_at
    status, text, err = _run("suggest", raw, "--dataset-type", "items")
    assert status == 2 and text == ""
    assert "does not look like an items file: column 'user_id' looks like USER_ID" in err
    assert "is not a field of" not in err


def test_a_binary_file_is_not_read_as_a_one_column_csv(tmp_path):
    raw = tmp_path / "photo.png"
    raw.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    status, text, err = _run("suggest", str(raw), "--dataset-type", "items")
    assert status == 2 and text == ""
    assert "photo.png is not a text file (it contains NUL bytes)" in err


def test_an_output_in_a_missing_folder_is_refused_before_reading(tmp_path):
    out = tmp_path / "nope" / "x.csv"
    status, text, err = _run(
        str(raw_file("event_codes")), "--mapping", str(MAPPINGS / "event_codes.json"),
        "--out", str(out),
    )  # fmt: skip
    assert status == 2 and text == ""
    assert f"error: --out {out}: the folder {out.parent} does not exist" in err
    assert ".part" not in err and not out.parent.exists()
    status, _, err = _run(
        str(raw_file("event_codes")), "--mapping", str(MAPPINGS / "event_codes.json"),
        "--out", str(tmp_path),
    )  # fmt: skip
    assert status == 2 and "is a directory; give a file name" in err


def test_raw_and_mapping_at_s3_locations_are_read_from_the_local_bucket(tmp_path, monkeypatch):
    monkeypatch.setenv("PERSONALIZE_BACKEND", "local")
    monkeypatch.setenv("PERSONALIZE_DATA_DIR", str(tmp_path / "data"))
    bucket = tmp_path / "data" / "s3" / "raw-bucket"
    (bucket / "exports").mkdir(parents=True)
    name = "product_master_multi_category"
    (bucket / "exports" / "products.csv").write_bytes(raw_file(name).read_bytes())
    (bucket / "mapping.json").write_bytes((MAPPINGS / f"{name}.json").read_bytes())
    out = tmp_path / "items.csv"
    status, text, _ = _run(
        "s3://raw-bucket/exports/products.csv", "--mapping", "s3://raw-bucket/mapping.json",
        "--out", str(out), "--now", NOW,
    )  # fmt: skip
    assert status == 0, text
    assert "3 written; 2 rejected" in text
    expected = tmp_path / "direct.csv"
    _run(str(raw_file(name)), "--mapping", str(MAPPINGS / f"{name}.json"), "--out", str(expected))
    assert out.read_bytes() == expected.read_bytes()
    status, suggested, _ = _run(
        "suggest", "s3://raw-bucket/exports/products.csv", "--dataset-type", "items"
    )
    assert status == 0 and json.loads(suggested)["dataset_type"] == "items"
    status, _, err = _run(
        "s3://raw-bucket/none.csv", "--mapping", "s3://raw-bucket/mapping.json", "--out", str(out)
    )
    assert status == 2
    assert err.startswith(
        "error: raw s3://raw-bucket/none.csv: no file at s3://raw-bucket/none.csv"
    )


def test_an_s3_output_is_refused_in_one_line(tmp_path):
    status, _, err = _run(
        str(raw_file("product_master_multi_category")),
        "--mapping", str(MAPPINGS / "product_master_multi_category.json"),
        "--out", "s3://bucket/items.csv",
    )  # fmt: skip
    assert status == 2
    assert err == (
        "error: --out s3://bucket/items.csv: outputs are local files: give a path (refresh "
        "--mapping writes to the bucket)\n"
    )
