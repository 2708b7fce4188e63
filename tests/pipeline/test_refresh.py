"""Refresh runs against the local engine: deploy, refuse, fail safely, resume."""

from __future__ import annotations

import pandas as pd
import pytest

from services.pipeline import FAILED, REFUSED, SKIPPED, SUCCEEDED, DataSource, RefreshOptions
from tests.pipeline.conftest import Shop


def _run(shop: Shop, **options: object) -> int:
    group = shop.pipeline.resolve_group("shop")
    triggered = shop.pipeline.trigger(
        group, RefreshOptions(**options), actor="tester", trigger="test"
    )
    assert triggered.owner is not None
    shop.pipeline.execute(triggered.run_id, triggered.owner)
    return triggered.run_id


def _ndcg(shop: Shop, arn: str) -> float:
    return shop.service.get_solution_metrics(arn)["normalized_discounted_cumulative_gain_at_10"]


def test_a_better_version_is_deployed_and_answers(noisy_shop: Shop) -> None:
    shop = noisy_shop
    run_id = _run(shop, data=(DataSource(shop.good),))
    run = shop.runs.get(run_id)
    assert run is not None and run.status == SUCCEEDED, run.reason
    new = shop.served()
    assert new != shop.v1
    assert _ndcg(shop, new) > _ndcg(shop, shop.v1)  # the premise, read from the engine
    assert [s.kind for s in run.steps] == [
        "plan",
        "check",
        "import",
        "train",
        "guardrail",
        "deploy",
        "verify",
    ]
    assert all(s.status == SUCCEEDED and s.finished for s in run.steps)
    (guard,) = run.guardrails
    assert guard["new_version"] == new and guard["served_version"] == shop.v1
    assert guard["new_value"] == _ndcg(shop, new) and guard["served_value"] == _ndcg(shop, shop.v1)
    served = _ndcg(shop, shop.v1)
    if served:
        assert guard["change_pct"] == pytest.approx((_ndcg(shop, new) - served) / served * 100)
    else:  # the noise version can score 0 on its 6 hold-out users: a change in % is undefined
        assert guard["change_pct"] is None and "0.0000 served" in guard["reason"]
    # verify asked the updated campaign about users of the imported file, each got a list
    verify = run.step(f"verify:{shop.campaign}")
    good = pd.read_csv(shop.settings.data_dir / "s3" / "bucket" / "shop" / "good.csv", dtype=str)
    answers = verify.detail["answers"]
    assert len(answers) == 5 and set(answers) <= set(good["USER_ID"])
    for user, items in answers.items():
        direct = shop.clients.runtime.get_recommendations(
            campaignArn=shop.campaign, userId=user, numResults=10
        )
        assert items == [i["itemId"] for i in direct["itemList"]] and len(items) == 10
    assert verify.reason.startswith(f"shop-campaign reports {'/'.join(new.rsplit('/', 2)[-2:])} ")
    assert "answers for 5 users of this run's data" in verify.reason
    # every action the run took is in the audit log, with who triggered it
    actions = {(a.action, a.actor) for a in shop.store.recent_actions()}
    assert ("update_campaign", f"tester (refresh #{run_id})") in actions
    assert ("create_solution_version", f"tester (refresh #{run_id})") in actions
    # and so is the outcome, once
    (ended,) = [a for a in shop.store.recent_actions() if a.action == "refresh finished"]
    assert ended.result == "ok" and ended.message.startswith(f"run #{run_id} SUCCEEDED: Deployed")


def test_a_worse_version_beyond_the_tolerance_is_not_deployed(shop: Shop) -> None:
    run_id = _run(shop, data=(DataSource(shop.noise),), tolerance_pct=5)
    run = shop.runs.get(run_id)
    assert run is not None and run.status == REFUSED
    assert shop.served() == shop.v1
    (guard,) = run.guardrails
    new_value, served_value = _ndcg(shop, guard["new_version"]), _ndcg(shop, shop.v1)
    expected = (new_value - served_value) / served_value * 100
    assert expected < -5
    assert guard["change_pct"] == expected and not guard["allowed"]
    # the reason gives the numbers
    assert f"{new_value:.4f}" in run.reason and f"{served_value:.4f}" in run.reason
    assert f"{expected:+.1f}%" in run.reason  # negative: "-12.3%"
    # each version was scored on 6 test users (10% of the 60 users, tests/local/workspace),
    # too few to tell them apart, and the reason says how to deploy anyway
    assert guard["new_data"]["testUsers"] == 6 and guard["served_data"]["testUsers"] == 6
    assert "6 vs 6 test users, fewer than 30: the difference cannot be told apart" in run.reason
    assert "Deploy on Operations (with a confirmation), or run again with --force" in run.reason
    assert run.step(f"deploy:{shop.campaign}").status == SKIPPED
    (ended,) = [a for a in shop.store.recent_actions() if a.action == "refresh finished"]
    assert ended.result == "error" and ended.message.startswith(f"run #{run_id} REFUSED: ")


