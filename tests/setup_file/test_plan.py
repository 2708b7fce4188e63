"""Plan: an exported account plans no change; each kind of edit plans what apply would do."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.costs.pricing import prices_for
from services.personalize.clients import Clients
from services.setup_file import cli
from services.setup_file.export import to_toml
from services.setup_file.plan import FieldChange, make_plan
from services.setup_file.reading import parse
from services.setup_file.state import read_account

PRICES = prices_for("us-east-1")  # $0.20 per TPS-hour up to 20,000 TPS-hours a month


@pytest.fixture
def exported(small_shop: Clients) -> str:
    return to_toml(read_account(small_shop.personalize).setup)


def plan_of(clients: Clients, text: str, prune: bool = False):
    return make_plan(parse(text), read_account(clients.personalize), PRICES, prune=prune)


def test_plan_on_an_unchanged_account_is_empty(small_shop: Clients, exported: str) -> None:
    plan = plan_of(small_shop, exported)
    assert plan.pending == ()
    assert {c.action for c in plan.changes} == {"unchanged"}
    assert plan.cost.training_runs == 0 and plan.cost.tps_before == plan.cost.tps_after == 2


def test_each_kind_of_edit_is_planned(small_shop: Clients, exported: str) -> None:
    text = exported.replace("min_tps = 2", "min_tps = 5")
    text = text.replace('item_id_hidden_dim = "100"', 'item_id_hidden_dim = "120"')
    assert text.count("auto_training = true") == 1  # sims only; pop has it off
    text = text.replace("auto_training = true", "auto_training = false")
    text += '\n[[filters]]\nname = "cheap"\ndataset_group = "shop"\n'
    text += "expression = 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"view\")'\n"
    plan = plan_of(small_shop, text)
    pending = {c.label: c for c in plan.pending}
    assert set(pending) == {"filters/cheap", "campaigns/pop-campaign", "solutions/sims"}
    assert pending["filters/cheap"].action == "create"
    assert pending["campaigns/pop-campaign"].action == "update"
    assert pending["campaigns/pop-campaign"].fields == (FieldChange("min_tps", 2, 5),)
    sims = pending["solutions/sims"]
    # a hyperparameter has no Update* operation: the solution is replaced, and says why
    assert sims.action == "replace" and "hyperparameters cannot be updated" in sims.because
    assert {f.field for f in sims.fields} == {
        "hyperparameters",
        "auto_training",
        "auto_training_schedule",
    }
    # the filter comes after the group's datasets it reads, the campaign after its solution
    labels = [c.label for c in plan.changes]
    assert labels.index("filters/cheap") > labels.index("datasets/shop-interactions")
    assert labels.index("campaigns/pop-campaign") > labels.index("solutions/pop")
    # 3 more TPS for 730 hours at $0.20: 2,190 TPS-hours, $292.00 -> $730.00 a month
    assert plan.cost.tps_hours_per_month == 2190
    assert (plan.cost.monthly_usd_before, plan.cost.monthly_usd_after) == (
        pytest.approx(292.0),
        pytest.approx(730.0),
    )


def test_auto_training_off_alone_is_an_update(small_shop: Clients, exported: str) -> None:
    plan = plan_of(small_shop, exported.replace("auto_training = true", "auto_training = false"))
    (change,) = plan.pending
    assert (change.label, change.action) == ("solutions/sims", "update")


def test_what_the_file_lacks_is_kept_unless_pruned(small_shop: Clients, exported: str) -> None:
    start = exported.index("[[filters]]")
    end = exported.index("[[", start + 3)
    text = exported[:start] + exported[end:]
    kept = plan_of(small_shop, text)
    assert kept.pending == () and [c.label for c in kept.extra] == ["filters/no-views"]
    pruned = plan_of(small_shop, text, prune=True)
    assert [(c.label, c.action) for c in pruned.pending] == [("filters/no-views", "delete")]


def test_plan_cli_exit_codes(
    small_shop: Clients, settings, exported: str, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "shop.toml"
    path.write_text(exported, encoding="utf-8")
    base = ["--data-dir", str(settings.data_dir), "plan"]
    assert cli.main([*base, str(path)]) == 0
    assert "no changes" in capsys.readouterr().out
    path.write_text(exported.replace("min_tps = 2", "min_tps = 3"), encoding="utf-8")
    assert cli.main([*base, str(path)]) == 2
    assert "update   campaigns/pop-campaign" in capsys.readouterr().out
    path.write_text(exported.replace("min_tps = 2", "min_tps = 0"), encoding="utf-8")
    assert cli.main([*base, str(path)]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: campaigns[0].min_tps: must be greater than or equal to 1"
    )


def test_new_recommenders_count_their_minimum_requests_in_the_cost(
    small_shop: Clients, exported: str
) -> None:
    text = exported + '\n[[dataset_groups]]\nname = "eshop"\ndomain = "ECOMMERCE"\n'
    text += '\n[[recommenders]]\nname = "best"\ndataset_group = "eshop"\n'
    text += 'use_case = "aws-ecomm-popular-items-by-views"\n'
    text += '\n[[recommenders]]\nname = "picks"\ndataset_group = "eshop"\n'
    text += 'use_case = "aws-ecomm-recommended-for-you"\nmin_rps = 3\n'
    plan = plan_of(small_shop, text)
    assert {c.label for c in plan.pending} >= {"recommenders/best", "recommenders/picks"}
    # "best" gets Personalize's default of 1 request a second, "picks" 3: 4 a second, billed
    # at least 4 × 3,600 × 730 = 10,512,000 requests a month
    assert (plan.cost.rps_before, plan.cost.rps_after) == (0, 4)
    assert plan.cost.requests_per_month_after == 10_512_000
    assert any(
        "minimum requests a second 0 -> 4 (0 -> 10,512,000" in line for line in cli.plan_lines(plan)
    )


def test_a_recommender_without_min_rps_means_personalizes_default_of_one() -> None:
    """A file that leaves min_rps out asks for what CreateRecommender does without
    recommenderConfig (1 request a second), so a recommender created that way is unchanged
    (a fresh demo's plan showed `min_rps: 1 -> None`)."""
    from services.setup_file.model import RecommenderSpec

    left_out = RecommenderSpec(name="best", dataset_group="eshop", use_case="aws-ecomm-x")
    assert left_out.min_rps == 1
    assert left_out == RecommenderSpec(
        name="best", dataset_group="eshop", use_case="aws-ecomm-x", min_rps=1
    )
