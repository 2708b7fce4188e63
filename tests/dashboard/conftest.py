"""A small seeded workspace for page tests, built once and copied for every test.

It holds one dataset group ("shop": interactions + items, an event tracker with recent
PutEvents) and three solutions: user personalization with two ACTIVE versions whose campaign
still serves version 1 (the "not deployed" case), popularity count, and similar items.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.db import dispose_engines
from services.i18n import use_language
from services.local.engine import reset_engines
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from tests.local.domain_shop import create_domain_shop, create_recommender, write_shop
from tests.local.workspace import create_group, train, wait_for

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
# Every page's file, as switch_page takes it (relative to APP)
PAGES = tuple(
    f"dashboard/pages/{name}.py"
    for name in ("overview", "data", "solutions", "recommendations", "operations", "experiments")
)
TIMEOUT = 30
T = TypeVar("T")


@dataclass(frozen=True)
class Seeded:
    """ARNs of the seeded workspace."""

    group: str
    interactions: str
    items: str
    up_solution: str
    up_v1: str
    up_v2: str
    up_campaign: str
    pop_version: str
    pop_campaign: str
    sims_campaign: str
    tracking_id: str


def seed_workspace(data_dir: Path) -> Seeded:
    """Build the seeded workspace in ``data_dir`` and close the engine."""
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    p = clients.personalize
    ws = create_group(clients, data_dir, with_items=True)
    up, v1 = train(clients, ws["group"], "shop-up", "aws-user-personalization")
    _, pop = train(clients, ws["group"], "shop-pop", "aws-popularity-count")
    _, sims = train(clients, ws["group"], "shop-sims", "aws-similar-items")
    campaigns = {}
    for name, version in (
        ("shop-campaign", v1),
        ("shop-pop-campaign", pop),
        ("shop-sims-campaign", sims),
    ):
        campaigns[name] = p.create_campaign(name=name, solutionVersionArn=version)["campaignArn"]
        wait_for(lambda arn=campaigns[name]: p.describe_campaign(campaignArn=arn), "campaign")
    tracker = p.create_event_tracker(name="shop-tracker", datasetGroupArn=ws["group"])
    now = int(time.time())
    for s in range(12):
        clients.events.put_events(
            trackingId=tracker["trackingId"],
            userId=f"u{s}",
            sessionId=f"s{s}",
            eventList=[
                {"eventType": "view", "itemId": f"i{(s * 7 + k) % 90}", "sentAt": now - 3600 * k}
                for k in range(5)
            ],
        )
    v2 = p.create_solution_version(solutionArn=up)["solutionVersionArn"]
    assert (
        wait_for(
            lambda: p.describe_solution_version(solutionVersionArn=v2),
            "solutionVersion",
            timeout=120,
        )["status"]
        == "ACTIVE"
    )
    seeded = Seeded(
        ws["group"],
        ws["dataset"],
        ws["items_dataset"],
        up,
        v1,
        v2,
        campaigns["shop-campaign"],
        pop,
        campaigns["shop-pop-campaign"],
        campaigns["shop-sims-campaign"],
        tracker["trackingId"],
    )
    reset_engines()
    dispose_engines()  # closes SQLite connections so the WAL is folded into the file
    return seeded


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seeded]:
    data_dir = tmp_path_factory.mktemp("seeded") / "data"
    return data_dir, seed_workspace(data_dir)


@pytest.fixture
def seeded(
    seeded_template: tuple[Path, Seeded], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Seeded]:
    """A private copy of the seeded workspace, wired to the dashboard through env vars."""
    template, arns = seeded_template
    yield from use_copy(template, tmp_path, monkeypatch, arns)


def seed_domain_shop(data_dir: Path, hand: Path) -> dict[str, Any]:
    """An ECOMMERCE Domain dataset group (tests/local/domain_shop.py) with two ACTIVE
    recommenders, built in ``data_dir`` and the engine closed: "best-sellers" (Best sellers,
    item metadata enabled) and "for-you" (Recommended for you, which explores). Returns the
    ARNs by name (group, datasets, recommenders) and "rows", the interactions as written (a
    copy written to ``hand``)."""
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    ws: dict[str, Any] = create_domain_shop(clients, data_dir)
    for name, case in (
        ("best-sellers", "aws-ecomm-popular-items-by-purchases"),
        ("for-you", "aws-ecomm-recommended-for-you"),
    ):
        # best-sellers returns item metadata (enableMetadataWithRecommendations), for-you not
        config = {"enableMetadataWithRecommendations": name == "best-sellers"}
        doc = create_recommender(clients, ws["group"], name, case, config)
        assert doc["status"] == "ACTIVE", doc.get("failureReason")
        ws[name] = doc["recommenderArn"]
    ws["rows"] = write_shop(hand)
    reset_engines()
    dispose_engines()
    return ws


@pytest.fixture(scope="session")
def domain_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("domain")
    return root / "data", seed_domain_shop(root / "data", root / "hand")


@pytest.fixture
def domain_shop(
    domain_template: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, Any]]:
    """A private copy of the Domain dataset group (``seed_domain_shop``), wired to the
    dashboard through env vars."""
    template, ws = domain_template
    yield from use_copy(template, tmp_path, monkeypatch, ws)


@pytest.fixture
def facade(seeded: Seeded) -> PersonalizeService:
    """An independent facade on the same workspace (not the dashboard's cached one)."""
    return PersonalizeService(build_clients(Settings.from_env()))


def use_copy(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: T
) -> Iterator[T]:
    """Copy a built workspace to ``tmp_path``, point the dashboard at it, yield ``value``; clear
    every cache and engine after the test (a fixture's body)."""
    data_dir = tmp_path / "data"
    shutil.copytree(template, data_dir)
    monkeypatch.setenv("PERSONALIZE_BACKEND", "local")
    monkeypatch.setenv("PERSONALIZE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PERSONALIZE_LOCAL_LIFECYCLE_SECONDS", "0")
    monkeypatch.setenv("PERSONALIZE_LOCAL_WORKER", "thread")
    monkeypatch.delenv("PERSONALIZE_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("DASHBOARD_DB_URL", raising=False)
    monkeypatch.delenv("LOCAL_ENGINE_DB_URL", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield value
    st.cache_data.clear()
    st.cache_resource.clear()
    reset_engines()
    dispose_engines()


VIEWER_PW = "viewer password 1"


def viewer_at(page: str) -> AppTest:
    """The app with one account, vera, a viewer, signed in and switched to ``page``."""
    from services.access.passwords import hash_password

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["access"] = {
        "accounts": {"vera": {"role": "viewer", "password_hash": hash_password(VIEWER_PW)}}
    }
    at.run()
    at.text_input(key="sign_in_name").input("vera")
    at.text_input(key="sign_in_password").input(VIEWER_PW)
    at.button(key="sign_in_button").click().run()
    return at.switch_page(page).run()


def app_in(page: str, language: str) -> AppTest:
    """The app in ``language``, switched to ``page``, with no exception."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["language"] = language
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def app_at(page: str | None = None) -> AppTest:
    """The app, run once, then switched to ``page`` (a path under dashboard/)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


def page_in(language: str, page: str) -> AppTest:
    """``app_in(page, language)`` with this thread speaking the language too, since AppTest
    runs a widget's format_func here when a test sets its value (the caller sets it back to
    English afterwards)."""
    at = app_in(page, language)
    use_language(language)
    return at


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Callable[[], dict[str, bytes]]:
    """What the pages' download buttons sent, by file name: the bytes a browser would save.

    AppTest keeps each run's media files in a fresh in-memory storage; the storages are
    remembered here so the files can be read after the run."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    storages: list[MemoryMediaFileStorage] = []
    init = MemoryMediaFileStorage.__init__

    def remember(self: MemoryMediaFileStorage, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        storages.append(self)

    monkeypatch.setattr(MemoryMediaFileStorage, "__init__", remember)

    def files() -> dict[str, bytes]:
        return {
            f.filename: f.content
            for storage in storages
            for f in storage._files_by_id.values()
            if f.filename
        }

    return files
