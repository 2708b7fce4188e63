"""A refresh started in the background (what Refresh now and the command do): the caller gets
its thread back at once, every step is in the run's records while it runs, and a step that
raises, or the store's disk failing, ends the run with its cause instead of leaving it RUNNING.

Faults are injected at the two boundaries: a botocore ``before-call`` handler on the shop's
Personalize client (the Stubber's hook), and a SQLAlchemy ``before_cursor_execute`` listener on
the dashboard store's engines that raises SQLite's own "disk I/O error" for one chosen write or
read, as a failing disk does."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from services.db import make_engine
from services.pipeline import FAILED, RUNNING, SUCCEEDED, RefreshOptions, RefreshRun
from services.pipeline.runs.running_runs import refresh_work
from tests.pipeline.conftest import Shop

WAIT_S = 120  # a generous bound on a small shop's run; never reached when all is well


def _start(shop: Shop) -> tuple[int, threading.Thread]:
    group = shop.pipeline.resolve_group("shop")
    triggered = shop.pipeline.trigger(
        group, RefreshOptions(tolerance_pct=100), actor="tester", trigger="test"
    )
    assert triggered.owner is not None
    return triggered.run_id, shop.pipeline.start_background(triggered.run_id, triggered.owner)


def _ended(shop: Shop, run_id: int, thread: threading.Thread) -> RefreshRun:
    thread.join(WAIT_S)
    assert not thread.is_alive()
    run = shop.runs.get(run_id)
    assert run is not None
    return run


@contextmanager
def disk_fault(url: str, matches: Callable[[str], bool], times: int = 1) -> Iterator[list[str]]:
    """The next ``times`` statements on the store at ``url`` (writer or reader) for which
    ``matches(sql)`` is true raise sqlite3's "disk I/O error"; yields the statements failed."""
    failed: list[str] = []

    def fault(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if len(failed) < times and matches(statement):
            failed.append(statement)
            raise sqlite3.OperationalError("disk I/O error")

    engines = (make_engine(url), make_engine(url, read_only=True))
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", fault)
    try:
        yield failed
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", fault)


def test_a_background_run_returns_at_once_and_records_every_step(shop: Shop) -> None:
    run_id, thread = _start(shop)
    # The caller has its thread back while the run goes on: training alone takes longer than
    # this read (the engine trains a version in a worker, then the campaign deploys).
    assert shop.runs.get(run_id).status == RUNNING
    seen: list[str] = []
    while thread.is_alive():
        running = shop.runs.running_runs()
        for work in refresh_work(running):
            if work.status not in seen:
                seen.append(work.status)
        time.sleep(0.01)
    run = _ended(shop, run_id, thread)
    assert run.status == SUCCEEDED, run.reason
    campaign, solution = shop.campaign, shop.solution
    assert [(s.key, s.status) for s in run.steps] == [
        ("plan", SUCCEEDED),
        (f"train:{solution}", SUCCEEDED),
        (f"guardrail:{campaign}", SUCCEEDED),
        (f"deploy:{campaign}", SUCCEEDED),
        (f"verify:{campaign}", SUCCEEDED),
    ]
    # What Running work said while it ran, written out by hand for the shop's one solution
    # and one campaign: every line sampled is one of these, in the run's order, and training
    # (seconds long) was sampled; "starting" is said between any two steps.
    assert set(seen) - {"starting"}
    seen = [line for line in seen if line != "starting"]
    possible = [
        "planning the run",
        "training shop-up (1 of 1)",
        "guardrail for shop-campaign (1 of 1)",
        "deploying to shop-campaign (1 of 1)",
        "checking that shop-campaign answers (1 of 1)",
    ]
    assert "training shop-up (1 of 1)" in seen, seen
    assert seen == [line for line in possible if line in seen], seen
    assert shop.served() not in (None, shop.v1)
    assert shop.runs.running_runs() == []


def test_a_step_that_raises_ends_the_run_failed_with_its_cause(shop: Shop) -> None:
    def disk_full(**_: Any) -> None:
        raise OSError(28, "No space left on device")

    shop.clients.personalize.meta.events.register_first(
        "before-call.personalize.CreateSolutionVersion", disk_full
    )
    run_id, thread = _start(shop)
    run = _ended(shop, run_id, thread)
    assert run.status == FAILED
    assert "No space left on device" in (run.reason or "")
    train = run.step(f"train:{shop.solution}")
    assert train is not None and train.status == FAILED
    assert "No space left on device" in (train.reason or "")
    assert not [s for s in run.steps if s.kind in ("guardrail", "deploy")]
    assert shop.served() == shop.v1  # the campaign kept its version
    assert shop.runs.running_runs() == []


def test_a_moment_of_disk_fault_on_the_last_write_still_ends_the_run(shop: Shop) -> None:
    """The write recording the outcome fails once: it is written again a second later (the
    run no longer stays RUNNING until its lock expires, as it did when that write raised)."""

    def outcome(sql: str) -> bool:
        return sql.startswith("UPDATE refresh_runs SET status=")

    with disk_fault(shop.settings.dashboard_db_url, outcome) as failed:
        run_id, thread = _start(shop)
        run = _ended(shop, run_id, thread)
    assert len(failed) == 1
    assert run.status == SUCCEEDED, run.reason
    assert run.reason and run.reason.startswith("Deployed shop-campaign → ")


def test_a_fault_before_the_first_step_ends_the_run_failed_with_its_cause(shop: Shop) -> None:
    """The background thread's first read of its run fails: the run ends FAILED saying so
    (before, the thread died and the run read RUNNING until its lock expired)."""
    group = shop.pipeline.resolve_group("shop")
    triggered = shop.pipeline.trigger(group, RefreshOptions(), actor="tester", trigger="test")
    assert triggered.owner is not None

    def read_of_run(sql: str) -> bool:
        return sql.startswith("SELECT") and "FROM refresh_runs" in sql

    with disk_fault(shop.settings.dashboard_db_url, read_of_run) as failed:
        thread = shop.pipeline.start_background(triggered.run_id, triggered.owner)
        run = _ended(shop, triggered.run_id, thread)
    assert len(failed) == 1
    assert run.status == FAILED
    assert "unexpected error" in (run.reason or "") and "disk I/O error" in (run.reason or "")
    assert run.steps == ()  # no step began
    assert shop.served() == shop.v1
