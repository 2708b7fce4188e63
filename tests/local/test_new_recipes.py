"""The recipes for items nobody has clicked yet, trained on the demo shop through boto3.

The group holds the demo shop's bulk history and its whole catalogue: the 500 items of the new
collection are in the Items dataset but in no interaction, so only their metadata (CATEGORY,
NAME) can place them. Expectations are computed from the generated catalogue, not from the
engine.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from services.config import Settings
from services.local.engine import reset_engines
from services.personalize.clients import build_clients
from tests.local.demo_group import NOW, Shop, build_shop
from tests.local.workspace import import_file, train, wait_for


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    data_dir = tmp_path_factory.mktemp("new-recipes") / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    yield build_shop(build_clients(settings), data_dir)
    reset_engines()


def _campaign(shop: Shop, recipe: str, **solution: object) -> str:
    p = shop.clients.personalize
    _, version = train(shop.clients, shop.group, recipe, recipe, **solution)
    arn = p.create_campaign(name=recipe, solutionVersionArn=version)["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=arn), "campaign")
    return arn


def _category_share(shop: Shop, item: str, listed: list[str]) -> float:
    category = shop.items.set_index("ITEM_ID")["CATEGORY"]
    return sum(category[i] == category[item] for i in listed) / len(listed)


def test_similar_items_gives_a_new_item_neighbours_of_its_kind(shop: Shop) -> None:
    """aws-similar-items: an item without clicks is matched on its metadata, not answered with
    the shop's popular items (what aws-sims does for it)."""
    runtime = shop.clients.runtime
    campaign = _campaign(shop, "aws-similar-items")
    sims = _campaign(shop, "aws-sims")
    shares, sims_shares = [], []
    for item in shop.cold[:20]:
        got = runtime.get_recommendations(campaignArn=campaign, itemId=item, numResults=10)
        listed = [r["itemId"] for r in got["itemList"]]
        assert len(listed) == 10 and item not in listed
        assert not any(r.get("reason") for r in got["itemList"])  # not the popular fallback
        shares.append(_category_share(shop, item, listed))
        fallback = runtime.get_recommendations(campaignArn=sims, itemId=item, numResults=10)
        sims_shares.append(_category_share(shop, item, [r["itemId"] for r in fallback["itemList"]]))
    # 12 categories: popular items share a cold item's category about 1 time in 12
    assert sum(shares) / len(shares) >= 0.9
    assert sum(sims_shares) / len(sims_shares) < 0.3


TEXT_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Items",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "ITEM_ID", "type": "string"},
            {"name": "TITLE", "type": "string", "itemName": True},
            {"name": "DESCRIPTION", "type": "string", "textual": True},
            {"name": "CATEGORY", "type": "string", "categorical": True},
            {"name": "CREATION_TIMESTAMP", "type": "long"},
        ],
        "version": "1.0",
    }
)


@pytest.fixture(scope="module")
def texts(shop: Shop) -> tuple[str, str]:
    """A second group with only an Items dataset: the demo catalogue's names as TITLE
    (itemName) and, in Korean, as DESCRIPTION (textual). Returns (group, Items dataset)."""
    p = shop.clients.personalize
    group = p.create_dataset_group(name="texts")["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=group), "datasetGroup")
    schema = p.create_schema(name="texts-items", schema=TEXT_SCHEMA)["schemaArn"]
    dataset = p.create_dataset(
        name="texts-items", schemaArn=schema, datasetGroupArn=group, datasetType="Items"
    )["datasetArn"]
    wait_for(lambda: p.describe_dataset(datasetArn=dataset), "dataset")
    frame = shop.items.assign(
        TITLE=shop.items["NAME"], DESCRIPTION=shop.items["NAME"].map(_korean)
    )[["ITEM_ID", "TITLE", "DESCRIPTION", "CATEGORY", "CREATION_TIMESTAMP"]]
    folder = shop.data_dir / "s3" / "bucket" / "texts"
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "items.csv", index=False, encoding="utf-8")
    import_file(shop.clients, dataset, "texts-items", "s3://bucket/texts/items.csv")
    return group, dataset


def _korean(name: str) -> str:
    """'Urban Sneakers (Navy)' → '운동화 Urban Navy': the noun in Hangul, the rest as is."""
    words = {
        "Sneakers": "운동화", "Boots": "부츠", "Jacket": "재킷", "Tent": "텐트",
        "Stroller": "유모차", "Puzzle": "퍼즐", "Headphones": "헤드폰", "Laptop": "노트북",
        "Skillet": "프라이팬", "Grinder": "그라인더", "Watch": "시계", "Serum": "세럼",
    }  # fmt: skip
    for en, ko in words.items():
        name = name.replace(en, ko)
    return name


