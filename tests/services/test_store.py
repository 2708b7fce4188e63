"""The dashboard's store on a real SQLite file and on PostgreSQL (db_url): audit log, metric
snapshots, concurrent writers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.errors import Conflict
from services.store.tables import Store

pytestmark = pytest.mark.usefixtures("fresh_engines")
CAMPAIGN = "arn:aws:personalize:us-east-1:123456789012:campaign/shop-recs"
V1 = "arn:aws:personalize:us-east-1:123456789012:solution/shop/00000001"


@pytest.fixture
def store(db_url: Callable[[str], str]) -> Store:
    return Store(db_url("dashboard"))


def test_record_and_read_actions_newest_first(store: Store) -> None:
    before = datetime.now(UTC)
    store.record_action("ops", "update_campaign", CAMPAIGN, {"version": V1})
    store.record_action("ops", "create_solution_version", None, {}, "error", "quota")
    first, second = store.recent_actions()
    assert (first.action, first.result, first.message) == (
        "create_solution_version",
        "error",
        "quota",
    )
    assert (second.target, second.params, second.result) == (CAMPAIGN, {"version": V1}, "ok")
    assert second.at.tzinfo is not None and before <= second.at <= datetime.now(UTC)
    assert [a.action for a in store.recent_actions(target=CAMPAIGN)] == ["update_campaign"]
    assert len(store.recent_actions(limit=1)) == 1


def test_record_action_rejects_unknown_result(store: Store) -> None:
    with pytest.raises(ValueError, match="result"):
        store.record_action("ops", "x", None, result="maybe")


def test_audit_records_success_with_note(store: Store) -> None:
    with store.audit("ops", "update_campaign", CAMPAIGN, {"version": V1}) as entry:
        entry.message = "update started"
    (record,) = store.recent_actions()
    assert (record.result, record.message, record.params) == (
        "ok",
        "update started",
        {"version": V1},
    )


def test_audit_records_error_and_reraises(store: Store) -> None:
    with (
        pytest.raises(Conflict, match="busy"),
        store.audit("ops", "update_campaign", CAMPAIGN, {"version": V1}),
    ):
        raise Conflict("Campaign 'shop-recs' is busy")
    (record,) = store.recent_actions()
    assert (record.result, record.message) == ("error", "Campaign 'shop-recs' is busy")


def test_params_with_datetimes_are_stored_as_text(store: Store) -> None:
    when = datetime(2024, 1, 1, tzinfo=UTC)
    store.record_action("cli", "refresh", None, {"since": when})
    assert store.recent_actions()[0].params == {"since": str(when)}


def test_metric_history_oldest_first_per_version(store: Store) -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    store.save_metrics(V1, {"precision_at_10": 0.2}, taken_at=t0 + timedelta(days=1))
    store.save_metrics(V1, {"precision_at_10": 0.1}, taken_at=t0)
    store.save_metrics(f"{V1}x", {"precision_at_10": 0.9}, taken_at=t0)
    history = store.metric_history(V1)
    assert [(s.taken_at, s.metrics["precision_at_10"]) for s in history] == [
        (t0, 0.1),
        (t0 + timedelta(days=1), 0.2),
    ]
    assert len(store.metric_history()) == 3


def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="timezone-aware"):
        store.save_metrics(V1, {}, taken_at=datetime(2024, 1, 1))


def test_from_settings_uses_dashboard_db_url(tmp_path: Path) -> None:
    from services.config import Settings

    settings = Settings(data_dir=tmp_path)
    store = Store.from_settings(settings)
    store.record_action("ops", "x", None)
    assert (tmp_path / "dashboard.db").exists()


def test_eight_concurrent_writers_lose_nothing(db_url: Callable[[str], str]) -> None:
    url = db_url("busy")
    Store(url)  # create the tables once, as the app does at start-up
    failures: list[BaseException] = []

    def work(worker: int) -> None:
        store = Store(url)  # several Store objects share the cached engine
        try:
            for i in range(25):
                with store.audit(f"worker{worker}", "write", None, {"i": i}):
                    pass
                store.save_metrics(V1, {"i": float(i)})
                store.recent_actions(limit=5)
        except BaseException as err:  # reported by the assert below
            failures.append(err)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    store = Store(url)
    actions = store.recent_actions(limit=1000)
    assert len(actions) == 200 and len({a.id for a in actions}) == 200
    assert {(a.actor, a.params["i"]) for a in actions} == {
        (f"worker{w}", i) for w in range(8) for i in range(25)
    }
    assert len(store.metric_history(V1)) == 200
