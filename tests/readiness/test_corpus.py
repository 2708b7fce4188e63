"""Every corpus file: the named finding, no crash, and the CLI agrees."""

import csv
import io
import json

import pytest

from services.readiness import check_file, cross_check
from services.readiness.cli import main

from .conftest import BAD, GOOD, NOW

MANIFEST = list(csv.DictReader((BAD / "MANIFEST.csv").open()))
# Cross-file faults are checked against the good companion file.
COMPANIONS = {"items_missing_from_items_file.csv": ["--items", str(GOOD / "items.csv")]}


def test_manifest_covers_corpus():
    listed = {row["file"] for row in MANIFEST}
    on_disk = {p.name for p in BAD.glob("*.csv")} - {"MANIFEST.csv"}
    assert listed == on_disk
    assert len(listed) >= 25
    assert {row["severity"] for row in MANIFEST} <= {"error", "warning", "info"}
    assert {row["blocks_import"] for row in MANIFEST} == {"true", "false"}


@pytest.mark.parametrize("row", MANIFEST, ids=[r["file"] for r in MANIFEST])
def test_bad_file_has_its_finding(row):
    report = check_file(BAD / row["file"], row["dataset_type"], now=NOW)
    if row["file"] in COMPANIONS:
        items = check_file(GOOD / "items.csv", "items", now=NOW)
        report = report.with_findings(cross_check(report, items))
    finding = report.get(row["expected_code"])
    assert finding is not None, report.codes
    assert finding.severity == row["severity"]
    assert finding.detail and finding.fix and finding.title
    assert len(finding.rows) <= 5
    if row["severity"] == "error":
        assert not report.ok


@pytest.mark.parametrize("row", MANIFEST, ids=[r["file"] for r in MANIFEST])
def test_cli_on_bad_file(row):
    out = io.StringIO()
    argv = [
        "check",
        str(BAD / row["file"]),
        "--dataset-type",
        row["dataset_type"],
        "--now",
        str(NOW),
        "--json",
        *COMPANIONS.get(row["file"], []),
    ]
    status = main(argv, out=out)
    data = json.loads(out.getvalue())
    codes = [f["code"] for f in data["findings"]]
    assert row["expected_code"] in codes
    assert status == (0 if data["ok"] else 1)
    assert status == (1 if any(f["severity"] == "error" for f in data["findings"]) else 0)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("interactions", "interactions"),
        ("interactions_minimal", "interactions"),
        ("items", "items"),
        ("users", "users"),
    ],
)
def test_good_files_pass(name, kind):
    report = check_file(GOOD / f"{name}.csv", kind, now=NOW)
    assert report.ok, report.findings
    assert [f.code for f in report.findings if f.severity == "warning"] == []


@pytest.mark.parametrize("kind", ["interactions", "items", "users"])
def test_good_files_pass_with_their_schema(kind):
    report = check_file(GOOD / f"{kind}.csv", kind, schema=GOOD / f"{kind}_schema.json", now=NOW)
    assert report.ok, report.findings
    assert not report.warnings


def test_good_files_cross_check_clean():
    interactions = check_file(GOOD / "interactions.csv", "interactions", now=NOW)
    items = check_file(GOOD / "items.csv", "items", now=NOW)
    users = check_file(GOOD / "users.csv", "users", now=NOW)
    assert cross_check(interactions, items, users) == []


def test_good_cli_exit_zero():
    out = io.StringIO()
    status = main(
        [
            "check",
            str(GOOD / "interactions.csv"),
            "--dataset-type",
            "interactions",
            "--items",
            str(GOOD / "items.csv"),
            "--users",
            str(GOOD / "users.csv"),
            "--now",
            str(NOW),
        ],
        out=out,
    )
    assert status == 0
    assert "READY" in out.getvalue() and "NOT READY" not in out.getvalue()


@pytest.mark.parametrize("kind", ["interactions", "items", "users"])
def test_no_file_crashes_as_any_dataset_type(kind):
    for path in sorted(BAD.glob("*.csv")) + sorted(GOOD.glob("*.csv")):
        report = check_file(path, kind, now=NOW)
        assert all(f.code and f.severity in ("error", "warning", "info") for f in report.findings)


WARNINGS = [r for r in MANIFEST if r["severity"] != "error" and r["file"] not in COMPANIONS]


@pytest.mark.parametrize("row", WARNINGS, ids=[r["file"] for r in WARNINGS])
def test_a_warning_file_has_no_error_about_the_same_column(row):
    """A fault the manifest calls a warning must not also be an error on its column
    (timestamps_future.csv once also got timestamps_decades_apart from its 2100 rows)."""
    report = check_file(BAD / row["file"], row["dataset_type"], now=NOW)
    column = report.get(row["expected_code"]).column
    errors = [f.code for f in report.findings if f.severity == "error" and f.column == column]
    assert not column or errors == [], errors
