"""Operations: train, stop, deploy with confirmation; every action lands in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.config import Settings
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.personalize.models import (
    Campaign,
    CampaignUpdate,
    DatasetGroup,
    Solution,
    SolutionVersion,
    short_arn,
)
from services.workspace.overview import DatasetGroupOverview, SolutionStatus, campaign_status
from services.workspace.running_work import running_work
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown
from tests.local.workspace import wait_for


def audit_rows(at: Any, action: str) -> list[dict[str, Any]]:
    """Rows of the audit log table (the page's last dataframe) for one action."""
    log = at.dataframe[-1].value
    return log[log["action"] == action].to_dict("records")


def solution_arn(facade: PersonalizeService, group: str, name: str) -> str:
    return next(s.arn for s in facade.list_solutions(group) if s.name == name)


def test_training_from_operations_creates_a_version_and_is_audited(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    before = facade.list_solution_versions(seeded.up_solution)
    at = app_at("dashboard/pages/operations.py")
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="train_solution").set_value(seeded.up_solution).run()
    assert at.radio(key=f"train_mode_{seeded.up_solution}").options == ["FULL", "UPDATE"]
    assert at.button(key="train_button").disabled
    at.checkbox(key="train_confirm").check().run()
    at.button(key="train_button").click().run()
    assert not at.exception, [e.value for e in at.exception]

    after = facade.list_solution_versions(seeded.up_solution)
    assert len(after) == len(before) + 1
    new = after[0]  # newest first
    assert new.arn not in {v.arn for v in before} and new.training_mode == "FULL"
    assert any(
        f"Training started: shop-up/{short_arn(new.arn)}" in shown(s.value) for s in at.success
    )
    rows = audit_rows(at, "create_solution_version")
    assert len(rows) == 1
    assert rows[0]["target ARN"] == seeded.up_solution and rows[0]["result"] == "ok"
    assert new.arn in rows[0]["message"]
    assert at.checkbox(key="train_confirm").value is False, "confirmation resets after acting"
    wait_for(
        lambda: {"v": {"status": facade.describe_solution_version(new.arn).status}},
        "v",
        timeout=60,
    )


def test_update_mode_is_offered_for_user_personalization_only(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    at = app_at("dashboard/pages/operations.py")
    pop = solution_arn(facade, seeded.group, "shop-pop")
    at.selectbox(key="train_solution").set_value(pop).run()
    assert at.selectbox(key="train_solution").value == pop
    radios = [r for r in at.radio if r.key and r.key.startswith("train_mode_")]
    assert [r.options for r in radios] == [["FULL"]]
    assert any("User-Personalization recipes only" in shown(c.value) for c in at.caption)


def test_backend_error_is_a_readable_message_and_an_audited_failure(
    seeded: Seeded, facade: PersonalizeService
) -> None:
    at = app_at("dashboard/pages/operations.py")
    at.selectbox(key="deploy_campaign").set_value(seeded.up_campaign).run()
    at.button(key="deploy_button").click().run()
    # Someone deletes the campaign while the confirmation dialog is open.
    build_clients(Settings.from_env()).personalize.delete_campaign(campaignArn=seeded.up_campaign)
    at.button(key="deploy_confirm").click().run()

    assert not at.exception, [e.value for e in at.exception]
    messages = [shown(e.value) for e in at.error]
    assert len(messages) == 1
    assert messages[0].startswith("Could not update shop-campaign: ")
    assert "shop-campaign" in messages[0].split(": ", 1)[1]
    assert "Traceback" not in messages[0] and "ResourceNotFoundException" not in messages[0]
    rows = audit_rows(at, "update_campaign")
    assert len(rows) == 1 and rows[0]["result"] == "error"
    assert rows[0]["message"] == messages[0].split(": ", 1)[1]


def test_overview_link_preselects_the_campaign(seeded: Seeded) -> None:
    at = app_at()
    at.query_params["target"] = seeded.pop_campaign
    at.switch_page("dashboard/pages/operations.py").run()
    assert at.selectbox(key="deploy_campaign").value == seeded.pop_campaign
    # That campaign already serves its only version: no update is offered.
    assert any("already serves" in shown(s.value) for s in at.success)


def test_a_version_link_preselects_its_solution_to_train_and_no_campaign(seeded: Seeded) -> None:
    # The popularity version's ARN lies under its solution's (…:solution/shop-pop/<id>); it is
    # no campaign's, so Deploy keeps its own default.
    at = app_at()
    at.switch_page("dashboard/pages/operations.py").run()
    default_campaign = at.selectbox(key="deploy_campaign").value
    assert at.selectbox(key="train_solution").value != seeded.pop_version.rsplit("/", 1)[0]
    at = app_at()
    at.query_params["target"] = seeded.pop_version
    at.switch_page("dashboard/pages/operations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="train_solution").value == seeded.pop_version.rsplit("/", 1)[0]
    assert at.selectbox(key="deploy_campaign").value == default_campaign


def test_a_rollback_target_is_chosen_not_new(seeded: Seeded, facade: PersonalizeService) -> None:
    p = build_clients(Settings.from_env()).personalize
    p.update_campaign(campaignArn=seeded.up_campaign, solutionVersionArn=seeded.up_v2)
    wait_for(lambda: p.describe_campaign(campaignArn=seeded.up_campaign), "campaign")
    assert facade.describe_campaign(seeded.up_campaign).solution_version_arn == seeded.up_v2
    at = app_at("dashboard/pages/operations.py")
    at.selectbox(key="deploy_campaign").set_value(seeded.up_campaign).run()
    # back to the older v1: it is the chosen version, not a "new" one
    picker = next(s for s in at.selectbox if s.key.startswith("deploy_version_"))
    picker.set_value(seeded.up_v1).run()
    assert not at.exception, [e.value for e in at.exception]
    v1, v2 = f"shop-up/{short_arn(seeded.up_v1)}", f"shop-up/{short_arn(seeded.up_v2)}"
    deltas = next(d.value for d in at.dataframe if "Δ" in d.value.columns)
    assert list(deltas.columns[1:3]) == [f"{v1} (chosen)", f"{v2} (serving)"]
    texts = " ".join(shown(m.value) for m in [*at.markdown, *at.caption])
    assert f"A rollback: {v1} was trained before {v2}" in texts
    assert "(new)" not in texts and "the new version" not in texts


@pytest.fixture
def slow_training(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """Training lasts at least 20 s, so it can be watched and stopped (set before any engine)."""
    monkeypatch.setenv("PERSONALIZE_LOCAL_MIN_TRAINING_SECONDS", "20")


def test_stop_training_from_the_progress_panel(
    slow_training: None, facade: PersonalizeService, seeded: Seeded
) -> None:
    at = app_at("dashboard/pages/operations.py")
    pop = solution_arn(facade, seeded.group, "shop-pop")
    at.selectbox(key="train_solution").set_value(pop).run()
    at.checkbox(key="train_confirm").check().run()
    at.button(key="train_button").click().run()
    new = facade.list_solution_versions(pop)[0]
    assert new.status in ("CREATE PENDING", "CREATE IN_PROGRESS"), new.status

    at.run()  # the progress fragment runs once per run
    running = at.dataframe[0].value
    assert f"shop-pop/{short_arn(new.arn)} (FULL)" in set(running["name"])
    at.button(key=f"stop_{new.arn}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    status = wait_for(
        lambda: {"v": {"status": facade.describe_solution_version(new.arn).status}},
        "v",
        timeout=30,
    )["status"]
    assert status == "CREATE STOPPED"
    rows = audit_rows(at, "stop_solution_version")
    assert rows and rows[0]["target ARN"] == new.arn and rows[0]["result"] == "ok"


def test_running_work_lists_training_updates_and_marks_stoppable() -> None:
    a = "arn:aws:personalize:us-east-1:1:"
    sol = Solution(f"{a}solution/s", "s", "ACTIVE")
    now = datetime(2024, 1, 1, tzinfo=UTC)
    old = SolutionVersion(f"{sol.arn}/00000001", "ACTIVE", created=now - timedelta(days=1))
    training = SolutionVersion(f"{sol.arn}/00000002", "CREATE IN_PROGRESS", created=now)
    update = CampaignUpdate("CREATE PENDING", solution_version_arn=old.arn)
    camp = Campaign(f"{a}campaign/c", "c", "ACTIVE", old.arn, pending_update=update)
    group = DatasetGroupOverview(
        DatasetGroup(f"{a}dataset-group/g", "g", "ACTIVE"),
        (),
        (),
        (SolutionStatus(sol, training, old, 2),),
        (campaign_status(camp, sol.arn, [training, old], now),),
    )
    work = running_work([group])
    assert [(w.kind, w.name, w.stoppable) for w in work] == [
        ("Training", "s/00000002 (FULL)", True),
        ("Campaign update", "c → s/00000001", False),
    ]


def tab_default(at: Any) -> int:
    """The index of the tab Operations opens on (its one tab container)."""

    def blocks(node: Any) -> Any:
        yield node
        for child in getattr(node, "children", {}).values():
            yield from blocks(child)

    (container,) = [
        proto
        for b in blocks(at._tree)
        if (proto := getattr(b, "proto", None)) is not None
        and hasattr(proto, "tab_container")
        and proto.HasField("tab_container")
    ]
    return int(container.tab_container.default_tab_index)


@pytest.mark.parametrize(
    ("tab", "index"),
    [("deploy", 1), ("new_campaign", 2), ("train", 3), ("new_solution", 4), ("no-such-tab", 0)],
)
def test_a_link_opens_the_tab_it_names(seeded: Seeded, tab: str, index: int) -> None:
    # An alert's "Deploy on Operations" must land on Deploy, not on the first tab (Refresh);
    # a hand-typed unknown tab opens the first one rather than failing.
    at = app_at()
    at.query_params["tab"] = tab
    at.switch_page("dashboard/pages/operations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert tab_default(at) == index


def test_deploy_warns_when_the_chosen_version_saw_other_data(seeded: Seeded) -> None:
    # v2 trained after 60 streamed events (1,860 interactions), the served v1 on 1,800: the
    # deltas compare data as much as models, as on Solutions' side by side
    at = app_at("dashboard/pages/operations.py")
    at.selectbox(key="deploy_campaign").set_value(seeded.up_campaign).run()
    assert not at.exception, [e.value for e in at.exception]
    v2 = short_arn(seeded.up_v2)
    warned = [shown(w.value) for w in at.warning if "different data" in shown(w.value)]
    assert len(warned) == 1 and "1,860 vs 1,800 interactions" in warned[0]
    assert f"{v2} (chosen)" in " ".join(
        d.value.columns[1] for d in at.dataframe if "Δ" in d.value.columns
    )
