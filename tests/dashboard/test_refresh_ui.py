"""Refresh now on Operations, and the last refresh (and a stale one) on the Overview."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.personalize.clients import Clients, build_clients
from services.personalize.facade import PersonalizeService
from services.pipeline import RUNNING, SUCCEEDED, RefreshOptions, RunStore
from services.pipeline.runs import run_tables
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown


def _runs() -> RunStore:
    return RunStore(Settings.from_env().dashboard_db_url)


def test_refresh_now_runs_every_step_and_deploys(seeded: Seeded) -> None:
    facade = PersonalizeService(build_clients(Settings.from_env()))
    at = app_at("dashboard/pages/operations.py")
    assert not at.exception, [e.value for e in at.exception]
    at.number_input(key="refresh_tolerance").set_value(100.0)
    at.button(key="refresh_button").click().run()
    at.button(key="refresh_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    run_id = at.session_state["refresh_run"]
    deadline = time.monotonic() + 120
    while (run := _runs().get(run_id)).status == RUNNING and time.monotonic() < deadline:
        time.sleep(0.2)
    assert run.status == SUCCEEDED, run.reason
    at.run()
    (status,) = at.status
    assert status.label == f"Refresh #{run_id} of shop: SUCCEEDED" and status.state == "complete"
    steps = at.dataframe[0].value
    assert steps["outcome"].str.endswith("SUCCEEDED").all()
    assert "Train shop-up (FULL)" in list(steps["step"])
    history = at.dataframe[1].value
    assert list(history["run"]) == [run_id] and history["outcome"][0] == SUCCEEDED
    assert history["guardrail (new vs served)"][0].startswith("✓ shop-campaign: ")
    served = facade.describe_campaign(seeded.up_campaign).solution_version_arn
    assert served not in (seeded.up_v1, seeded.up_v2)  # a new version trained and deployed
    actions = {(r.action, r.result) for r in at_store_actions()}
    assert ("refresh", "ok") in actions and ("update_campaign", "ok") in actions


def at_store_actions() -> list:
    from services.store.tables import Store

    return Store(Settings.from_env().dashboard_db_url).recent_actions(100)


def _finished_run(
    group: str, status: str, hours_ago: float, monkeypatch: pytest.MonkeyPatch
) -> int:
    then = datetime.now(UTC) - timedelta(hours=hours_ago)
    with monkeypatch.context() as patch:
        patch.setattr(run_tables, "now", lambda: then)
        runs = _runs()
        claim = runs.claim(
            group,
            "shop",
            options=RefreshOptions().to_dict(),
            trigger="cli",
            actor="cron",
            owner="o",
            lock_seconds=60,
        )
        done = runs.finish(claim.run_id, "o", status, "deployed" if status == SUCCEEDED else "boom")
    assert done
    return claim.run_id


def test_the_overview_flags_a_refresh_that_has_not_succeeded_for_too_long(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFRESH_MAX_AGE_HOURS", "26")
    _finished_run(seeded.group, SUCCEEDED, 30, monkeypatch)
    failed = _finished_run(seeded.group, "FAILED", 2, monkeypatch)
    at = app_at()
    assert not at.exception, [e.value for e in at.exception]
    stale = [shown(e.value) for e in at.error if "refresh of shop" in shown(e.value)]
    assert stale and stale[0].startswith("The refresh of shop has not succeeded for 1 d 6 h")
    assert f"the last run (#{failed}) FAILED: boom" in stale[0]
    assert any(
        f"Last refresh #{failed}" in shown(m.value) and "FAILED" in shown(m.value)
        for m in at.markdown
    )


def test_a_recent_success_is_not_flagged(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    ok = _finished_run(seeded.group, SUCCEEDED, 1, monkeypatch)
    at = app_at()
    assert not [e for e in [*at.error, *at.warning] if "refresh of" in shown(e.value).lower()]
    assert any(f"Last refresh #{ok}" in shown(m.value) for m in at.markdown)


def test_refresh_now_takes_a_mapping_like_the_cli(seeded: Seeded) -> None:
    import json
    import shutil

    from tests.pipeline.test_prepare_data import MAPPING, RAW

    raw = Settings.from_env().data_dir / "s3" / "bucket" / "raw" / "orders.csv"
    raw.parent.mkdir(parents=True)
    shutil.copyfile(RAW / "korean_headers_cp949.csv", raw)
    at = app_at("dashboard/pages/operations.py")
    items_only = json.dumps({**MAPPING, "dataset_type": "items"}).encode()
    at.text_input(key="refresh_data").input("s3://bucket/raw/orders.csv").run()
    at.file_uploader(key="refresh_mapping").set_value(("m.json", items_only, "application/json"))
    at.run()
    (error,) = [shown(e.value) for e in at.error]  # validated like the CLI's --mapping
    assert error.startswith("invalid mapping:") and "not a field of a items dataset" in error
    assert at.button(key="refresh_button").disabled
    at.file_uploader(key="refresh_mapping").set_value(
        ("m.json", json.dumps(MAPPING).encode(), "application/json")
    )
    at.toggle(key="refresh_deploy").set_value(False)
    at.run()
    assert not at.error, [shown(e.value) for e in at.error]
    limit = at.number_input(key="refresh_max_rejected")
    assert limit.value == 1.0 and not limit.disabled  # editable once a mapping is given
    at.button(key="refresh_button").click().run()
    at.button(key="refresh_confirm").click().run()
    run_id = at.session_state["refresh_run"]
    deadline = time.monotonic() + 120
    while (run := _runs().get(run_id)).status == RUNNING and time.monotonic() < deadline:
        time.sleep(0.2)
    (source,) = run.options["data"]
    assert source["location"] == "s3://bucket/raw/orders.csv" and source["mapping"] == MAPPING
    check = run.step("check:INTERACTIONS")
    assert check.status == SUCCEEDED and "1,196 written; 4 rejected" in check.reason
    assert run.step("import:INTERACTIONS").status == SUCCEEDED
    assert run.options["max_rejected_pct"] == 1.0
    # 4 of 1,200 (0.33%) is under the 1% limit: a warning in the run's box, not a refusal
    at.run()
    warnings = [shown(w.value) for w in at.warning]
    assert any(
        w.startswith("4 of 1,200 rows rejected (0.33%): 3 USER_ID is empty") for w in warnings
    )


def test_the_rejected_rows_limit_waits_for_a_mapping(seeded: Seeded) -> None:
    at = app_at("dashboard/pages/operations.py")
    assert at.number_input(key="refresh_max_rejected").disabled  # no raw export to prepare


def test_running_work_shows_a_refresh_and_its_current_step(seeded: Seeded) -> None:
    """Another process runs a refresh: Running work names it with the step it is in, and the
    caption's interval is the fragment's (2 s while something runs, none when idle)."""
    runs = _runs()
    group = PersonalizeService(build_clients(Settings.from_env())).list_dataset_groups()[0]
    claim = runs.claim(
        group.arn,
        group.name,
        options=RefreshOptions().to_dict(),
        trigger="cli",
        actor="cron",
        owner="another-process",
        lock_seconds=600,
    )
    runs.begin_step(claim.run_id, "plan", "plan", "Plan the refresh of shop", group.arn)
    plan = {"imports": [], "solutions": [{"arn": "x", "name": "shop-up"}], "campaigns": []}
    runs.end_step(claim.run_id, "plan", SUCCEEDED, "1 solution to train", plan)
    runs.begin_step(claim.run_id, "train:x", "train", "Train shop-up (FULL)", "x")
    at = app_at("dashboard/pages/operations.py")
    assert not at.exception, [e.value for e in at.exception]
    frame = next(d.value for d in at.dataframe if "what" in d.value.columns)
    row = frame.loc[frame["what"] == "Refresh"].iloc[0]
    assert row["name"] == f"#{claim.run_id} of {group.name}"
    assert row["status"] == "training shop-up (1 of 1)"
    captions = [shown(c.value) for c in at.caption]
    assert any("running, checked" in c and "updates every 2 s" in c for c in captions), captions
    # the run's own box says it is running (no tick until it ends) and points up to Running
    # work for its step, instead of a steps table that would be stale at the next step
    at.session_state["refresh_run"] = claim.run_id
    at.run()
    (status,) = at.status
    assert status.label == f"Refresh #{claim.run_id} of shop: RUNNING"
    assert status.state == "running"
    assert not [d for d in at.dataframe if "step" in d.value.columns]
    captions = [shown(c.value) for c in at.caption]
    assert "Its current step is under Running work at the top of this page." in captions
    runs.end_step(claim.run_id, "train:x", SUCCEEDED, "trained")
    runs.finish(claim.run_id, "another-process", SUCCEEDED, "deployed")
    st.cache_data.clear()  # what the 2-second TTL does between two polls
    at.run()
    captions = [shown(c.value) for c in at.caption]
    idle = "Refresh at the top of the page checks again"  # and no poll when idle
    assert any(c.startswith("Nothing running") and idle in c for c in captions), captions
    # once it ended, every step, marked in plain text (emoji need a colour font)
    steps = next(d.value for d in at.dataframe if "step" in d.value.columns)
    assert list(steps["outcome"]) == ["✓ SUCCEEDED", "✓ SUCCEEDED"]


def _held_training(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """The dashboard's clients, as built, with CreateSolutionVersion held at the boto3 boundary
    (a botocore ``before-call`` handler) until the returned ``release`` is set: a training that
    takes as long as the test needs. Returns (reached, release)."""
    from dashboard import deps
    from services.personalize.clients import build_clients as real_build

    reached, release = threading.Event(), threading.Event()

    def hold(**_: object) -> None:
        reached.set()
        release.wait(60)
        return None  # then on to the engine

    def build(settings: Settings) -> Clients:
        clients = real_build(settings)
        clients.personalize.meta.events.register_first(
            "before-call.personalize.CreateSolutionVersion", hold
        )
        return clients

    monkeypatch.setattr(deps, "build_clients", build)
    return reached, release


def _running_rows(at: AppTest) -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if "what" in d.value.columns]
    return frames[0] if frames else pd.DataFrame(columns=["what", "name", "status"])


def test_refresh_now_returns_at_once_lists_the_run_with_its_step_then_its_end(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trial s11 (issue #21): the page stayed busy for the whole run and Running work said
    "Nothing running". The confirm returns while training is still held, Running work lists
    the run with its step, polls only then, and after the run nothing polls."""
    reached, release = _held_training(monkeypatch)
    try:
        at = app_at("dashboard/pages/operations.py")
        assert at.session_state["ops_poll_seconds"] is None  # idle: the panel does not poll
        at.number_input(key="refresh_tolerance").set_value(100.0)
        at.button(key="refresh_button").click().run()
        at.button(key="refresh_confirm").click().run()
        assert not at.exception, [e.value for e in at.exception]
        run_id = at.session_state["refresh_run"]
        # The page is back while the run cannot have ended: no version can train yet.
        assert _runs().get(run_id).status == RUNNING
        (box,) = at.status
        assert box.label == f"Refresh #{run_id} of shop: RUNNING" and box.state == "running"
        row = _running_rows(at).set_index("what").loc["Refresh"]
        assert row["name"] == f"#{run_id} of shop"
        assert at.session_state["ops_poll_seconds"] == 2
        assert reached.wait(60)  # the run got to its first training
        st.cache_data.clear()  # what the 2-second TTL does before the panel's next poll
        at.run()
        row = _running_rows(at).set_index("what").loc["Refresh"]
        # three campaigns back three solutions (seeded by hand), so three trainings
        assert re.fullmatch(r"training shop-(up|pop|sims) \(1 of 3\)", row["status"]), row
        # Pressed again while it runs: the group's lock hands back the same run, none starts.
        at.button(key="refresh_button").click().run()
        at.button(key="refresh_confirm").click().run()
        assert at.session_state["refresh_run"] == run_id
        assert [r.id for r in _runs().running_runs()] == [run_id]
        audited = [r.message for r in at_store_actions() if r.action == "refresh"]
        assert f"run #{run_id} attached" in audited, audited
    finally:
        release.set()
    deadline = time.monotonic() + 120
    while (run := _runs().get(run_id)).status == RUNNING and time.monotonic() < deadline:
        time.sleep(0.2)
    assert run.status == SUCCEEDED, run.reason
    st.cache_data.clear()
    at.run()
    assert "Refresh" not in list(_running_rows(at)["what"])
    assert at.session_state["ops_poll_seconds"] is None
    (box,) = at.status
    assert box.label == f"Refresh #{run_id} of shop: SUCCEEDED" and box.state == "complete"
    assert ("refresh", "ok") in {(r.action, r.result) for r in at_store_actions()}
