"""Refresh now on Operations, and the last refresh (and a stale one) on the Overview."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import streamlit as st

from services.config import Settings
from services.personalize.clients import build_clients
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


def test_running_work_shows_a_refresh_and_its_current_step(seeded: Seeded) -> None:
    """Another process runs a refresh: Running work names it with the step it is in, and the
    caption's interval is the fragment's (2 s while something runs, 30 s when idle)."""
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
    # the run's own box says it is running (no tick until it ends), steps marked in plain text
    at.session_state["refresh_run"] = claim.run_id
    at.run()
    (status,) = at.status
    assert status.label == f"Refresh #{claim.run_id} of shop: RUNNING"
    assert status.state == "running"
    steps = next(d.value for d in at.dataframe if "outcome" in d.value.columns)
    assert list(steps["outcome"]) == ["✓ SUCCEEDED", "… RUNNING"]
    runs.finish(claim.run_id, "another-process", SUCCEEDED, "deployed")
    st.cache_data.clear()  # what the 2-second TTL does between two polls
    at = app_at("dashboard/pages/operations.py")
    captions = [shown(c.value) for c in at.caption]
    assert any(c.startswith("Nothing running") and "every 30 s" in c for c in captions), captions