def test_force_deploys_a_worse_version_and_says_so(shop: Shop) -> None:
    run_id = _run(shop, data=(DataSource(shop.noise),), tolerance_pct=5, force=True)
    run = shop.runs.get(run_id)
    assert run is not None and run.status == SUCCEEDED
    assert shop.served() != shop.v1
    (guard,) = run.guardrails
    assert guard["forced"] and guard["reason"].startswith("forced:")


def test_failed_training_leaves_the_campaign_on_its_version(shop: Shop) -> None:
    shop.import_now(shop.tiny)  # below Personalize's minimums: training fails
    run_id = _run(shop)
    run = shop.runs.get(run_id)
    assert run is not None and run.status == FAILED
    train = run.steps[-1]
    assert train.kind == "train" and train.status == FAILED
    assert "CREATE FAILED" in train.reason and "not enough data" in train.reason
    assert "keep serving their previous versions" in run.reason
    assert shop.served() == shop.v1
    assert not [s for s in run.steps if s.kind == "deploy"]


def test_the_readiness_check_stops_a_run_before_any_import(shop: Shop) -> None:
    bad = shop.settings.data_dir / "s3" / "bucket" / "shop" / "bad.csv"
    bad.write_text("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,notatime,view\n")
    jobs_before = len(shop.service.list_import_jobs(shop.dataset))
    run_id = _run(shop, data=(DataSource("s3://bucket/shop/bad.csv"),))
    run = shop.runs.get(run_id)
    assert run is not None and run.status == FAILED
    assert run.steps[-1].kind == "check" and "readiness check found" in run.steps[-1].reason
    assert len(shop.service.list_import_jobs(shop.dataset)) == jobs_before
    assert shop.served() == shop.v1


def test_no_deploy_trains_and_changes_no_campaign(shop: Shop) -> None:
    run = shop.runs.get(_run(shop, deploy=False))
    assert run is not None and run.status == SUCCEEDED
    assert run.step(f"deploy:{shop.campaign}").status == SKIPPED
    assert shop.served() == shop.v1
    assert len(shop.service.list_solution_versions(shop.solution)) == 2


def test_no_deploy_succeeds_even_when_the_guardrail_would_refuse(shop: Shop) -> None:
    """--no-deploy never deploys, so a worse version is information, not a refused run."""
    run_id = _run(shop, data=(DataSource(shop.noise),), tolerance_pct=5, deploy=False)
    run = shop.runs.get(run_id)
    assert run is not None and run.status == SUCCEEDED, run.reason
    (guard,) = run.guardrails
    assert not guard["allowed"]
    assert "--no-deploy" in run.reason and "guardrail would refuse" in run.reason
    assert shop.served() == shop.v1


def test_a_resumed_run_waits_on_the_version_it_had_started(shop: Shop) -> None:
    """A process died after CreateSolutionVersion: the resumed run adopts that version."""
    group = shop.pipeline.resolve_group("shop")
    first = shop.runs.claim(
        group.arn,
        "shop",
        options=RefreshOptions().to_dict(),
        trigger="test",
        actor="t",
        owner="dead-process",
        lock_seconds=-1,  # already expired: the owner is gone
    )
    shop.runs.begin_step(first.run_id, "plan", "plan", "Plan", group.arn)
    # The plan and train steps as the dead process left them: plan done, train running.
    shop.runs.end_step(
        first.run_id,
        "plan",
        SUCCEEDED,
        "planned",
        {
            "imports": [],
            "solutions": [
                {
                    "arn": shop.solution,
                    "name": "shop-up",
                    "mode": "FULL",
                    "recipe_arn": None,
                    "recipe_type": "USER_PERSONALIZATION",
                }
            ],
            "campaigns": [
                {
                    "arn": shop.campaign,
                    "name": "shop-campaign",
                    "solution_arn": shop.solution,
                    "recipe_type": "USER_PERSONALIZATION",
                }
            ],
        },
    )
    shop.runs.begin_step(first.run_id, f"train:{shop.solution}", "train", "Train", shop.solution)
    started = shop.service.create_solution_version(shop.solution)  # its ARN was never recorded
    again = shop.pipeline.trigger(
        group, RefreshOptions(tolerance_pct=100), actor="t", trigger="test"
    )
    assert again.run_id == first.run_id and again.resumed and again.owner
    shop.pipeline.execute(again.run_id, again.owner)
    run = shop.runs.get(first.run_id)
    assert run is not None and run.status == SUCCEEDED and run.resumes == 1
    assert run.step(f"train:{shop.solution}").detail["version_arn"] == started
    assert len(shop.service.list_solution_versions(shop.solution)) == 2  # no second training
    assert shop.served() == started
