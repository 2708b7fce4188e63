"""An experiment in a real browser: started from the form, fed live traffic with a planted
lift through the engine's runtime and events APIs, read after a Refresh, and its winner
promoted through the confirmation dialog, which updates the other arm's campaign."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from services.config import Settings
from services.experiments.records import ExperimentStore
from services.personalize.clients import build_clients
from tests.e2e.conftest import RunningApp
from tests.e2e.test_browser import (  # page, shots: the fixtures (a checked tab, a folder)
    TIMEOUT_MS,
    _idle,
    _no_exception,
    _open,
    page,  # noqa: F401
    shots,  # noqa: F401
)
from tests.experiments.traffic import send_traffic
from tests.local.workspace import wait_for

pytestmark = pytest.mark.e2e


def _update(personalize: Any, campaign: str) -> dict[str, Any]:
    """The campaign's last update, once it has finished (its status is terminal)."""

    def describe() -> dict[str, Any]:
        doc = personalize.describe_campaign(campaignArn=campaign)["campaign"]
        return {"update": doc.get("latestCampaignUpdate") or {"status": doc["status"]}}

    return wait_for(describe, "update")


def test_start_watch_and_promote_an_experiment(
    app: RunningApp,
    page: Any,  # noqa: F811
    shots: Path,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    seeded = app.seeded
    settings = Settings(data_dir=app.data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    personalize = clients.personalize
    served = personalize.describe_campaign(campaignArn=seeded.up_campaign)["campaign"][
        "solutionVersionArn"
    ]
    main = page.locator('[data-testid="stMain"]')
    _open(page, "Experiments")
    expect(main).to_contain_text("No experiment yet", timeout=TIMEOUT_MS)
    page.get_by_role("textbox", name="Experiment name").fill("e2e-ab")
    # the form's defaults: A = shop-campaign (control), B = shop-pop-campaign, half each
    page.get_by_role("button", name="Start the experiment").click()
    expect(main).to_contain_text("Experiment e2e-ab started.", timeout=TIMEOUT_MS)
    expect(main).to_contain_text("Not enough data yet", timeout=TIMEOUT_MS)
    _no_exception(page, "Experiments, started")

    [experiment] = ExperimentStore(settings.dashboard_db_url).list()
    assert [a.target for a in experiment.arms] == [seeded.up_campaign, seeded.pop_campaign]
    users = [f"browser-{n}" for n in range(300)]
    items = [f"i{i}" for i in range(90)]
    send_traffic(
        clients, seeded.tracking_id, experiment, users, items,
        base_rate=0.1, lift=3.0, at=int(time.time()),
    )  # fmt: skip
    page.get_by_role("button", name="Refresh").first.click()
    _idle(page)
    expect(main).to_contain_text("B beats A on revenue per user by +", timeout=TIMEOUT_MS)
    _no_exception(page, "Experiments, reported")
    page.screenshot(path=str(shots / "experiments-report.png"), full_page=True)

    try:
        page.get_by_role("button", name="Promote B").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("UpdateCampaign", timeout=TIMEOUT_MS)
        dialog.get_by_role("button", name="Promote", exact=True).click()
        expect(main).to_contain_text("B promoted: 1 campaign updated", timeout=TIMEOUT_MS)
        _idle(page)
        _no_exception(page, "Experiments, promoted")
        update = _update(personalize, seeded.up_campaign)
        assert update == {**update, "status": "ACTIVE", "solutionVersionArn": seeded.pop_version}
        assert ExperimentStore(settings.dashboard_db_url).get(experiment.id).winner == "B"
    finally:
        # the other browser tests share this workspace: shop-campaign serves what it served
        _update(personalize, seeded.up_campaign)
        personalize.update_campaign(campaignArn=seeded.up_campaign, solutionVersionArn=served)
        _update(personalize, seeded.up_campaign)
