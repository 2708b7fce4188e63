import io
import json
import subprocess
import sys

import pytest

from services.readiness.cli import main

from .conftest import BAD, GOOD, NOW


def run(*argv):
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_human_table_lists_findings_with_lines():
    status, text = run(
        "check",
        str(BAD / "timestamps_milliseconds.csv"),
        "--dataset-type",
        "interactions",
        "--now",
        str(NOW),
    )
    assert status == 1
    assert "NOT READY" in text and "timestamp_milliseconds" in text
    assert "fix: Divide TIMESTAMP by 1000" in text and "lines: 2, 3, 4, 5, 6" in text


def test_filters_and_schema_reach_the_check():
    status, text = run(
        "check",
        str(GOOD / "interactions.csv"),
        "--dataset-type",
        "interactions",
        "--schema",
        str(GOOD / "interactions_schema.json"),
        "--event-type",
        "purchase",
        "--event-value-threshold",
        "2",
        "--now",
        str(NOW),
        "--json",
    )
    data = json.loads(text)
    assert status == 1  # 1,200 events, fewer than 1,000 are purchases worth >= 2
    assert data["summary"]["interactions_after_filter"] < 600
    assert "too_few_interactions" in [f["code"] for f in data["findings"]]


def test_usage_errors_exit_2(tmp_path, capsys):
    assert run("check", str(tmp_path / "missing.csv"), "--dataset-type", "items")[0] == 2
    assert "no such file" in capsys.readouterr().err
    assert run("check", str(tmp_path), "--dataset-type", "items")[0] == 2
    assert f"file: is a directory, not a file: {tmp_path}" in capsys.readouterr().err
    assert (
        run(
            "check",
            str(GOOD / "items.csv"),
            "--dataset-type",
            "items",
            "--schema",
            str(tmp_path / "none.json"),
        )[0]
        == 2
    )
    with pytest.raises(SystemExit) as err:
        run("check", str(GOOD / "items.csv"), "--dataset-type", "actions")
    assert err.value.code == 2
    with pytest.raises(SystemExit) as err:
        run("check", str(GOOD / "items.csv"))
    assert err.value.code == 2


def test_module_entry_point_exit_status():
    cmd = [
        sys.executable,
        "-m",
        "services.readiness",
        "check",
        str(BAD / "header_only.csv"),
        "--dataset-type",
        "interactions",
        "--json",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["findings"][0]["code"] == "header_only"


def _in_local_bucket(tmp_path, monkeypatch, source, key):
    """``source`` copied to ``s3://bucket/KEY`` of the local engine's data directory."""
    monkeypatch.setenv("PERSONALIZE_BACKEND", "local")
    monkeypatch.setenv("PERSONALIZE_DATA_DIR", str(tmp_path / "data"))
    target = tmp_path / "data" / "s3" / "bucket" / key
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    return f"s3://bucket/{key}"


def test_an_s3_location_is_read_from_the_local_bucket_folder(tmp_path, monkeypatch, capsys):
    uri = _in_local_bucket(tmp_path, monkeypatch, BAD / "timestamps_milliseconds.csv", "in/i.csv")
    argv = ["--dataset-type", "interactions", "--now", str(NOW), "--json"]
    status, text = run("check", uri, *argv)
    direct_status, direct = run("check", str(BAD / "timestamps_milliseconds.csv"), *argv)
    got, want = json.loads(text), json.loads(direct)
    assert got.pop("source") == uri and want.pop("source") != uri
    assert (status, got) == (direct_status, want) and status == 1
    # as the Data page says it: no such object, a folder, a key that leaves the bucket folder
    for location, says in (
        ("s3://bucket/in/none.csv", "error: file: no file at s3://bucket/in/none.csv (locally: "),
        ("s3://bucket/in/", "error: file: s3://bucket/in/ is a folder: name one file"),
        ("s3://b/../../x.csv", "error: file: 's3://b/../../x.csv' leaves the local bucket"),
        ("s3://", "error: file: 's3://' has no bucket name"),
    ):
        assert run("check", location, "--dataset-type", "items")[0] == 2
        err = capsys.readouterr().err
        assert err.startswith(says) and err.count("\n") == 1, err


def test_a_cp949_header_prints_in_hangul_with_one_encoding_finding(tmp_path):
    # Korean Excel's "CSV" is CP949. Read as UTF-8 with replacement, 가격 and 색상 both became
    # '����' (a false duplicate column) and the names printed as mojibake.
    path = tmp_path / "orders.csv"
    path.write_bytes(
        "USER_ID,ITEM_ID,TIMESTAMP,가격,색상\nu1,i1,1700000000,1000,빨강\n".encode("cp949")
    )
    status, text = run("check", str(path), "--dataset-type", "interactions", "--now", str(NOW))
    assert status == 1
    assert "\ufffd" not in text
    assert "duplicate_column" not in text
    assert "[가격]" in text and "'색상' is not one of" in text
    # one encoding finding, at the header's first CP949 byte: 가 is B0 A1, after the 26 bytes
    # of "USER_ID,ITEM_ID,TIMESTAMP,"
    assert text.count("not_utf8") == 1
    assert "Byte 0xB0 at offset 26 (line 1)" in text and "read '가'" in text
    assert "iconv -f CP949 -t UTF-8" in text


def test_counts_of_a_missing_column_are_not_known(tmp_path):
    raw = tmp_path / "raw.csv"
    raw.write_text("회원번호,상품코드,구매일시\n1001,A-1,2026-11-28 02:16:00\n", encoding="utf-8")
    status, text = run("check", str(raw), "--dataset-type", "interactions", "--now", str(NOW))
    assert status == 1
    facts = text.splitlines()[1].strip()
    assert facts == (
        "rows 1 | users not known (no USER_ID column) | items not known (no ITEM_ID column)"
    )
