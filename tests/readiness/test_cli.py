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
