"""What each domain use case requires of GetRecommendations, in-process and over HTTP.

Each ECOMMERCE and VIDEO_ON_DEMAND use case page ("GetRecommendations requirements") lists
``userId`` and ``itemId`` as Required, Not used, or required only for a filter; a call without
a required input, or with one the use case does not use, is InvalidInputException (HTTP 400)
and changes nothing; what a page lists as optional is accepted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from services.config import Settings
from services.local.engine import get_engine, reset_engines
from services.local.rules.use_cases import USE_CASES
from services.personalize.clients import Clients, build_clients
from tests.local.domain_shop import USERS, create_domain_shop, create_recommender
from tests.local.refusals import TRANSPORTS, World, refused
from tests.local.server import EngineServer

# (userId, itemId) as each page lists them, written out here from the pages (not read from
# the engine's table): R required, U not used, F required only for a filter.
PAGES = {
    "aws-ecomm-popular-items-by-views": ("R", "U"),
    "aws-ecomm-popular-items-by-purchases": ("R", "U"),
    "aws-ecomm-frequently-bought-together": ("F", "R"),
    "aws-ecomm-customers-who-viewed-x-also-viewed": ("R", "R"),
    "aws-ecomm-recommended-for-you": ("R", "U"),
    "aws-vod-because-you-watched-x": ("R", "R"),
    "aws-vod-more-like-x": ("R", "R"),
    "aws-vod-most-popular": ("R", "U"),
    "aws-vod-trending-now": ("F", "U"),
    "aws-vod-top-picks": ("R", "U"),
}


@dataclass
class Shops:
    world: World
    recommenders: dict[str, str]  # use case → recommender ARN
    filters: dict[str, str]  # domain → a filter on CurrentUser


USERS_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Users",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [{"name": "USER_ID", "type": "string"}, {"name": "AGE", "type": "int"}],
        "version": "1.0",
    }
)
# A filter value each domain's catalogue has (domain_shop.write_shop).
VALUES = {"ECOMMERCE": {"v": '"hats"'}, "VIDEO_ON_DEMAND": {"v": '"news"'}}


@pytest.fixture(scope="module")
def shops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shops]:
    data = tmp_path_factory.mktemp("use-case-inputs") / "data"
    settings = Settings(data_dir=data, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    recommenders: dict[str, str] = {}
    filters: dict[str, str] = {}
    for domain, name in (("ECOMMERCE", "eshop"), ("VIDEO_ON_DEMAND", "vshop")):
        # every user is 30 years old, so a filter can test CurrentUser.AGE
        folder = data / "s3" / "bucket" / name
        folder.mkdir(parents=True, exist_ok=True)
        users = "".join(f"u{u},30\n" for u in range(USERS))
        (folder / "users.csv").write_text("USER_ID,AGE\n" + users)
        ws = create_domain_shop(clients, data, name, domain, users_schema=USERS_SCHEMA)
        for case in (c for c in USE_CASES.values() if c.domain == domain):
            doc = create_recommender(clients, ws["group"], case.name[4:], case.name)
            assert doc["status"] == "ACTIVE", doc.get("failureReason")
            recommenders[case.name] = doc["recommenderArn"]
        field = "CATEGORY_L1" if domain == "ECOMMERCE" else "GENRES"
        filters[domain] = clients.personalize.create_filter(
            name=f"{name}-adults",
            datasetGroupArn=ws["group"],
            filterExpression=f"EXCLUDE ItemID WHERE Items.{field} IN ($v) IF CurrentUser.AGE > 17",
        )["filterArn"]
    server = EngineServer(data, PERSONALIZE_LOCAL_WORKER="thread").start()
    http = build_clients(Settings(endpoint_url=server.url, data_dir=data))
    world = World(clients, get_engine(settings), data, {}, "", "", "", "", http, server.url)
    try:
        yield Shops(world, recommenders, filters)
    finally:
        server.stop()
        reset_engines()


def test_the_pages_and_the_engine_cover_the_same_use_cases() -> None:
    assert set(PAGES) == set(USE_CASES)


def _ask(clients: Clients, arn: str, **kwargs: str) -> list[str]:
    got = clients.runtime.get_recommendations(recommenderArn=arn, numResults=5, **kwargs)
    return [i["itemId"] for i in got["itemList"]]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("use_case", sorted(PAGES))
def test_required_inputs_are_required(shops: Shops, transport: str, use_case: str) -> None:
    w = shops.world.over(transport)
    arn = shops.recommenders[use_case]
    user, item = PAGES[use_case]
    rt = w.clients.runtime
    if item == "R":
        refused(
            w,
            "InvalidInputException",
            lambda: rt.get_recommendations(recommenderArn=arn, userId="u1"),
            "requires an itemId",
        )
        if user == "R":
            refused(
                w,
                "InvalidInputException",
                lambda: rt.get_recommendations(recommenderArn=arn, itemId="i1"),
                "requires a userId",
            )
        assert _ask(w.clients, arn, userId="u1", itemId="i1")
    else:
        refused(
            w,
            "InvalidInputException",
            lambda: rt.get_recommendations(recommenderArn=arn, userId="u1", itemId="i1"),
            "does not use an itemId",
        )
        if user == "R":
            refused(
                w,
                "InvalidInputException",
                lambda: rt.get_recommendations(recommenderArn=arn),
                "requires a userId",
            )
        assert _ask(w.clients, arn, userId="u1")


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("use_case", sorted(u for u, (user, _) in PAGES.items() if user == "F"))
def test_a_user_only_for_a_filter(shops: Shops, transport: str, use_case: str) -> None:
    """Frequently bought together and Trending now answer without a userId, and refuse a
    filter on CurrentUser without one."""
    w = shops.world.over(transport)
    arn = shops.recommenders[use_case]
    kwargs = {"itemId": "i1"} if PAGES[use_case][1] == "R" else {}
    assert _ask(w.clients, arn, **kwargs)
    domain = USE_CASES[use_case].domain
    flt, values = shops.filters[domain], VALUES[domain]
    refused(
        w,
        "InvalidInputException",
        lambda: w.clients.runtime.get_recommendations(
            recommenderArn=arn, filterArn=flt, filterValues=values, **kwargs
        ),
        "needs a userId",
    )
    assert _ask(w.clients, arn, userId="u1", filterArn=flt, filterValues=values, **kwargs)