def test_semantic_similarity_trains_on_items_alone_and_matches_by_text(
    shop: Shop, texts: tuple[str, str]
) -> None:
    group, _ = texts
    p, runtime = shop.clients.personalize, shop.clients.runtime
    _, version = train(shop.clients, group, "semantic", "aws-semantic-similarity")
    doc = p.describe_solution_version(solutionVersionArn=version)["solutionVersion"]
    assert doc["recipeArn"].endswith("/aws-semantic-similarity")
    campaign = p.create_campaign(name="semantic", solutionVersionArn=version)["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=campaign), "campaign")
    shares = []
    for item in shop.cold[:20]:
        got = runtime.get_recommendations(campaignArn=campaign, itemId=item, numResults=10)
        listed = [r["itemId"] for r in got["itemList"]]
        assert len(listed) == 10 and item not in listed
        shares.append(_category_share(shop, item, listed))
    assert sum(shares) / len(shares) >= 0.9


def test_semantic_similarity_ranking_influence_and_incremental_update(
    shop: Shop, texts: tuple[str, str]
) -> None:
    """FRESHNESS 1.0 on the campaign lists newer items than no influence does; with
    performIncrementalUpdate an item sent with PutItems answers at once, without a retrain."""
    group, dataset = texts
    p, runtime = shop.clients.personalize, shop.clients.runtime
    _, version = train(
        shop.clients, group, "semantic-inc", "aws-semantic-similarity",
        performIncrementalUpdate=True,
    )  # fmt: skip
    plain = p.create_campaign(name="semantic-plain", solutionVersionArn=version)["campaignArn"]
    fresh = p.create_campaign(
        name="semantic-fresh",
        solutionVersionArn=version,
        campaignConfig={"rankingInfluence": {"FRESHNESS": 1.0}},
    )["campaignArn"]
    for arn in (plain, fresh):
        wait_for(lambda arn=arn: p.describe_campaign(campaignArn=arn), "campaign")
    created = shop.items.set_index("ITEM_ID")["CREATION_TIMESTAMP"]

    def mean_created(campaign: str, item: str) -> float:
        got = runtime.get_recommendations(campaignArn=campaign, itemId=item, numResults=10)
        return float(created[[r["itemId"] for r in got["itemList"]]].mean())

    probes = list(shop.items["ITEM_ID"][:10])
    assert sum(mean_created(fresh, i) for i in probes) > sum(mean_created(plain, i) for i in probes)

    _, version = train(shop.clients, group, "semantic-static", "aws-semantic-similarity")
    static = p.create_campaign(name="semantic-static", solutionVersionArn=version)["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=static), "campaign")
    shop.clients.events.put_items(
        datasetArn=dataset,
        items=[
            {
                "itemId": "brand-new-tent",
                "properties": json.dumps(
                    {
                        "title": "노르딕 돔 텐트 (올리브)",
                        "description": "Nordic Dome Tent 텐트 (Olive)",
                        "category": "텐트",
                        "creationTimestamp": NOW,
                    }
                ),
            }
        ],
    )
    # the engine reads changed Items at most once a second (Personalize: "about 30 minutes")
    deadline = time.monotonic() + 10
    while True:
        got = runtime.get_recommendations(campaignArn=plain, itemId="brand-new-tent", numResults=10)
        if not any(r.get("reason") for r in got["itemList"]) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    listed = [r["itemId"] for r in got["itemList"]]
    assert not any(r.get("reason") for r in got["itemList"])  # neighbours, not popular items
    category = shop.items.set_index("ITEM_ID")["CATEGORY"]
    assert sum(category[i] == "텐트" for i in listed) >= 9
    # a version trained (before the PutItems) without performIncrementalUpdate does not know it
    got = runtime.get_recommendations(campaignArn=static, itemId="brand-new-tent", numResults=10)
    assert all(r.get("reason") == ["Popular item"] for r in got["itemList"])


def test_semantic_similarity_needs_items_data(shop: Shop) -> None:
    """CreateSolutionVersion on a group without an Items dataset: InvalidInputException, and
    performIncrementalUpdate on any other recipe: InvalidInputException (nothing created)."""
    p = shop.clients.personalize
    solution = p.create_solution(
        name="semantic-no-items",
        datasetGroupArn=shop.group.replace("shop", "shop"),
        recipeArn="arn:aws:personalize:::recipe/aws-semantic-similarity",
    )["solutionArn"]
    wait_for(lambda: p.describe_solution(solutionArn=solution), "solution")
    group = p.create_dataset_group(name="no-items")["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=group), "datasetGroup")
    bare = p.create_solution(
        name="semantic-bare",
        datasetGroupArn=group,
        recipeArn="arn:aws:personalize:::recipe/aws-semantic-similarity",
    )["solutionArn"]
    wait_for(lambda: p.describe_solution(solutionArn=bare), "solution")
    with pytest.raises(p.exceptions.InvalidInputException, match="no Items dataset"):
        p.create_solution_version(solutionArn=bare)
    assert p.list_solution_versions(solutionArn=bare)["solutionVersions"] == []
    with pytest.raises(p.exceptions.InvalidInputException, match="semantic-similarity"):
        p.create_solution(
            name="sims-incremental",
            datasetGroupArn=group,
            recipeArn="arn:aws:personalize:::recipe/aws-sims",
            performIncrementalUpdate=True,
        )
    assert [s["name"] for s in p.list_solutions(datasetGroupArn=group)["solutions"]] == [
        "semantic-bare"
    ]
