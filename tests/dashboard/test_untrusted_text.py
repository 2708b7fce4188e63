"""Untrusted text is drawn as text: markdown and HTML planted in every kind of value, through
the real local engine and the real pages, show literally (no link, no bold, no colour, no
math, no HTML), Hangul included. ``tests.dashboard.rendered`` says what Streamlit would draw.

Planted: a dataset group name (names allow only letters, digits, ``-`` and ``_``, so
``__bold__``), item names and categories (Items metadata), an import's failure reason quoting
a CSV cell, a refresh run's actor and reason, a filter expression quoted by an engine error,
a mapping's field typed on the Prepare form and an item ID typed by a person.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.db import dispose_engines
from services.local.engine import reset_engines
from services.personalize.clients import build_clients
from services.personalize.wire_errors import translate_error
from services.pipeline import RefreshOptions, RunStore
from tests.dashboard.conftest import APP, TIMEOUT, app_at, use_copy
from tests.dashboard.rendered import Drawn, draw, markdown_strings
from tests.local.workspace import create_group, train, wait_for

PLANTED = "**bold** [Sign in again](http://evil.test) <b>x</b> :red[x] $x$ `code` 김민준"
GROUP = "shop-__bold__"
ITEMS_SCHEMA = {
    "type": "record",
    "name": "Items",
    "namespace": "com.amazonaws.personalize.schema",
    "fields": [
        {"name": "ITEM_ID", "type": "string"},
        {"name": "NAME", "type": "string", "textual": True},
        {"name": "CATEGORY", "type": "string", "categorical": True},
    ],
    "version": "1.0",
}


@dataclass(frozen=True)
class Planted:
    group: str
    interactions: str


def _import(clients, dataset: str, location: str, mode: str = "FULL") -> dict:
    p = clients.personalize
    job = p.create_dataset_import_job(
        jobName=f"import-{Path(location).stem}",
        datasetArn=dataset,
        dataSource={"dataLocation": location},
        importMode=mode,
    )["datasetImportJobArn"]
    return wait_for(
        lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
    )


def _build(data_dir: Path) -> Planted:
    clients = build_clients(
        Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    )
    p = clients.personalize
    ws = create_group(clients, data_dir, name=GROUP)
    schema = p.create_schema(name="planted-items", schema=json.dumps(ITEMS_SCHEMA))["schemaArn"]
    items = p.create_dataset(
        name="planted-items", schemaArn=schema, datasetGroupArn=ws["group"], datasetType="Items"
    )["datasetArn"]
    wait_for(lambda: p.describe_dataset(datasetArn=items), "dataset")
    bucket = data_dir / "s3" / "bucket"
    with (bucket / "items.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["ITEM_ID", "NAME", "CATEGORY"])
        out.writerows([f"i{i}", f"{PLANTED} {i}", PLANTED] for i in range(90))
    assert _import(clients, items, "s3://bucket/items.csv")["status"] == "ACTIVE"
    _, sims = train(clients, ws["group"], "planted-sims", "aws-similar-items")
    campaign = p.create_campaign(name="planted-sims-campaign", solutionVersionArn=sims)
    wait_for(lambda: p.describe_campaign(campaignArn=campaign["campaignArn"]), "campaign")
    # Last, so it is the latest import: its failure reason quotes the bad cell.
    (bucket / "bad.csv").write_text(
        f'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,"{PLANTED}",view\n', encoding="utf-8"
    )
    failed = _import(clients, ws["dataset"], "s3://bucket/bad.csv", "INCREMENTAL")
    assert failed["status"] == "CREATE FAILED" and "[Sign in again]" in failed["failureReason"]
    reset_engines()
    dispose_engines()
    return Planted(ws["group"], ws["dataset"])


@pytest.fixture(scope="module")
def planted_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Planted]:
    data_dir = tmp_path_factory.mktemp("planted") / "data"
    return data_dir, _build(data_dir)


@pytest.fixture
def planted(
    planted_template: tuple[Path, Planted], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Planted]:
    template, arns = planted_template
    yield from use_copy(template, tmp_path, monkeypatch, arns)


def _drawn(at: AppTest, marker: str) -> list[Drawn]:
    """Every markdown string of the page that shows ``marker``, as drawn; each checked for
    links, images, HTML, directives, math and text transforms by ``draw``."""
    found = [draw(s) for s in markdown_strings(at._tree) if marker in s.replace("\\", "")]
    assert found, f"nothing on the page shows {marker!r}"
    for d in found:
        assert not d.active, d.source
    return found


def _literal(drawn: list[Drawn], text: str) -> None:
    assert any(text in d.text for d in drawn), [d.text for d in drawn]


def test_group_name_failure_reason_actor_and_reason_on_the_overview_and_data(
    planted: Planted,
) -> None:
    runs = RunStore(Settings.from_env().dashboard_db_url)
    claim = runs.claim(
        planted.group,
        GROUP,
        options=RefreshOptions().to_dict(),
        trigger="cli",
        actor=PLANTED,
        owner="o",
        lock_seconds=60,
    )
    assert runs.finish(claim.run_id, "o", "FAILED", f"import refused: {PLANTED}")
    at = app_at()
    assert not at.exception, [e.value for e in at.exception]
    group = _drawn(at, "bold__")
    _literal(group, f"Dataset group {GROUP}")  # not "shop-" and a bold "bold"
    assert not any("bold" in d.styled for d in group)
    drawn = _drawn(at, "Sign in again")
    _literal(drawn, f"(cli, {PLANTED})")  # the run's actor
    _literal(drawn, f"import refused: {PLANTED}")  # its reason, in the tooltip
    assert not any("bold" in d.styled for d in drawn)

    at.switch_page("dashboard/pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    failed = [d for d in _drawn(at, "Sign in again") if "failed" in d.text]
    _literal(failed, "'**bold** [Sign in again](http://evil.tes…'")  # the quoted cell


def test_item_names_categories_and_a_typed_id_on_recommendations(planted: Planted) -> None:
    at = app_at("dashboard/pages/recommendations.py")
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="rec_sims_item").set_value("i1").run()
    assert not at.exception, [e.value for e in at.exception]
    drawn = _drawn(at, "Sign in again")
    _literal(drawn, f"Items similar to i1 · {PLANTED} 1 ({PLANTED})")  # name and category
    _literal(drawn, f"its category {PLANTED}.")
    assert not any(d.styled.replace(f"i1 · {PLANTED} 1 ({PLANTED})", "") for d in drawn)

    at.text_input(key="rec_sims_item").set_value(PLANTED).run()  # an ID typed by a person
    _literal(_drawn(at, "Sign in again"), f"{PLANTED} is not in the Items data")


def test_a_mapping_field_on_prepare(planted: Planted) -> None:
    at = app_at("dashboard/pages/data.py")
    raw = b"user,item,when\nu1,i1,1709600400\n"
    at.file_uploader(key="prepare_interactions_file").set_value(
        ("orders.csv", raw, "text/csv")
    ).run()
    at.text_input(key="prepare_f_timezone").set_value(PLANTED).run()
    assert not at.exception, [e.value for e in at.exception]
    _literal(_drawn(at, "Sign in again"), f"Mapping: timezone: '{PLANTED}' is not an IANA")


def test_a_filter_expression_quoted_by_an_engine_error(planted: Planted) -> None:
    """The pages show no filters, but an error quoting one is drawn by ``show_failure``."""
    p = build_clients(Settings.from_env()).personalize
    expression = f'EXCLUDE ItemID WHERE Items.CATEGORY IN ("{PLANTED}"'
    with pytest.raises(ClientError) as refused:
        p.create_filter(name="f", datasetGroupArn=planted.group, filterExpression=expression)
    error = translate_error(refused.value, "CreateFilter", "f", "Filter")

    def page(message: str, code: str | None) -> None:
        from dashboard.components.errors import show_failure
        from services.errors import ServiceError

        show_failure("Could not create the filter", ServiceError(message, code=code))

    at = AppTest.from_function(
        page, args=(error.message, error.code), default_timeout=TIMEOUT
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    (shown,) = _drawn(at, "Sign in again")
    # the engine quotes 40 characters near the fault: the expression's markdown, literally
    assert 'CATEGORY IN ("**bold** [Sign in again' in shown.text and not shown.styled


def test_an_account_name_in_the_sidebar_and_the_refusals(planted: Planted) -> None:
    from services.access import hash_password

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["access"] = {
        "accounts": {PLANTED: {"role": "viewer", "password_hash": hash_password("a viewer pw 12")}}
    }
    at.run()
    at.text_input(key="sign_in_name").input(PLANTED)
    at.text_input(key="sign_in_password").input("a viewer pw 12")
    at.button(key="sign_in_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    _literal(_drawn(at, "Sign in again"), f"{PLANTED} · viewer")  # the sidebar
    at.switch_page("dashboard/pages/operations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    drawn = _drawn(at, "Sign in again")
    _literal(drawn, f"{PLANTED} is a viewer: only operators may")  # captions and tooltips
