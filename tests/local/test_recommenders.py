"""Recommenders of an ECOMMERCE Domain dataset group, through boto3 in-process.

Expected lists are computed by hand from the CSV the shop was built from, not by the engine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from itertools import combinations

import pytest
from botocore.exceptions import ClientError

from services.config import Settings
from services.local.engine import get_engine, reset_engines
from services.personalize.clients import Clients, build_clients
from tests.local.domain_shop import (
    ECOMM_INTERACTIONS,
    create_domain_shop,
    create_recommender,
    write_shop,
)
from tests.local.workspace import INTERACTIONS_SCHEMA, create_group, wait_for

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


def _refused(call: Callable[[], object]) -> tuple[str, int, str]:
    """The error code, HTTP status and message of a call the engine refuses."""
    with pytest.raises(ClientError) as refused:
        call()
    answer = refused.value.response
    return (
        answer["Error"]["Code"],
        answer["ResponseMetadata"]["HTTPStatusCode"],
        answer["Error"]["Message"],
    )


def test_update_recommender_changes_the_exploration_it_serves_with(
    shop: tuple[Clients, dict, Settings],
) -> None:
    """UpdateRecommender's recommenderConfig.itemExplorationConfig (API reference
    UpdateRecommender; botocore RecommenderConfig: "only if your recommenders generate
    personalized recommendations for a user (not popular items or similar items)"), as the
    rule playground applies it: the whole config sent again with new exploration."""
    clients, ws, _settings = shop
    p, rt = clients.personalize, clients.runtime
    arn = ws["for-you"]
    config = p.describe_recommender(recommenderArn=arn)["recommender"]["recommenderConfig"]
    served: dict[str, list[list[str]]] = {}
    try:
        for weight, age in (("0", "30"), ("1", "3650")):
            explore = {"explorationWeight": weight, "explorationItemAgeCutOff": age}
            p.update_recommender(
                recommenderArn=arn, recommenderConfig={**config, "itemExplorationConfig": explore}
            )
            doc = p.describe_recommender(recommenderArn=arn)["recommender"]
            assert doc["recommenderConfig"] == {**config, "itemExplorationConfig": explore}
            served[weight] = [
                _ids(rt.get_recommendations(recommenderArn=arn, userId=f"u{u}", numResults=10))
                for u in range(3)
            ]
        # no exploration against the most (every item young enough): the lists differ
        assert served["0"] != served["1"]
        bad_weight = {"explorationWeight": "1.5", "explorationItemAgeCutOff": "30"}
        code, status, message = _refused(
            lambda: p.update_recommender(
                recommenderArn=arn, recommenderConfig={"itemExplorationConfig": bad_weight}
            )
        )
        assert (code, status) == ("InvalidInputException", 400)
        assert "explorationWeight" in message
        # Best sellers lists popular items: no exploration to configure
        code, status, message = _refused(
            lambda: p.update_recommender(
                recommenderArn=ws["best-sellers"],
                recommenderConfig={"itemExplorationConfig": {"explorationWeight": "0.5"}},
            )
        )
        assert (code, status) == ("InvalidInputException", 400)
        assert "itemExplorationConfig" in message
    finally:
        p.update_recommender(recommenderArn=arn, recommenderConfig=config)


def test_a_promotion_applies_to_a_recommenders_list(shop: tuple[Clients, dict, Settings]) -> None:
    """A recommender takes promotions ("With all domain use cases and some custom recipes,
    you can specify a promotion", developer guide, "Promoting items in real-time
    recommendations"): 20 % of Best sellers' 10 slots go to its two best-selling hats (items
    i20-i39), the rest keeps its order."""
    clients, ws, _settings = shop
    p, rt = clients.personalize, clients.runtime
    hats = p.create_filter(
        name="hats",
        datasetGroupArn=ws["group"],
        filterExpression='INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ("hats")',
    )["filterArn"]
    wait_for(lambda: p.describe_filter(filterArn=hats), "filter")
    arn = ws["best-sellers"]
    full = _ids(rt.get_recommendations(recommenderArn=arn, userId="u0", numResults=40))
    promoted = [i for i in full if int(i[1:]) >= 20][:2]
    kept = [i for i in full[:10] if i not in promoted][:8]
    answer = rt.get_recommendations(
        recommenderArn=arn,
        userId="u0",
        numResults=10,
        promotions=[{"name": "hats", "percentPromotedItems": 20, "filterArn": hats}],
    )["itemList"]
    assert {i["itemId"] for i in answer} == set(promoted) | set(kept)
    assert [i["itemId"] for i in answer if i["itemId"] not in promoted] == kept
    assert {i["itemId"] for i in answer if i.get("promotionName") == "hats"} == set(promoted)


def test_create_recommender_stores_its_tags(shop: tuple[Clients, dict, Settings]) -> None:
    """CreateRecommender's ``tags`` (API reference: CreateRecommender, Tags) are returned by
    ListTagsForResource, as every other Create*'s are (test_create_tags.py)."""
    clients, ws, _ = shop
    p = clients.personalize
    tags = [{"tagKey": "team", "tagValue": "recs"}, {"tagKey": "what", "tagValue": "recommender"}]
    arn = p.create_recommender(
        name="tagged",
        datasetGroupArn=ws["group"],
        recipeArn=f"{ECOMM}popular-items-by-views",
        tags=tags,
    )["recommenderArn"]
    assert p.list_tags_for_resource(resourceArn=arn)["tags"] == tags
    done = wait_for(lambda: p.describe_recommender(recommenderArn=arn), "recommender")
    assert done["status"] == "ACTIVE", done.get("failureReason")
    p.delete_recommender(recommenderArn=arn)
