"""docs/engine-coverage.md matches botocore's models and the engine's operation table."""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session

from services.local.wire.coverage import coverage_markdown
from services.local.wire.operations import operations

DOC = Path(__file__).resolve().parents[2] / "docs" / "engine-coverage.md"


def test_coverage_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == coverage_markdown(), (
        "docs/engine-coverage.md is stale: run "
        "`python -m services.local.wire.coverage > docs/engine-coverage.md`"
    )


def test_every_modelled_operation_has_one_row_with_the_right_answer() -> None:
    session = botocore.session.get_session()
    rows = dict(
        re.findall(r"^\| (\w+) \| (yes|no) \|$", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    )
    expected = {
        (svc, op)
        for svc in ("personalize", "personalize-runtime", "personalize-events")
        for op in session.get_service_model(svc).operation_names
    }
    # Operation names are unique across the three APIs, so a row names one operation.
    assert len(rows) == len(expected) == len({op for _, op in expected})
    implemented = operations()
    for key in expected:
        assert rows[key[1]] == ("yes" if key in implemented else "no"), key
    assert implemented.keys() <= expected  # the engine answers nothing botocore lacks


def test_readme_links_the_coverage_table() -> None:
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "docs/engine-coverage.md" in readme
