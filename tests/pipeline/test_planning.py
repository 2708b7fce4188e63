"""Which solutions a refresh trains when none is named: the one rule the CLI, the scheduler
and the Operations page's default share (services.pipeline.steps.planning.default_solutions)."""

from __future__ import annotations

from services.personalize.models import Solution
from services.pipeline import FAILED, DataSource, RefreshOptions
from services.pipeline.steps.planning import chosen_solutions, default_solutions
from tests.local.workspace import wait_for
from tests.pipeline.conftest import Shop

A = "arn:aws:personalize:us-east-1:123456789012:solution"
UP, POP, SIMS = (Solution(f"{A}/{n}", n, "ACTIVE") for n in ("shop-up", "shop-pop", "shop-sims"))


def test_only_solutions_that_back_a_campaign_in_the_groups_order() -> None:
    served = [SIMS.arn, UP.arn, f"{A}/other-group"]  # a campaign of another group changes nothing
    assert default_solutions([UP, POP, SIMS], served) == [UP, SIMS]


def test_no_campaign_means_nothing_by_default() -> None:
    assert default_solutions([UP, POP], []) == []


def test_named_solutions_are_found_by_name_or_arn() -> None:
    assert chosen_solutions([UP, POP, SIMS], ["shop-sims", UP.arn], "shop") == [UP, SIMS]


def test_a_group_without_a_campaign_fails_at_the_plan_without_claiming_campaigns_keep_serving(
    shop: Shop,
) -> None:
    """Trial s13b: a refresh of a group with no campaign (and no solution named) failed with
    "…with --solution. Campaigns keep serving their previous versions." There is no campaign to
    keep anything: the run's reason ends with the plan's message, and the step stores the
    refusal a page renders in its reader's language."""
    p = shop.clients.personalize
    bare = p.create_dataset_group(name="bare")["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=bare), "datasetGroup")
    group = shop.pipeline.resolve_group("bare")
    triggered = shop.pipeline.trigger(group, RefreshOptions(), actor="t", trigger="test")
    assert triggered.owner is not None
    assert shop.pipeline.execute(triggered.run_id, triggered.owner) == FAILED
    run = shop.runs.get(triggered.run_id)
    assert run is not None
    assert run.reason == (
        "Plan the refresh of bare: no campaign in bare to refresh: create one, or name the "
        "solutions to train with --solution."
    )
    plan = run.step("plan")
    assert plan is not None and plan.status == FAILED
    assert plan.detail == {"refusal": "no_campaign", "group": "bare", "campaigns_in_group": 0}


def test_a_failure_with_campaigns_still_says_they_keep_serving_after_a_stop(shop: Shop) -> None:
    """Trial s13 (finding 10): "…or a Parquet file Campaigns keep serving…" read as one
    sentence. A file that is not there: the step's message ends in ")" and gets its stop."""
    group = shop.pipeline.resolve_group("shop")
    options = RefreshOptions(data=(DataSource("s3://bucket/shop/none.csv"),))
    triggered = shop.pipeline.trigger(group, options, actor="t", trigger="test")
    assert triggered.owner is not None
    assert shop.pipeline.execute(triggered.run_id, triggered.owner) == FAILED
    run = shop.runs.get(triggered.run_id)
    assert run is not None and run.reason is not None
    assert run.reason.startswith("Check the interactions data: no file at s3://bucket/shop/none")
    assert run.reason.endswith("none.csv). Campaigns keep serving their previous versions.")
