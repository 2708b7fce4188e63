"""The per-group lock: one run at a time, takeover of a dead process's run, then failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.config import sqlite_url
from services.db import dispose_engines
from services.pipeline.records import FAILED, RUNNING, SUCCEEDED, RunStore

GROUP = "arn:aws:personalize:us-east-1:000000000000:dataset-group/shop"


@pytest.fixture
def runs(tmp_path: Path) -> RunStore:
    yield RunStore(sqlite_url(tmp_path / "dashboard.db"))
    dispose_engines()


def _claim(runs: RunStore, owner: str, lock_seconds: float = 60):
    return runs.claim(
        GROUP,
        "shop",
        options={},
        trigger="test",
        actor="t",
        owner=owner,
        lock_seconds=lock_seconds,
    )


def test_a_second_claim_gets_the_live_run_back(runs: RunStore) -> None:
    first = _claim(runs, "a")
    second = _claim(runs, "b")
    assert first.owned and not second.owned and second.run_id == first.run_id
    assert len(runs.history()) == 1


def test_a_finished_run_releases_the_lock(runs: RunStore) -> None:
    first = _claim(runs, "a")
    assert not runs.finish(first.run_id, "b", SUCCEEDED, "not mine")
    assert runs.finish(first.run_id, "a", SUCCEEDED, "done")
    second = _claim(runs, "b")
    assert second.owned and second.run_id != first.run_id


def test_an_expired_lock_is_resumed_once_then_failed(runs: RunStore) -> None:
    first = _claim(runs, "dead", lock_seconds=-1)
    runs.begin_step(first.run_id, "train:x", "train", "Train x", "x")
    assert runs.get(first.run_id).stale
    resumed = _claim(runs, "second", lock_seconds=-1)
    assert resumed.run_id == first.run_id and resumed.owned and resumed.resumed
    assert not runs.heartbeat(first.run_id, "dead", 60)  # the old owner lost it
    third = _claim(runs, "third")
    assert third.owned and not third.resumed and third.run_id != first.run_id
    assert third.failed_orphan == first.run_id
    failed = runs.get(first.run_id)
    assert failed.status == FAILED and "stopped" in failed.reason and failed.finished
    assert failed.step("train:x").status == FAILED  # no step stays RUNNING
    assert runs.get(third.run_id).status == RUNNING


def test_the_heartbeat_keeps_the_lock(runs: RunStore) -> None:
    first = _claim(runs, "a", lock_seconds=-1)
    assert runs.heartbeat(first.run_id, "a", 60)
    assert not runs.get(first.run_id).stale
    assert not _claim(runs, "b").owned
