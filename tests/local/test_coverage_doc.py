"""docs/engine-coverage.md matches botocore's models and the engine's operation table."""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session

from services.local.wire.coverage import AWS_RECIPES, coverage_markdown
from services.local.wire.operations import operations
from services.personalize.clients import Clients

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


def test_list_recipes_through_boto3_is_the_aws_list(clients: Clients) -> None:
    """ListRecipes (no domain) lists exactly the developer guide's recipes, each with its type;
    the doc's recipe table says so for every one."""
    p = clients.personalize
    pages = p.get_paginator("list_recipes").paginate()
    names = [r["name"] for page in pages for r in page["recipes"]]
    assert sorted(names) == sorted(AWS_RECIPES)
    for name, (kind, _) in AWS_RECIPES.items():
        doc = p.describe_recipe(recipeArn=f"arn:aws:personalize:::recipe/{name}")["recipe"]
        assert doc["recipeType"] == kind, name
    rows = re.findall(r"^\| (aws-[\w-]+) \| (\w+) \| ([\w, ]+) \| (yes|no) \|$",
                      DOC.read_text(encoding="utf-8"), re.MULTILINE)  # fmt: skip
    assert {r[0]: r[3] for r in rows} == dict.fromkeys(AWS_RECIPES, "yes")
