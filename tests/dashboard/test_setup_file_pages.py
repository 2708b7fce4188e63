"""The setup file on the pages: drift on the Overview, the plan and its apply on Operations."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.config import Settings
from services.personalize.clients import build_clients
from services.setup_file.export import to_toml
from services.setup_file.state import read_account
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown

NEW_FILTER = (
    '\n[[filters]]\nname = "only-views"\ndataset_group = "shop"\n'
    "expression = 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"view\")'\n"
)


@pytest.fixture
def setup_path(seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seeded account exported, with one new filter and the popularity campaign at 2 TPS
    instead of 1, set as PERSONALIZE_SETUP_FILE."""
    text = to_toml(read_account(build_clients(Settings.from_env()).personalize).setup)
    block = text.index('name = "shop-pop-campaign"')
    end = text.index("min_tps = 1", block)
    text = text[:end] + "min_tps = 2" + text[end + len("min_tps = 1") :] + NEW_FILTER
    path = tmp_path / "shop.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PERSONALIZE_SETUP_FILE", str(path))
    return path


def test_overview_shows_what_differs_with_a_link_to_the_plan(setup_path: Path) -> None:
    at = app_at()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [shown(w.value) for w in at.warning]
    assert any(
        f"differs from the setup file {setup_path}: 1 missing, 0 extra, 1 different" in w
        for w in warnings
    ), warnings
    table = at.dataframe[0].value
    assert list(table["resource"]) == ["filters/only-views", "campaigns/shop-pop-campaign"]
    assert "min_tps: 1 → 2" in table["what differs"].iloc[1]


def test_operations_applies_the_plan_after_confirmation(setup_path: Path) -> None:
    at = app_at()
    at.query_params["tab"] = "setup"
    at.switch_page("dashboard/pages/operations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="setup_apply").click().run()
    assert at.button(key="setup_apply_go").disabled
    at.checkbox(key="setup_apply_confirm").check().run()
    at.button(key="setup_apply_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    p = build_clients(Settings.from_env()).personalize
    assert "only-views" in [f["name"] for f in p.list_filters()["Filters"]]
    pop = [c for c in p.list_campaigns()["campaigns"] if c["name"] == "shop-pop-campaign"][0]
    assert p.describe_campaign(campaignArn=pop["campaignArn"])["campaign"]["minProvisionedTPS"] == 2
    log = at.dataframe[-1].value
    rows = log[log["action"] == "apply setup file"].to_dict("records")
    assert len(rows) == 1 and rows[0]["result"] == "ok"


def test_operations_shows_the_recommenders_minimum_requests_in_the_cost(
    setup_path: Path,
) -> None:
    text = setup_path.read_text(encoding="utf-8")
    text += '\n[[dataset_groups]]\nname = "eshop"\ndomain = "ECOMMERCE"\n'
    text += '\n[[recommenders]]\nname = "best"\ndataset_group = "eshop"\n'
    text += 'use_case = "aws-ecomm-popular-items-by-views"\nmin_rps = 2\n'
    setup_path.write_text(text, encoding="utf-8")
    at = app_at()
    at.query_params["tab"] = "setup"
    at.switch_page("dashboard/pages/operations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [shown(c.value) for c in at.caption]
    # 2 requests a second × 3,600 × 730 hours = 5,256,000 requests a month
    assert any(
        "recommenders' minimum requests a second 0 → 2: 5,256,000 billed requests" in c
        for c in captions
    ), captions
