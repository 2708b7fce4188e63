"""Refresh findings for the Overview, from runs whose times are set by hand (the sentences the
Overview makes of them: tests/dashboard/test_ops_words.py, in Korean and English)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.config import sqlite_url
from services.db import dispose_engines
from services.pipeline.runs import run_tables
from services.pipeline.runs.freshness import refresh_findings, refresh_states
from services.pipeline.runs.records import FAILED, REFUSED, SUCCEEDED, RunStore

GROUP = "arn:aws:personalize:us-east-1:000000000000:dataset-group/shop"
NOW = datetime(2026, 1, 10, 12, tzinfo=UTC)
DAY = timedelta(hours=26)


@pytest.fixture
def runs(tmp_path: Path) -> RunStore:
    yield RunStore(sqlite_url(tmp_path / "d.db"))
    dispose_engines()


def _run(
    runs: RunStore, hours_ago: float, status: str | None, monkeypatch: pytest.MonkeyPatch
) -> int:
    with monkeypatch.context() as patch:
        patch.setattr(run_tables, "now", lambda: NOW - timedelta(hours=hours_ago))
        claim = runs.claim(
            GROUP, "shop", options={}, trigger="cli", actor="cron", owner="o", lock_seconds=1e9
        )
        if status:
            runs.finish(claim.run_id, "o", status, f"reason {claim.run_id}")
    return claim.run_id


def test_a_group_never_refreshed_is_not_flagged(runs: RunStore) -> None:
    assert refresh_findings(refresh_states(runs, [GROUP]).values(), NOW, DAY) == []


def test_never_succeeded_for_too_long_is_an_error(runs: RunStore, monkeypatch) -> None:
    first = _run(runs, 40, FAILED, monkeypatch)
    (found,) = refresh_findings(refresh_states(runs, [GROUP]).values(), NOW, DAY)
    assert found.severity == "error" and found.kind == "refresh_stale"
    # 40 h since the only run started, against a limit of 26 h
    assert (found.age, found.max_age, found.succeeded_before) == (timedelta(hours=40), DAY, False)
    assert found.since == NOW - timedelta(hours=40)
    assert (found.run.id, found.run.status, found.run.reason) == (first, FAILED, f"reason {first}")
    assert found.ended_badly and found.group_arn == GROUP


def test_a_recent_refusal_is_a_warning_and_a_live_run_is_not_stale(runs, monkeypatch) -> None:
    _run(runs, 30, SUCCEEDED, monkeypatch)
    refused = _run(runs, 3, REFUSED, monkeypatch)
    (found,) = refresh_findings(refresh_states(runs, [GROUP]).values(), NOW, DAY)
    assert found.severity == "error"  # 30 h since the last success beats the refusal
    assert (found.kind, found.run.id, found.run.status) == ("refresh_stale", refused, REFUSED)
    assert found.age == timedelta(hours=30) and found.succeeded_before
    _run(runs, 0.1, SUCCEEDED, monkeypatch)
    _run(runs, 0, None, monkeypatch)  # a run in progress, lock alive
    assert refresh_findings(refresh_states(runs, [GROUP]).values(), NOW, DAY) == []


def test_a_refusal_within_the_limit_is_a_warning_dated_when_it_ended(runs, monkeypatch) -> None:
    _run(runs, 20, SUCCEEDED, monkeypatch)
    failed = _run(runs, 2, FAILED, monkeypatch)
    (found,) = refresh_findings(refresh_states(runs, [GROUP]).values(), NOW, DAY)
    assert (found.kind, found.severity, found.run.id) == ("refresh_failed", "warning", failed)
    assert found.since == NOW - timedelta(hours=2)  # the run's end (set with its start here)
