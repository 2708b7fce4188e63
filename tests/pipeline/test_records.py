"""The per-group lock: one run at a time, takeover of a dead process's run, then failure; on
SQLite and on PostgreSQL (db_url)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from services.db import dispose_engines
from services.pipeline.runs.records import FAILED, RUNNING, SUCCEEDED, RunStore

GROUP = "arn:aws:personalize:us-east-1:000000000000:dataset-group/shop"


@pytest.fixture
def runs(db_url: Callable[[str], str]) -> RunStore:
    yield RunStore(db_url("dashboard"))
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


@pytest.mark.parametrize("expired", [False, True], ids=["free", "expired"])
def test_eight_simultaneous_claims_start_or_take_over_one_run(
    runs: RunStore, expired: bool
) -> None:
    # Eight triggers at once (each its own connection): exactly one owns the run, whether the
    # lock was free or held by a dead process; the others get that run back.
    if expired:
        dead = _claim(runs, "dead", lock_seconds=-1)
    start = threading.Barrier(8)
    claims: dict[str, object] = {}

    def trigger(owner: str) -> None:
        start.wait()
        claims[owner] = _claim(runs, owner)

    threads = [threading.Thread(target=trigger, args=(f"p{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    owners = [owner for owner, claim in claims.items() if claim.owned]
    assert len(claims) == 8 and len(owners) == 1
    run_id = claims[owners[0]].run_id
    assert {claim.run_id for claim in claims.values()} == {run_id}
    assert runs.get(run_id).status == RUNNING
    if expired:
        assert run_id == dead.run_id and claims[owners[0]].resumed
    assert len(runs.history()) == 1
