"""Experiments in the dashboard's store, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.experiments.records import (
    PROMOTED,
    RUNNING,
    STOPPED,
    Arm,
    Experiment,
    ExperimentRefused,
    ExperimentStore,
)

ARMS = [Arm("A", 5_000, "arn:aws:personalize:r:1:campaign/a"), Arm("B", 5_000, "arn:c/b")]


def _start(
    store: ExperimentStore, name: str = "summer", arms: list[Arm] = ARMS, **kw: Any
) -> Experiment:
    return store.start(
        name, "arn:group", arms, actor="kim", click_event="View", conversion_event="Purchase", **kw
    )


def test_start_list_stop_and_promote(db_url: Callable[[str], str]) -> None:
    store = ExperimentStore(db_url("store"))
    started = datetime(2026, 12, 1, 9, tzinfo=UTC)
    first = _start(store, started=started, min_lift=0.05, planned_users=2_000)
    assert first.status == RUNNING and first.started == started
    assert first.arms == tuple(ARMS) and first.split == [("A", 5_000), ("B", 5_000)]
    assert (first.min_lift, first.planned_users, first.created_by) == (0.05, 2_000, "kim")
    second = _start(store, "winter")
    assert [e.name for e in store.list()] == ["winter", "summer"]
    assert store.list("arn:other") == []

    stopped = store.stop(first.id)
    assert stopped.status == STOPPED and stopped.winner is None and stopped.stopped is not None
    with pytest.raises(ExperimentRefused, match="is stopped, not running"):
        store.stop(first.id, winner="A")
    with pytest.raises(ExperimentRefused, match="has no arm C"):
        store.stop(second.id, winner="C")
    promoted = store.stop(second.id, winner="B")
    assert promoted.status == PROMOTED and promoted.winner == "B"
    assert store.get(second.id) == promoted


def test_a_name_is_never_reused(tmp_path: Path) -> None:
    store = ExperimentStore(f"sqlite:///{tmp_path / 'x.db'}")
    _start(store)
    with pytest.raises(ExperimentRefused, match="names are never reused"):
        _start(store)
    assert len(store.list()) == 1


@pytest.mark.parametrize(
    ("name", "arms", "message"),
    [
        ("has space", ARMS, "is not allowed"),
        ("실험", ARMS, "is not allowed"),  # the name is ASCII so every backend hashes it alike
        ("ok", [ARMS[0]], "at least two arms"),
        ("ok", [ARMS[0], Arm("B", 4_000, "arn:c/b")], "add up to 9,000"),
        ("ok", [ARMS[0], Arm("B", 5_000, ARMS[0].target)], "its own campaign"),
        ("ok", [ARMS[0], Arm("B", 5_000, "")], "needs a campaign"),
        ("ok", [ARMS[0], Arm("B b", 5_000, "arn:c/b")], "Arm name 'B b'"),
    ],
)
def test_invalid_experiments_are_refused_and_nothing_is_stored(
    tmp_path: Path, name: str, arms: list[Arm], message: str
) -> None:
    store = ExperimentStore(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ExperimentRefused, match=message):
        _start(store, name, arms)
    assert store.list() == []


def test_other_fields_are_checked(tmp_path: Path) -> None:
    store = ExperimentStore(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ExperimentRefused, match="minimum lift"):
        _start(store, min_lift=0.0)
    with pytest.raises(ExperimentRefused, match="planned number"):
        _start(store, planned_users=0)
    with pytest.raises(ExperimentRefused, match="event types"):
        store.start("x", "g", ARMS, actor="a", click_event=" ", conversion_event="Purchase")
    with pytest.raises(ExperimentRefused, match="no experiment 99"):
        store.get(99)
