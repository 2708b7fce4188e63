"""The engine down in local HTTP mode, and the dashboard's own store read-only or locked:
pages say so, actions are refused with a message, and nothing is half-written."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services import db
from services.config import Settings
from services.db import dispose_engines
from services.local.engine import reset_engines
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.pipeline.runs.records import RunStore
from services.store.tables import Store
from tests.dashboard.conftest import APP, TIMEOUT, Seeded, app_at
from tests.dashboard.rendered import shown
from tests.dashboard.test_faults import PAGES, TITLES, operator_hash
from tests.local.server import EngineServer, free_port

OPS = "dashboard/pages/operations.py"


def local_facade() -> PersonalizeService:
    """The workspace read in-process (the dashboard's engine may be down)."""
    return PersonalizeService(build_clients(Settings.from_env()))


def start_training(at: AppTest, solution: str) -> AppTest:
    at.selectbox(key="train_solution").set_value(solution).run()
    at.checkbox(key="train_confirm").check().run()
    at.button(key="train_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


def refused_by_store(at: AppTest, action: str, reason: str) -> None:
    """The page's one message: the action was refused because the store could not record it."""
    shown = errors(at)
    assert len(shown) == 1, shown
    assert shown[0].startswith(f"{action}: The dashboard's store cannot record actions ({reason}")
    assert "nothing was done" in shown[0]


# --- the engine down in local HTTP mode ---------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_stopped_engine_every_page_says_to_start_it(
    seeded: Seeded, page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens: a stopped `make serve`
    monkeypatch.setenv("PERSONALIZE_ENDPOINT_URL", url)
    at = app_at(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == TITLES[page]
    shown = errors(at)
    assert shown
    for message in shown:
        assert message.startswith("Could not read the "), message
        assert f"Cannot reach Personalize at {url}/" in message, message
        assert "that the local engine is running (make serve)" in message, message


@pytest.fixture
def served(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> Iterator[EngineServer]:
    """`make serve` on the seeded workspace, and the dashboard pointed at it."""
    data_dir = Settings.from_env().data_dir
    reset_engines()
    dispose_engines()
    server = EngineServer(
        data_dir, PERSONALIZE_LOCAL_WORKER="thread", PERSONALIZE_LOCAL_LIFECYCLE_SECONDS="0"
    ).start()
    monkeypatch.setenv("PERSONALIZE_ENDPOINT_URL", server.url)
    yield server
    server.stop()


def test_engine_stopping_under_an_open_page_refuses_the_action(
    seeded: Seeded, served: EngineServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app_at(OPS)
    assert not errors(at), errors(at)
    served.stop()  # the page still shows what it read (cached); the click reaches nobody
    at = start_training(at, seeded.up_solution)

    refused = [m for m in errors(at) if m.startswith("Could not start training shop-up: ")]
    assert len(refused) == 1, errors(at)
    assert f"Cannot reach Personalize at {served.url}/" in refused[0]
    # The running-work panel reads live, and says it cannot.
    assert all(m.startswith("Could not read the workspace") for m in errors(at) if m not in refused)
    rows = Store(Settings.from_env().dashboard_db_url).recent_actions()
    assert [(r.action, r.result) for r in rows] == [("create_solution_version", "error")]
    monkeypatch.delenv("PERSONALIZE_ENDPOINT_URL")
    assert {v.arn for v in local_facade().list_solution_versions(seeded.up_solution)} == {
        seeded.up_v1,
        seeded.up_v2,
    }


# --- the dashboard's store unavailable ----------------------------------------------------


@pytest.fixture
def read_only_store(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = Settings.from_env().data_dir / "dashboard.db"
    RunStore(f"sqlite:///{path}")  # every table, as the app creates them on first start
    Store(f"sqlite:///{path}").record_action("ana", "update_campaign", seeded.up_campaign)
    dispose_engines()
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    return path


def test_read_only_store_refuses_actions_and_still_shows_the_audit_log(
    seeded: Seeded, read_only_store: Path
) -> None:
    at = app_at(OPS)
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at), errors(at)
    assert any("ana" in str(frame.value.to_dict()) for frame in at.dataframe)  # audit log read
    at = start_training(at, seeded.up_solution)

    refused_by_store(at, "Could not start training shop-up", "attempt to write a readonly database")
    assert len(local_facade().list_solution_versions(seeded.up_solution)) == 2  # not trained
    assert [r.action for r in Store(f"sqlite:///{read_only_store}").recent_actions()] == [
        "update_campaign"
    ]


@pytest.fixture
def locked_store(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another process holds the store's write lock; writers give up after 0.2 s, not 30 s."""
    path = Settings.from_env().data_dir / "dashboard.db"
    Store(f"sqlite:///{path}")
    RunStore(f"sqlite:///{path}")
    dispose_engines()
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield
    other.rollback()
    other.close()


def test_locked_store_refuses_a_deploy_and_the_campaign_is_unchanged(
    seeded: Seeded, locked_store: None
) -> None:
    at = app_at(OPS)
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="deploy_campaign").set_value(seeded.up_campaign).run()
    at.button(key="deploy_button").click().run()
    at.button(key="deploy_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]

    refused_by_store(at, "Could not update shop-campaign", "database is locked")
    campaign = local_facade().describe_campaign(seeded.up_campaign)
    assert campaign.solution_version_arn == seeded.up_v1
    assert campaign.pending_update is None


def test_read_only_store_a_failed_sign_in_is_refused_without_a_traceback(
    seeded: Seeded, read_only_store: Path
) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["access"] = {
        "accounts": {"otto": {"role": "operator", "password_hash": operator_hash()}}
    }
    at.run()
    at.text_input(key="sign_in_name").input("otto")
    at.text_input(key="sign_in_password").input("not the password")
    at.button(key="sign_in_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Sign in"
    assert "Wrong user name or password." in errors(at), errors(at)
    # The attempt could not be audited (the page reran after saying so); nothing was written.
    assert [r.action for r in Store(f"sqlite:///{read_only_store}").recent_actions()] == [
        "update_campaign"
    ]


def test_locked_store_refuses_refresh_now_and_no_run_starts(
    seeded: Seeded, locked_store: None
) -> None:
    at = app_at(OPS)
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="refresh_button").click().run()
    at.button(key="refresh_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    refused_by_store(at, "Could not start the refresh", "database is locked")
    assert RunStore(Settings.from_env().dashboard_db_url).history() == []
    assert len(local_facade().list_solution_versions(seeded.up_solution)) == 2
