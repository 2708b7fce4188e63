"""Overview: the alert list flags the undeployed version until Operations deploys it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.personalize.models import short_arn
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown
from tests.local.workspace import wait_for


def facade() -> PersonalizeService:
    """An independent facade on the same workspace (not the dashboard's cached one)."""
    return PersonalizeService(build_clients(Settings.from_env()))


def walk(node: Any) -> Iterator[Any]:
    """Every element under a block, in page order."""
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for key in sorted(children):
        yield from walk(children[key])


def errors_of(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]


def test_behind_campaign_is_flagged_until_deployed_from_operations(seeded: Seeded) -> None:
    # versions as every page names them: solution/ID
    v1, v2 = f"shop-up/{short_arn(seeded.up_v1)}", f"shop-up/{short_arn(seeded.up_v2)}"
    at = app_at("dashboard/pages/overview.py")
    assert not at.exception, errors_of(at)
    assert at.title[0].value == "Overview"
    alert = f"Campaign shop-campaign serves version {v1}; version {v2} has been ACTIVE for "
    flagged = [shown(w.value) for w in at.warning if shown(w.value).startswith(alert)]
    assert len(flagged) == 1 and flagged[0].endswith("and is not deployed.")
    # The alert links to Operations with the campaign preselected.
    links = [p.proto for p in at.get("page_link") if p.proto.label == "Deploy on Operations"]
    assert links and links[0].page.endswith("operations")
    assert parse_qs(links[0].query_string)["target"] == [seeded.up_campaign]
    assert parse_qs(links[0].query_string)["tab"] == ["deploy"]  # the tab where it is done

    at.switch_page("dashboard/pages/operations.py").run()
    assert not at.exception, errors_of(at)
    at.selectbox(key="deploy_campaign").set_value(seeded.up_campaign).run()
    version = at.selectbox(key=f"deploy_version_{seeded.up_campaign}_{short_arn(seeded.up_v2)}")
    assert version.value == seeded.up_v2, "the newest ACTIVE version is proposed"
    version.set_value(seeded.up_v2).run()
    at.button(key="deploy_button").click().run()
    assert not at.exception, errors_of(at)
    assert facade().describe_campaign(seeded.up_campaign).solution_version_arn == seeded.up_v1, (
        "nothing happens before confirming in the dialog"
    )
    at.button(key="deploy_confirm").click().run()
    assert not at.exception, errors_of(at)
    assert any(f"Update of shop-campaign to {v2} started" in shown(s.value) for s in at.success)

    # The engine (lifecycle 0) finishes the update at once: the campaign now serves v2.
    served = facade().describe_campaign(seeded.up_campaign)
    assert served.solution_version_arn == seeded.up_v2
    log = at.dataframe[-1].value
    row = log[log["action"] == "update_campaign"].iloc[0]
    assert row["target ARN"] == seeded.up_campaign and row["result"] == "ok"
    assert seeded.up_v2 in row["parameters"]

    at.switch_page("dashboard/pages/overview.py").run()
    assert not at.exception, errors_of(at)
    assert not [shown(w.value) for w in at.warning if "shop-campaign" in shown(w.value)]
    assert not [p for p in at.get("page_link") if p.proto.label == "Deploy on Operations"]


def test_failed_import_is_an_error_above_the_warning_and_links_to_data(seeded: Seeded) -> None:
    data_dir = Path(os.environ["PERSONALIZE_DATA_DIR"])
    bad = data_dir / "s3" / "bucket" / "shop" / "bad-items.csv"
    bad.write_text("NOT_AN_ITEM_ID,CATEGORY\nx,y\n")
    p = build_clients(Settings.from_env()).personalize
    job = p.create_dataset_import_job(
        jobName="bad-items",
        datasetArn=seeded.items,
        dataSource={"dataLocation": "s3://bucket/shop/bad-items.csv"},
    )["datasetImportJobArn"]
    done = wait_for(
        lambda: p.describe_dataset_import_job(datasetImportJobArn=job), "datasetImportJob"
    )
    assert done["status"] == "CREATE FAILED"

    at = app_at("dashboard/pages/overview.py")
    assert not at.exception, errors_of(at)
    failed = [shown(e.value) for e in at.error if shown(e.value).startswith("Import bad-items")]
    assert failed and "failed" in failed[0]
    assert done.get("failureReason", "")[:30] in failed[0]
    # The error comes before the (older) warning about the undeployed version.
    alerts = [shown(n.value) for n in walk(at.main) if n.type in ("error", "warning", "info")]
    behind = next(i for i, a in enumerate(alerts) if a.startswith("Campaign shop-campaign"))
    assert alerts.index(failed[0]) < behind
    links = [p.proto for p in at.get("page_link") if p.proto.label == "Fix on Data"]
    assert links and links[0].page.endswith("data")
    assert parse_qs(links[0].query_string)["target"] == [job]


@pytest.fixture
def empty_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSONALIZE_BACKEND", "local")
    monkeypatch.setenv("PERSONALIZE_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("PERSONALIZE_LOCAL_LIFECYCLE_SECONDS", "0")
    monkeypatch.setenv("PERSONALIZE_LOCAL_WORKER", "thread")
    for name in ("PERSONALIZE_ENDPOINT_URL", "DASHBOARD_DB_URL", "LOCAL_ENGINE_DB_URL"):
        monkeypatch.delenv(name, raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("dashboard/pages/overview.py", "No dataset group yet: run `make demo`"),
        ("dashboard/pages/solutions.py", "Nothing trained yet"),
        ("dashboard/pages/operations.py", "No dataset group yet"),
    ],
)
def test_empty_workspace_says_what_to_do(empty_workspace: None, page: str, expected: str) -> None:
    at = app_at(page)
    assert not at.exception, errors_of(at)
    assert any(shown(i.value).startswith(expected) for i in at.info), [
        shown(i.value) for i in at.info
    ]
