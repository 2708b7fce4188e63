"""The demo's A/B experiment (services.demo.experiment): B's planted +50 % lift is found by the
verdict, whose always-valid intervals cover the true lift, and the page says so."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.config import Settings
from services.datasets.local_engine.experiment_events import experiment_event_source
from services.demo import experiment as demo_experiment
from services.experiments.assignment import assign
from services.experiments.outcomes import arm_outcomes
from services.experiments.records import ExperimentStore
from services.experiments.report import build_report
from services.experiments.verdict import BETTER, CONVERSION
from tests.dashboard.conftest import app_at
from tests.dashboard.rendered import shown
from tests.dashboard.test_demo_view import _use as use_demo
from tests.demo_seed import DemoSeed

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(
    tmp_path: Path, demo_seed: DemoSeed, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """A private copy of the run's seeded demo, wired to the dashboard."""
    settings = demo_seed.copy(tmp_path / "data")
    for _ in use_demo(settings.data_dir, monkeypatch):
        yield settings


def test_the_planted_lift_is_found_and_covered(demo_seed: DemoSeed, demo: Settings) -> None:
    assert "experiment demo-ab recorded: B's planted lift is +49.99%" in demo_seed.output
    [experiment] = ExperimentStore(demo.dashboard_db_url).list()
    assert experiment.name == demo_experiment.EXPERIMENT and experiment.status == "running"
    source = experiment_event_source(demo)
    assert source is not None
    events, prices = source(experiment.dataset_group_arn, experiment.started)
    report = build_report(experiment, arm_outcomes(experiment, events, prices, datetime.now(UTC)))
    truth = demo_experiment.true_lift()
    assert truth == pytest.approx(0.4999, abs=1e-4)
    assert report.outcomes.users > 1_000
    for c in report.comparisons:
        d = c.difference
        assert d is not None and d.relative_low is not None and d.relative_high is not None
        assert d.relative_low <= truth <= d.relative_high, (c.metric, d)
    conversion = next(c for c in report.comparisons if c.metric == CONVERSION)
    assert conversion.state == BETTER
    # Every replayed session shows one list of 10 and all its events carry it: an arm's shown
    # lists are its sessions; a list is clicked when a View in its session was on one of its
    # items, which the replay marks by the list's recommendationId
    window = events.loc[events["TIMESTAMP"] >= int(experiment.started.timestamp())]
    for arm in report.outcomes.arms:
        seen = arm.impressions
        assert seen is not None and seen.lists == arm.sessions and seen.lists > 100
        assert seen.items == 10 * seen.lists
        arms = window["USER_ID"].map(lambda u: assign(experiment.name, u, experiment.split))
        mine = window.loc[arms == arm.name]
        clicked = mine.loc[mine["RECOMMENDATION_ID"].notna() & (mine["EVENT_TYPE"] == "View")]
        assert seen.clicked_lists == len(clicked[["USER_ID", "SESSION_ID"]].drop_duplicates())
        assert seen.click_through_rate is not None and 0 < seen.click_through_rate < 1

    at = app_at("dashboard/pages/experiments.py")
    at.selectbox(key="experiments_group").set_value("demo-shop").run()
    assert not at.exception, [e.value for e in at.exception]
    [headline] = [shown(s.value) for s in at.success]
    assert headline.startswith("B beats A on "), headline
    # the demo's events carry impressions: the page shows each arm's click-through rate, as
    # the report has it
    table = at.dataframe[0].value.set_index("arm")
    for arm in report.outcomes.arms:
        rate = arm.impressions.click_through_rate if arm.impressions else None
        assert rate is not None
        assert table.loc[arm.name, "click-through rate"] == f"{100 * rate:.1f}%"
    assert not any("No impression data" in shown(i.value) for i in at.info)
