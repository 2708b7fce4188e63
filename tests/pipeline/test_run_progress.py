"""Which step a running refresh is in, placed among its plan's steps of that kind, as Running
work lists it ("training b (2 of 4)"), in English and Korean. The runs are written out by hand:
a plan of two imports, four solutions and three campaigns, then the steps as the runner
records them (keys "kind:subject")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.i18n import use_language
from services.pipeline import RUNNING, SUCCEEDED, RefreshRun, RefreshStep
from services.pipeline.runs.running_runs import refresh_work, step_progress

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
A = "arn:aws:personalize:us-east-1:1:"
PLAN = {
    "imports": [
        {"dataset_type": "INTERACTIONS", "dataset_name": "shop-events"},
        {"dataset_type": "ITEMS", "dataset_name": "shop-items"},
    ],
    "solutions": [{"arn": f"{A}solution/{n}", "name": n} for n in ("a", "b", "c", "d")],
    "campaigns": [
        {"arn": f"{A}campaign/{n}", "name": n, "solution_arn": f"{A}solution/a"}
        for n in ("ca", "cb", "cc")
    ],
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    use_language("en")
    yield
    use_language("en")


def _step(key: str, status: str = SUCCEEDED, detail: dict | None = None) -> RefreshStep:
    kind = key.split(":", 1)[0]
    return RefreshStep(key, kind, f"label of {key}", None, status, T0, None, None, detail or {})


def _run(*steps: RefreshStep, stale: bool = False) -> RefreshRun:
    return RefreshRun(
        3,
        f"{A}dataset-group/demo-shop",
        "demo-shop",
        "dashboard",
        "root",
        {},
        RUNNING,
        None,
        T0,
        None,
        T0 + timedelta(seconds=5),
        "o",
        0,
        steps,
        stale,
    )


def _planned(*after: RefreshStep) -> RefreshRun:
    return _run(_step("plan", detail=PLAN), *after)


def test_training_the_second_of_four_solutions() -> None:
    run = _planned(
        _step(f"train:{A}solution/a"),
        _step(f"train:{A}solution/b", RUNNING),
    )
    progress = step_progress(run)
    assert progress is not None and (progress.kind, progress.n, progress.count) == ("train", 2, 4)
    (work,) = refresh_work([run])
    assert (work.kind, work.name, work.status) == (
        "Refresh",
        "#3 of demo-shop",
        "training b (2 of 4)",
    )
    assert work.live and work.arn == run.dataset_group_arn


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("check:ITEMS", "checking the data of shop-items (2 of 2)"),
        ("import:INTERACTIONS", "importing into shop-events (1 of 2)"),
        (f"guardrail:{A}campaign/cc", "guardrail for cc (3 of 3)"),
        (f"deploy:{A}campaign/cb", "deploying to cb (2 of 3)"),
        (f"verify:{A}campaign/ca", "checking that ca answers (1 of 3)"),
    ],
)
def test_each_kind_of_step_names_what_it_is_about(key: str, text: str) -> None:
    (work,) = refresh_work([_planned(_step(key, RUNNING))])
    assert work.status == text


def test_planning_starting_and_stalled() -> None:
    assert refresh_work([_run(_step("plan", RUNNING))])[0].status == "planning the run"
    assert step_progress(_planned()) is None  # between two steps
    assert refresh_work([_planned()])[0].status == "starting"
    stale = _run(_step("plan", detail=PLAN), _step(f"train:{A}solution/c", RUNNING), stale=True)
    (stalled,) = refresh_work([stale])
    assert stalled.status.startswith("stalled") and not stalled.live


def test_a_finished_run_is_not_running_work() -> None:
    done = _planned(_step(f"train:{A}solution/a"))
    done = replace(done, status=SUCCEEDED)
    assert refresh_work([done]) == []


def test_a_step_the_plan_does_not_list_keeps_its_label() -> None:
    """A record from before the plan kept this item: the step's own label, no count."""
    (work,) = refresh_work([_planned(_step(f"train:{A}solution/zz", RUNNING))])
    assert work.status == f"label of train:{A}solution/zz"


def test_in_korean() -> None:
    use_language("ko")
    run = _planned(_step(f"train:{A}solution/a"), _step(f"train:{A}solution/b", RUNNING))
    (work,) = refresh_work([run])
    assert (work.name, work.status) == ("demo-shop #3", "b 학습 중 (4개 중 2번째)")
