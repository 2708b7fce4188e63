"""Recommenders of an ECOMMERCE Domain dataset group, through boto3 in-process.

Expected lists are computed by hand from the CSV the shop was built from, not by the engine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import combinations

import pytest

from services.config import Settings
from services.local.engine import get_engine, reset_engines
from services.personalize.clients import Clients, build_clients
from tests.local.domain_shop import (
    ECOMM_INTERACTIONS,
    create_domain_shop,
    create_recommender,
    write_shop,
)
from tests.local.workspace import INTERACTIONS_SCHEMA, create_group

ECOMM = "arn:aws:personalize:::recipe/aws-ecomm-"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Clients, dict, Settings]]:
    data = tmp_path_factory.mktemp("recommenders") / "data"
    settings = Settings(data_dir=data, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    ws = create_domain_shop(clients, data)
    for name, case in (
        ("for-you", "aws-ecomm-recommended-for-you"),
        ("also-viewed", "aws-ecomm-customers-who-viewed-x-also-viewed"),
        ("fbt", "aws-ecomm-frequently-bought-together"),
        ("best-sellers", "aws-ecomm-popular-items-by-purchases"),
        ("most-viewed", "aws-ecomm-popular-items-by-views"),
    ):
        config = {"enableMetadataWithRecommendations": name == "best-sellers"}
        doc = create_recommender(clients, ws["group"], name, case, config)
        assert doc["status"] == "ACTIVE", doc.get("failureReason")
        ws[name] = doc["recommenderArn"]
    ws["rows"] = write_shop(data / "hand")  # same seed → the same rows
    yield clients, ws, settings
    reset_engines()


def _ids(resp: dict) -> list[str]:
    return [i["itemId"] for i in resp["itemList"]]


def test_describe_list_and_model_metrics(shop: tuple[Clients, dict, Settings]) -> None:
    clients, ws, _ = shop
    p = clients.personalize
    doc = p.describe_recommender(recommenderArn=ws["for-you"])["recommender"]
    assert doc["recipeArn"] == ECOMM + "recommended-for-you"
    assert doc["recommenderConfig"]["minRecommendationRequestsPerSecond"] == 1
    assert 0 < doc["modelMetrics"]["normalized_discounted_cumulative_gain_at_10"] <= 1
    assert "coverage" in doc["modelMetrics"]
    listed = p.list_recommenders(datasetGroupArn=ws["group"])["recommenders"]
    assert sorted(r["name"] for r in listed) == [
        "also-viewed",
        "best-sellers",
        "fbt",
        "for-you",
        "most-viewed",
    ]
    assert all(r["status"] == "ACTIVE" for r in listed)
    recipes = p.list_recipes(domain="ECOMMERCE")["recipes"]
    assert len(recipes) == 5 and all(r["domain"] == "ECOMMERCE" for r in recipes)
    fbt = p.describe_recipe(recipeArn=ECOMM + "frequently-bought-together")["recipe"]
    assert fbt["recipeType"] == "RELATED_ITEMS"


def test_best_sellers_and_most_viewed_rank_by_distinct_users_of_the_event_type(
    shop: tuple[Clients, dict, Settings],
) -> None:
    # Popularity-Count: "the items with the most interactions data from unique users"
    clients, ws, _ = shop
    rows = ws["rows"]
    for name, event in (("best-sellers", "Purchase"), ("most-viewed", "View")):
        users = Counter(item for _, item, _ in {(u, i, e) for u, i, _, e in rows if e == event})
        events = Counter(item for _, item, _, e in rows if e == event)
        got = _ids(
            clients.runtime.get_recommendations(recommenderArn=ws[name], userId="u1", numResults=5)
        )
        assert [users[i] for i in got] == sorted(users.values(), reverse=True)[:5], name
        # the shop's shoppers repeat items, so counting events would rank differently
        assert [events[i] for i in got] != sorted(events.values(), reverse=True)[:5], name


def test_frequently_bought_together_is_co_purchase_counts(
    shop: tuple[Clients, dict, Settings],
) -> None:
    clients, ws, _ = shop
    buyers: dict[str, set[str]] = {}
    for user, item, _, event in ws["rows"]:
        if event == "Purchase":
            buyers.setdefault(item, set()).add(user)
    pair = Counter({(a, b): len(buyers[a] & buyers[b]) for a, b in combinations(sorted(buyers), 2)})
    both = {b: n for (a, b), n in pair.items() if a == "i3"} | {
        a: n for (a, b), n in pair.items() if b == "i3"
    }
    got = _ids(
        clients.runtime.get_recommendations(recommenderArn=ws["fbt"], itemId="i3", numResults=5)
    )
    assert "i3" not in got
    assert [both[i] for i in got] == sorted(both.values(), reverse=True)[:5]


def test_recommended_for_you_leaves_out_what_the_user_bought(
    shop: tuple[Clients, dict, Settings],
) -> None:
    clients, ws, _ = shop
    bought = {i for u, i, _, e in ws["rows"] if u == "u2" and e == "Purchase"}
    got = _ids(
        clients.runtime.get_recommendations(
            recommenderArn=ws["for-you"], userId="u2", numResults=25
        )
    )
    assert len(got) == 25 and not bought & set(got)
    # u2 shops category 0 (items 0–19): its personalised list leads with that category
    assert sum(int(i[1:]) < 20 for i in got[:5]) >= 4
    similar = clients.runtime.get_recommendations(
        recommenderArn=ws["also-viewed"], itemId="i5", userId="u2", numResults=10
    )
    assert not bought & set(_ids(similar))
    meta = clients.runtime.get_recommendations(
        recommenderArn=ws["best-sellers"],
        userId="u1",
        numResults=3,
        metadataColumns={"ITEMS": ["PRICE", "CATEGORY_L1"]},
    )
    with pytest.raises(clients.runtime.exceptions.InvalidInputException, match="enableMetadata"):
        clients.runtime.get_recommendations(
            recommenderArn=ws["fbt"], itemId="i1", metadataColumns={"ITEMS": ["PRICE"]}
        )
    # GetRecommendations: "The maximum number of columns you can provide is 10"
    with pytest.raises(clients.runtime.exceptions.InvalidInputException, match="at most 10"):
        clients.runtime.get_recommendations(
            recommenderArn=ws["best-sellers"],
            userId="u1",
            metadataColumns={"ITEMS": ["PRICE"] * 11},
        )
    for entry in meta["itemList"]:
        n = int(entry["itemId"][1:])
        assert entry["metadata"] == {
            "PRICE": str(1.0 + n),
            "CATEGORY_L1": "shoes" if n < 20 else "hats",
        }


def test_errors_personalize_documents(shop: tuple[Clients, dict, Settings]) -> None:
    clients, ws, settings = shop
    p, rt = clients.personalize, clients.runtime
    custom = create_group(clients, settings.data_dir, "custom")
    with pytest.raises(p.exceptions.InvalidInputException, match="Domain dataset group"):
        p.create_recommender(
            name="nope", datasetGroupArn=custom["group"], recipeArn=ECOMM + "recommended-for-you"
        )
    with pytest.raises(p.exceptions.InvalidInputException, match="not VIDEO_ON_DEMAND|ECOMMERCE"):
        p.create_recommender(
            name="vod",
            datasetGroupArn=ws["group"],
            recipeArn="arn:aws:personalize:::recipe/aws-vod-top-picks",
        )
    with pytest.raises(p.exceptions.InvalidInputException, match="not a domain use case"):
        p.create_recommender(
            name="up",
            datasetGroupArn=ws["group"],
            recipeArn="arn:aws:personalize:::recipe/aws-user-personalization",
        )
    with pytest.raises(p.exceptions.InvalidInputException, match="itemExplorationConfig"):
        p.create_recommender(
            name="explore",
            datasetGroupArn=ws["group"],
            recipeArn=ECOMM + "popular-items-by-views",
            recommenderConfig={"itemExplorationConfig": {"explorationWeight": "0.5"}},
        )
    # The group holds 5 recommenders, Personalize's quota per dataset group (developer guide,
    # "Amazon Personalize endpoints and quotas").
    with pytest.raises(p.exceptions.LimitExceededException, match="5 recommenders"):
        p.create_recommender(
            name="sixth", datasetGroupArn=ws["group"], recipeArn=ECOMM + "recommended-for-you"
        )
    # A Custom schema cannot back a dataset of a Domain group
    plain = p.create_schema(name="plain", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    domain_group = p.create_dataset_group(name="eshop2", domain="ECOMMERCE")["datasetGroupArn"]
    with pytest.raises(p.exceptions.InvalidInputException, match="domains must match"):
        p.create_dataset(
            name="x", schemaArn=plain, datasetGroupArn=domain_group, datasetType="Interactions"
        )
    # A recommender's name is taken in the whole region, not only in its group
    domain_schema = p.create_schema(
        name="eshop2-interactions", schema=ECOMM_INTERACTIONS, domain="ECOMMERCE"
    )["schemaArn"]
    p.create_dataset(
        name="eshop2-interactions",
        schemaArn=domain_schema,
        datasetGroupArn=domain_group,
        datasetType="Interactions",
    )
    with pytest.raises(p.exceptions.ResourceAlreadyExistsException, match="recommender/fbt"):
        p.create_recommender(
            name="fbt", datasetGroupArn=domain_group, recipeArn=ECOMM + "frequently-bought-together"
        )
    with pytest.raises(rt.exceptions.InvalidInputException, match="not both|either"):
        rt.get_recommendations(
            recommenderArn=ws["best-sellers"],
            campaignArn="arn:aws:personalize:us-east-1:000000000000:campaign/x",
            userId="u1",
        )
    with pytest.raises(rt.exceptions.InvalidInputException, match="itemId"):
        rt.get_recommendations(recommenderArn=ws["fbt"], userId="u1")
    with pytest.raises(rt.exceptions.ResourceNotFoundException):
        rt.get_recommendations(recommenderArn=ws["fbt"].replace("/fbt", "/missing"), itemId="i1")
    with pytest.raises(p.exceptions.ResourceInUseException):
        p.start_recommender(recommenderArn=ws["fbt"])  # already ACTIVE
    with pytest.raises(p.exceptions.ResourceInUseException, match="recommender"):
        p.delete_dataset_group(datasetGroupArn=ws["group"])


def test_stop_start_update_and_delete_lifecycle(shop: tuple[Clients, dict, Settings]) -> None:
    clients, ws, settings = shop
    p, rt = clients.personalize, clients.runtime
    engine = get_engine(settings)
    now = [engine.clock()]
    engine.clock = lambda: now[0]
    engine.lifecycle_seconds = 10.0
    try:
        arn = ws["most-viewed"]
        p.stop_recommender(recommenderArn=arn)
        seen = [p.describe_recommender(recommenderArn=arn)["recommender"]["status"]]
        for step in (6, 5):
            now[0] += step
            seen.append(p.describe_recommender(recommenderArn=arn)["recommender"]["status"])
        assert seen == ["STOP PENDING", "STOP IN_PROGRESS", "INACTIVE"]
        with pytest.raises(rt.exceptions.InvalidInputException, match="StartRecommender"):
            rt.get_recommendations(recommenderArn=arn, userId="u1")
        with pytest.raises(p.exceptions.ResourceInUseException):
            p.update_recommender(
                recommenderArn=arn, recommenderConfig={"minRecommendationRequestsPerSecond": 2}
            )
        p.start_recommender(recommenderArn=arn)
        assert (
            p.describe_recommender(recommenderArn=arn)["recommender"]["status"] == "START PENDING"
        )
        now[0] += 11
        assert p.describe_recommender(recommenderArn=arn)["recommender"]["status"] == "ACTIVE"
        assert rt.get_recommendations(recommenderArn=arn, userId="u1")["itemList"]
        p.update_recommender(
            recommenderArn=arn, recommenderConfig={"minRecommendationRequestsPerSecond": 3}
        )
        doc = p.describe_recommender(recommenderArn=arn)["recommender"]
        assert doc["latestRecommenderUpdate"]["status"] == "CREATE PENDING"
        assert doc["recommenderConfig"]["minRecommendationRequestsPerSecond"] == 1
        now[0] += 11
        doc = p.describe_recommender(recommenderArn=arn)["recommender"]
        assert doc["latestRecommenderUpdate"]["status"] == "ACTIVE"
        assert doc["recommenderConfig"]["minRecommendationRequestsPerSecond"] == 3
    finally:
        engine.lifecycle_seconds = 0.0
    p.delete_recommender(recommenderArn=ws["most-viewed"])
    with pytest.raises(p.exceptions.ResourceNotFoundException):
        p.describe_recommender(recommenderArn=ws["most-viewed"])
