"""The chosen experiment is in the URL (``?experiment=<id>``), as Recommendations keeps its view
(issue #21): a link opens it, in its own dataset group; choosing or starting another puts that
one in the URL; a value that names no experiment is a clear warning, never a traceback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.experiments.records import Arm, Experiment, ExperimentStore
from services.personalize.clients import build_clients
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown
from tests.local.workspace import wait_for

PAGE = "dashboard/pages/experiments.py"


def _start(seeded: Seeded, name: str, group: str | None = None, days: float = 1.0) -> Experiment:
    return ExperimentStore(Settings.from_env().dashboard_db_url).start(
        name,
        group or seeded.group,
        [Arm("A", 5_000, seeded.up_campaign), Arm("B", 5_000, seeded.pop_campaign)],
        actor="test",
        click_event="View",
        conversion_event="Purchase",
        started=datetime.now(UTC) - timedelta(days=days),
    )


def _opened(experiment_param: str) -> AppTest:
    at = app_at()
    at.query_params["experiment"] = experiment_param
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _link_warnings(at: AppTest) -> list[str]:
    return [shown(w.value) for w in at.warning if "The link names experiment" in shown(w.value)]


def test_a_link_opens_the_experiment_it_names_and_a_choice_goes_in_the_url(
    seeded: Seeded,
) -> None:
    older = _start(seeded, "older-ab", days=3)
    newer = _start(seeded, "newer-ab")
    assert app_at(PAGE).selectbox(key="experiment_pick").value == newer.id  # no link: newest

    at = _opened(str(older.id))
    assert at.selectbox(key="experiment_pick").value == older.id
    assert not _link_warnings(at)
    at.button(key="experiments_refresh").click().run()  # an action reruns: the choice stays
    assert at.selectbox(key="experiment_pick").value == older.id

    at.selectbox(key="experiment_pick").set_value(newer.id).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["experiment"] == str(newer.id)
    assert at.selectbox(key="experiment_pick").value == newer.id


@pytest.mark.parametrize("value", ["999999", "abc", "9" * 40, " ", "1; DROP TABLE experiments"])
def test_a_link_to_no_experiment_says_so_and_opens_the_newest(seeded: Seeded, value: str) -> None:
    _start(seeded, "older-ab", days=3)
    newest = _start(seeded, "newer-ab")
    at = _opened(value)
    (warning,) = _link_warnings(at)
    shown_value = value if len(value) <= 40 else value[:40] + "…"
    assert warning.startswith(f"The link names experiment {shown_value!r}, which does not exist")
    assert "showing the newest experiment instead" in warning
    assert at.selectbox(key="experiment_pick").value == newest.id
    assert len(ExperimentStore(Settings.from_env().dashboard_db_url).list()) == 2


def test_a_link_opens_an_experiment_of_another_group_in_its_group(seeded: Seeded) -> None:
    p = build_clients(Settings.from_env()).personalize
    other = p.create_dataset_group(name="another-shop")["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=other), "datasetGroup")
    here = _start(seeded, "shop-ab")
    there = _start(seeded, "other-ab", group=other, days=2)

    at = _opened(str(there.id))
    assert at.selectbox(key="experiments_group").value == "another-shop"
    assert at.selectbox(key="experiment_pick").value == there.id
    # the reader may then leave for the other group: its newest experiment, the link dropped
    at.selectbox(key="experiments_group").set_value("shop").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="experiment_pick").value == here.id
    assert "experiment" not in at.query_params
