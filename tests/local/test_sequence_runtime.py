"""The v2 recipes through the engine: trained as solution versions, served by campaigns, and
fed at request time by the user's newest events (bulk rows and PutEvents)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import botocore.session
import pytest

from services.config import Settings
from services.datasets.local_engine.versions import local_version_data
from services.evaluation.version_data import TrainingEnd
from services.local.engine import get_engine, reset_engines
from services.local.jobs.tasks.training import training_summary
from services.personalize.clients import Clients, build_clients
from tests.local.workspace import START, cluster_of_item, create_group, train, wait_for

ITEMS = 90
# the v2 network at test size, within DescribeAlgorithm's ranges
TINY = {"hidden_dimension": "16", "bptt": "12", "negative_samples": "16", "epochs": "40"}


@dataclass
class World:
    clients: Clients
    settings: Settings
    up_version: str
    up_campaign: str
    rank_campaign: str
    tracking_id: str


def cluster(item_id: str) -> int:
    return cluster_of_item(int(item_id[1:]), ITEMS)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, compile_cache: Path) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("v2") / "data"
    settings = Settings(
        data_dir=data_dir,
        lifecycle_seconds=0.0,
        worker_mode="thread",
        compile_cache_dir=compile_cache,  # shared with the run's other v2 tests
    )
    clients = build_clients(settings)
    p = clients.personalize
    ws = create_group(clients, data_dir)
    config = {"solutionConfig": {"algorithmHyperParameters": TINY}}
    # two FULL fits each, with a JAX compilation: more than 120 s at load 25 on 2 shared cores
    wait = 600
    _, up = train(
        clients, ws["group"], "up2", "aws-user-personalization-v2", timeout=wait, **config
    )
    _, rank = train(
        clients, ws["group"], "rank2", "aws-personalized-ranking-v2", timeout=wait, **config
    )
    campaigns = []
    for name, version in (("up2", up), ("rank2", rank)):
        arn = p.create_campaign(name=name, solutionVersionArn=version)["campaignArn"]
        wait_for(lambda a=arn: p.describe_campaign(campaignArn=a), "campaign")
        campaigns.append(arn)
    tracker = p.create_event_tracker(name="t2", datasetGroupArn=ws["group"])
    yield World(clients, settings, up, campaigns[0], campaigns[1], tracker["trackingId"])
    reset_engines()


def test_bulk_history_is_the_input(world: World) -> None:
    for user in ("u0", "u1", "u2"):
        items = world.clients.runtime.get_recommendations(
            campaignArn=world.up_campaign, userId=user, numResults=10
        )["itemList"]
        assert sum(cluster(i["itemId"]) == int(user[1:]) % 3 for i in items) >= 8, (user, items)


def test_a_new_users_clicks_steer_their_list(world: World) -> None:
    runtime = world.clients.runtime
    before = runtime.get_recommendations(campaignArn=world.up_campaign, userId="stranger")
    assert all(i.get("reason") == ["Popular item"] for i in before["itemList"])
    clicked = [f"i{n}" for n in (61, 75, 68, 80)]  # cluster 2
    world.clients.events.put_events(
        trackingId=world.tracking_id,
        userId="stranger",
        sessionId="s",
        eventList=[
            {"eventType": "view", "itemId": item, "sentAt": START + 10**6 + k}
            for k, item in enumerate(clicked)
        ],
    )
    after = runtime.get_recommendations(
        campaignArn=world.up_campaign, userId="stranger", numResults=10
    )["itemList"]
    assert sum(cluster(i["itemId"]) == 2 for i in after) >= 8, after


def test_ranking_v2_ranks_the_input_list(world: World) -> None:
    ranked = world.clients.runtime.get_personalized_ranking(
        campaignArn=world.rank_campaign, userId="u0", inputList=["i80", "i1", "i45", "zzz"]
    )["personalizedRanking"]
    ids = [r["itemId"] for r in ranked]
    assert ids[0] == "i1"  # u0 lives in cluster 0; i1 is the only cluster-0 candidate
    assert ids[-1] == "zzz" and sorted(ids) == ["i1", "i45", "i80", "zzz"]


def test_the_version_records_how_training_ended(world: World) -> None:
    described = world.clients.personalize.describe_solution_version(
        solutionVersionArn=world.up_version
    )["solutionVersion"]
    model = botocore.session.get_session().get_service_model("personalize")
    assert set(described) <= set(model.shape_for("SolutionVersion").members)
    assert described["solutionConfig"]["algorithmHyperParameters"] == TINY
    engine = get_engine(world.settings)
    with engine.reading() as res:
        report = res.get(world.up_version, "solution-version")["_trainingReport"]
    assert report["stopped"] in ("epochs", "early_stopping")
    assert report["epochs"] == 40 and 1 <= report["best_epoch"] <= report["epochs_run"] <= 40
    summary = training_summary(report)
    assert f"after {report['epochs_run']} of 40 epochs" in summary
    # what the Solutions page reads of it, next to the version's metrics
    (data,) = local_version_data(engine, [world.up_version]).values()
    # the final fit's training seconds, and what both fits spent compiling (outside the budget)
    assert report["training_seconds"] <= report["seconds"]
    assert report["version_compile_seconds"] >= report["compile_seconds"]
    assert data.training == TrainingEnd(
        report["stopped"],
        report["epochs_run"],
        40,
        300.0,
        report["training_seconds"],
        report["version_compile_seconds"],
    )


def test_training_summary_names_the_bound_that_stopped_it() -> None:
    report = {
        "epochs": 100,
        "epochs_run": 12,
        "best_epoch": 10,
        "stopped": "time_budget",
        "max_training_seconds": 60.0,
        "validation_users": 610,
        "validation_ndcg_at_10": 0.209,
    }
    assert training_summary(report) == (
        "stopped at its time budget (max_training_seconds=60) after 12 of 100 epochs; "
        "best validation NDCG@10 0.2090 at epoch 10 (610 users)"
    )
