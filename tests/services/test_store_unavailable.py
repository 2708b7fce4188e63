"""The dashboard's store read-only or locked: an audited action is refused before it runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from services import db
from services.db import dispose_engines
from services.errors import StoreUnavailable
from services.store.tables import UNRECORDED, Store

pytestmark = pytest.mark.usefixtures("fresh_engines")
CAMPAIGN = "arn:aws:personalize:us-east-1:123456789012:campaign/shop-recs"


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "dashboard.db"
    Store(f"sqlite:///{path}").record_action("ops", "earlier", None)
    dispose_engines()
    return path


@pytest.fixture
def locked(db_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sqlite3.Connection]:
    """Another process's writer holding the lock; our writers wait 0.2 s, not 30 s."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    other = sqlite3.connect(db_file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.rollback()
    other.close()


def test_read_only_store_refuses_the_action_before_it_runs(db_file: Path) -> None:
    store = Store(f"sqlite:///file:{db_file}?mode=ro&uri=true")
    ran = []
    with pytest.raises(StoreUnavailable) as caught, store.audit("ops", "update", CAMPAIGN):
        ran.append(True)
    assert ran == []
    message = str(caught.value)
    assert "attempt to write a readonly database" in message
    assert "nothing was done" in message and "DASHBOARD_DB_URL" in message
    assert str(db_file) not in message  # a URL may carry a password: never shown
    assert [a.action for a in store.recent_actions()] == ["earlier"]  # reading still works


def test_locked_store_refuses_the_action_before_it_runs(
    db_file: Path, locked: sqlite3.Connection
) -> None:
    store = Store(f"sqlite:///{db_file}")
    ran = []
    with pytest.raises(StoreUnavailable, match="database is locked"):
        with store.audit("ops", "update", CAMPAIGN):
            ran.append(True)
    assert ran == []
    assert [a.action for a in store.recent_actions()] == ["earlier"]


def test_a_store_failing_after_the_action_keeps_its_outcome(
    db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    store = Store(f"sqlite:///{db_file}")
    other = sqlite3.connect(db_file, isolation_level=None)
    try:
        with store.audit("ops", "update", CAMPAIGN) as entry:
            other.execute("BEGIN IMMEDIATE")  # the store locks up while the action runs
            entry.message = "done"
        # No exception: the action happened; its row says that its result is unknown.
        latest = store.recent_actions()[0]
        assert (latest.action, latest.result, latest.message) == ("update", "error", UNRECORDED)
    finally:
        other.rollback()
        other.close()
    with store.audit("ops", "again", CAMPAIGN) as entry:
        entry.message = "fine"
    assert (store.recent_actions()[0].result, store.recent_actions()[0].message) == ("ok", "fine")
