"""GetRecommendations and GetPersonalizedRanking behave like Personalize's runtime."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from services.config import Settings
from services.local.engine import get_engine, reset_engines
from services.local.models.recipes import get_recipe
from services.personalize.clients import Clients, build_clients
from tests.local.workspace import START, cluster_of_item, create_group, train, wait_for

ITEMS = 90
NEW_ITEMS = [f"new{k}" for k in range(6)]
LATEST = START + 59 * 1000 + 29 * 10  # the newest bulk interaction (tests/local/workspace.py)


@dataclass
class World:
    clients: Clients
    ws: dict[str, str]
    up_version: str
    tracking_id: str
    up_campaign: str
    explore_campaign: str
    sims_campaign: str
    pop_campaign: str
    rank_campaign: str
    settings: Settings


def cluster(item_id: str) -> int:
    return cluster_of_item(int(item_id[1:]), ITEMS)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("runtime") / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    p = clients.personalize
    ws = create_group(clients, data_dir, with_items=True)
    # New items, created a day before the latest interaction and seen once each.
    latest = LATEST
    clients.events.put_items(
        datasetArn=ws["items_dataset"],
        items=[
            {
                "itemId": i,
                "properties": json.dumps(
                    {"category": "cat9", "price": 9.0, "creationTimestamp": latest - 86400}
                ),
            }
            for i in NEW_ITEMS
        ],
    )
    tracker = p.create_event_tracker(name="t", datasetGroupArn=ws["group"])
    clients.events.put_events(
        trackingId=tracker["trackingId"],
        userId="u59",
        sessionId="s",
        eventList=[
            {"eventType": "view", "itemId": i, "sentAt": latest - 100 + k}
            for k, i in enumerate(NEW_ITEMS)
        ],
    )
    _, up = train(clients, ws["group"], "up", "aws-user-personalization")
    _, sims = train(clients, ws["group"], "sims", "aws-similar-items")
    _, pop = train(clients, ws["group"], "pop", "aws-popularity-count")
    _, rank = train(clients, ws["group"], "rank", "aws-personalized-ranking")
    campaigns = {}
    for name, version, config in (
        (
            "up",
            up,
            {
                "itemExplorationConfig": {"explorationWeight": "0"},
                "enableMetadataWithRecommendations": True,
            },
        ),
        (
            "explore",
            up,
            {
                "itemExplorationConfig": {
                    "explorationWeight": "1.0",
                    "explorationItemAgeCutOff": "30",
                }
            },
        ),
        ("sims", sims, {}),
        ("pop", pop, {}),
        ("rank", rank, {}),
    ):
        arn = p.create_campaign(name=name, solutionVersionArn=version, campaignConfig=config)[
            "campaignArn"
        ]
        wait_for(lambda a=arn: p.describe_campaign(campaignArn=a), "campaign")
        campaigns[name] = arn
    yield World(
        clients,
        ws,
        up,
        tracker["trackingId"],
        campaigns["up"],
        campaigns["explore"],
        campaigns["sims"],
        campaigns["pop"],
        campaigns["rank"],
        settings,
    )
    reset_engines()


def recs(world: World, campaign: str, **kw: object) -> list[dict]:
    return world.clients.runtime.get_recommendations(campaignArn=campaign, **kw)["itemList"]


def test_known_users_get_their_cluster(world: World) -> None:
    for user in ("u0", "u1", "u2"):
        items = recs(world, world.up_campaign, userId=user, numResults=10)
        own = sum(
            cluster(i["itemId"]) == int(user[1:]) % 3 for i in items if i["itemId"].startswith("i")
        )
        assert own >= 8, (user, items)
        scores = [i["score"] for i in items]
        assert scores == sorted(scores, reverse=True)
        assert 0 < sum(scores) <= 1.0 + 1e-9


def test_unknown_users_get_popular_items(world: World) -> None:
    stranger = recs(world, world.up_campaign, userId="nobody", numResults=10)
    popular = recs(world, world.pop_campaign, userId="anyone", numResults=10)
    assert [i["itemId"] for i in stranger] == [i["itemId"] for i in popular]
    assert all(i.get("reason") == ["Popular item"] for i in stranger)
    assert all("reason" not in i for i in popular)  # the baseline's own answer


def test_events_change_recommendations_without_retraining(world: World) -> None:
    before = recs(world, world.up_campaign, userId="u3", numResults=10)  # cluster 0
    assert sum(cluster(i["itemId"]) == 0 for i in before) >= 8
    cluster2 = [f"i{n}" for n in range(ITEMS) if cluster_of_item(n, ITEMS) == 2][:20]
    for start in range(0, 40, 10):
        world.clients.events.put_events(
            trackingId=world.tracking_id,
            userId="u3",
            sessionId="s3",
            eventList=[
                {
                    "eventType": "view",
                    "itemId": cluster2[(start + k) % 20],
                    "sentAt": LATEST + 600 + start + k,
                }
                for k in range(10)
            ],
        )
    after = recs(world, world.up_campaign, userId="u3", numResults=10)
    assert sum(cluster(i["itemId"]) == 2 for i in after) >= 5, after


def test_filters_and_metadata(world: World) -> None:
    p = world.clients.personalize
    arn = p.create_filter(
        name="by-category",
        datasetGroupArn=world.ws["group"],
        filterExpression="INCLUDE ItemID WHERE Items.CATEGORY IN ($CAT)",
    )["filterArn"]
    wait_for(lambda: p.describe_filter(filterArn=arn), "filter")
    items = world.clients.runtime.get_recommendations(
        campaignArn=world.up_campaign,
        userId="u0",
        numResults=10,
        filterArn=arn,
        filterValues={"CAT": '"cat1"'},
        metadataColumns={"ITEMS": ["CATEGORY"]},
    )["itemList"]
    assert len(items) == 10
    assert {i["metadata"]["CATEGORY"] for i in items} == {"cat1"}
    assert all(cluster(i["itemId"]) == 1 for i in items)
    with pytest.raises(world.clients.runtime.exceptions.InvalidInputException):
        world.clients.runtime.get_recommendations(
            campaignArn=world.up_campaign, userId="u0", filterArn=arn
        )  # INCLUDE needs $CAT
    # metadata only from a campaign that enabled it
    with pytest.raises(
        world.clients.runtime.exceptions.InvalidInputException, match="enableMetadata"
    ):
        world.clients.runtime.get_recommendations(
            campaignArn=world.pop_campaign, userId="u0", metadataColumns={"ITEMS": ["CATEGORY"]}
        )


def test_promotion_takes_its_share_of_slots(world: World) -> None:
    p = world.clients.personalize
    arn = p.create_filter(
        name="promo-cat2",
        datasetGroupArn=world.ws["group"],
        filterExpression='INCLUDE ItemID WHERE Items.CATEGORY IN ("cat2")',
    )["filterArn"]
    items = recs(
        world,
        world.up_campaign,
        userId="u0",
        numResults=10,
        promotions=[{"name": "summer", "percentPromotedItems": 30, "filterArn": arn}],
    )
    promoted = [i for i in items if i.get("reason") == ["Promoted item"]]
    assert len(promoted) == 3  # 30 % of 10 slots
    assert all(cluster(i["itemId"]) == 2 and i["promotionName"] == "summer" for i in promoted)
    assert len({i["itemId"] for i in items}) == 10


def test_a_request_filter_leaves_the_promoted_items_alone(world: World) -> None:
    """Personalize: "The promotion filter applies only to promoted items, and the request
    filter applies only to the remaining recommended items" (developer guide, "Promoting items
    in real-time recommendations"). A request filter leaving out cat2 with a promotion of cat2
    items: 3 of 10 slots (30 %) are cat2 items, promoted, and none of the other 7 is."""
    p = world.clients.personalize
    promo, no_cat2 = (
        p.create_filter(name=name, datasetGroupArn=world.ws["group"], filterExpression=expression)[
            "filterArn"
        ]
        for name, expression in (
            ("promo-cat2-only", 'INCLUDE ItemID WHERE Items.CATEGORY IN ("cat2")'),
            ("no-cat2", 'EXCLUDE ItemID WHERE Items.CATEGORY IN ("cat2")'),
        )
    )
    items = recs(
        world,
        world.up_campaign,
        userId="u0",
        numResults=10,
        filterArn=no_cat2,
        promotions=[{"name": "cat2", "percentPromotedItems": 30, "filterArn": promo}],
    )
    promoted = [i["itemId"] for i in items if i.get("promotionName") == "cat2"]
    rest = [i["itemId"] for i in items if "promotionName" not in i]
    assert len(promoted) == 3 and all(cluster(i) == 2 for i in promoted)
    assert len(rest) == 7 and not any(cluster(i) == 2 for i in rest)


def test_exploration_surfaces_new_items(world: World) -> None:
    explored = recs(world, world.explore_campaign, userId="u0", numResults=12)
    picked = [i["itemId"] for i in explored if i.get("reason") == ["Exploration"]]
    assert len(picked) == 4  # round(12 × 1.0 / 3) slots
    assert set(picked) <= set(NEW_ITEMS)
    plain = recs(world, world.up_campaign, userId="u0", numResults=12)
    assert not any(i.get("reason") == ["Exploration"] for i in plain)


def test_similar_items(world: World) -> None:
    items = recs(world, world.sims_campaign, itemId="i5", numResults=10)
    ids = [i["itemId"] for i in items]
    assert "i5" not in ids
    assert sum(cluster(i) == cluster("i5") for i in ids if i.startswith("i")) >= 8
    unknown = recs(world, world.sims_campaign, itemId="no-such-item", numResults=5)
    assert all(i.get("reason") == ["Popular item"] for i in unknown)
    with pytest.raises(world.clients.runtime.exceptions.InvalidInputException):
        recs(world, world.sims_campaign, userId="u0")


def test_personalized_ranking(world: World) -> None:
    ranked = world.clients.runtime.get_personalized_ranking(
        campaignArn=world.rank_campaign, userId="u0", inputList=["i80", "zzz", "i1", "i45", "i1"]
    )["personalizedRanking"]
    ids = [r["itemId"] for r in ranked]
    assert ids[0] == "i1"  # u0 is cluster 0: i1 is its only cluster-0 candidate
    assert ids[-1] == "zzz" and ranked[-1]["score"] == 0.0
    assert sorted(ids) == ["i1", "i45", "i80", "zzz"]  # the duplicate i1 counts once
    assert sum(r["score"] for r in ranked) == pytest.approx(1.0)


def calls_of(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[tuple]:
    """Record the positional arguments of every call of ``owner.name`` (still called)."""
    calls: list[tuple] = []
    real = getattr(owner, name)

    def counted(*args: object, **kw: object) -> object:
        calls.append(args)
        return real(*args, **kw)

    monkeypatch.setattr(owner, name, counted)
    return calls


def in_8_threads(fn: Callable[[], object]) -> list[object]:
    """``fn()`` from eight threads at once; their answers."""
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda _: fn(), range(8)))


def test_concurrent_first_requests_load_a_model_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = get_engine(world.settings)
    with engine.reading() as res:
        version = res.get(world.up_version, "solution-version")
    engine.models.forget(world.up_version)
    loads = calls_of(monkeypatch, get_recipe(version["_recipeName"]), "load")
    got = in_8_threads(lambda: engine.models.get(version))
    assert len(loads) == 1
    assert all(g is got[0] for g in got)


def test_concurrent_first_requests_read_the_items_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.local.runtime import model_cache

    engine = get_engine(world.settings)
    with engine.reading() as res:
        loaded = engine.models.get(res.get(world.up_version, "solution-version"))
    engine.models._items.pop((world.ws["group"], "Items"), None)  # as if just started
    reads = calls_of(monkeypatch, model_cache.datasets, "records")
    masks = in_8_threads(lambda: engine.models.exploration_candidates(loaded, 30.0))
    assert [args[3] for args in reads] == ["Items"]
    assert all(m is masks[0] for m in masks)


def test_a_deleted_campaign_stops_answering_at_once(world: World) -> None:
    p = world.clients.personalize
    # its own group: the world's group is at its campaign quota
    group = create_group(world.clients, world.settings.data_dir, "doomed-shop")["group"]
    _, version = train(world.clients, group, "doomed-pop", "aws-popularity-count")
    arn = p.create_campaign(name="doomed", solutionVersionArn=version)["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=arn), "campaign")
    assert recs(world, arn, userId="u1", numResults=3)  # now kept as a settled campaign
    p.delete_campaign(campaignArn=arn)
    with pytest.raises(world.clients.runtime.exceptions.ResourceNotFoundException):
        recs(world, arn, userId="u1", numResults=3)
