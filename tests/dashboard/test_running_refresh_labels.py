"""Running work names a refresh step its run's plan does not list in the reader's language,
from the step's key, kind and target, as the Refresh tab's steps table does
(``refresh_text.step_label``); a step whose fields do not say enough (an older record of a
training its plan no longer lists) keeps the label the worker stored. Expected strings written
by hand from messages.po ("Check the {dataset} data" = "{dataset} 데이터 확인", "Users" =
"사용자")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from dashboard.components.operations.refresh_text import step_label
from services.config import Settings
from services.i18n import use_language
from services.pipeline import RUNNING, SUCCEEDED, RefreshRun, RefreshStep, RunStore
from services.pipeline.runs.running_runs import refresh_work
from tests.dashboard.conftest import Seeded, page_in

WHEN = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SOLUTION = "arn:aws:personalize:us-east-1:1:solution/shop-up"
# a plan that imports interactions only and trains nothing: a users check is not in it
PLAN = {"imports": [{"dataset_type": "INTERACTIONS", "dataset_name": "shop-events"}]}


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    use_language("en")


def _run(key: str, label: str, target: str) -> RefreshRun:
    plan = RefreshStep(
        "plan", "plan", "Plan the refresh of shop", None, SUCCEEDED, WHEN, WHEN, "", PLAN
    )
    kind = key.split(":", 1)[0]
    step = RefreshStep(key, kind, label, target, RUNNING, WHEN, None, None, {})
    return RefreshRun(
        3, "arn:group", "shop", "cli", "cron", {"import_mode": "FULL"}, RUNNING, None, WHEN,
        None, WHEN, "o", 0, (plan, step),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("language", "checking", "training"),
    [
        ("ko", "사용자 데이터 확인", "Train shop-up (FULL)"),
        ("en", "Check the users data", "Train shop-up (FULL)"),
    ],
)
def test_a_step_the_plan_does_not_list_reads_in_the_readers_language(
    language: str, checking: str, training: str
) -> None:
    use_language(language)
    (work,) = refresh_work(
        [_run("check:USERS", "Check the users data", "s3://s/u.csv")], step_label
    )
    assert work.status == checking
    # the plan names no solution: the stored label is all there is to say
    (old,) = refresh_work([_run(f"train:{SOLUTION}", "Train shop-up (FULL)", SOLUTION)], step_label)
    assert old.status == training
    # without the page's renderer (the CLI's default) the stored English label
    (plain,) = refresh_work([_run("check:USERS", "Check the users data", "s3://s/u.csv")])
    assert plain.status == "Check the users data"


def test_running_work_on_operations_names_the_step_in_korean(seeded: Seeded) -> None:
    """A live run (its lock held for 10 minutes) in its users check, which its plan does not
    list, as the worker stores it; the Running work table reads it in Korean."""
    runs = RunStore(Settings.from_env().dashboard_db_url)
    claim = runs.claim(
        seeded.group, "shop", options={}, trigger="cli", actor="cron", owner="o", lock_seconds=600
    )
    runs.begin_step(claim.run_id, "plan", "plan", "Plan the refresh of shop", seeded.group)
    runs.end_step(claim.run_id, "plan", SUCCEEDED, "", PLAN)
    runs.begin_step(claim.run_id, "check:USERS", "check", "Check the users data", "s3://s/u.csv")
    at = page_in("ko", "dashboard/pages/operations.py")
    assert not at.exception, [e.value for e in at.exception]
    cells = {c for frame in at.dataframe for c in frame.value.astype(str).to_numpy().ravel()}
    assert "사용자 데이터 확인" in cells and "Check the users data" not in cells, cells
