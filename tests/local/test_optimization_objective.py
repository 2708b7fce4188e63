"""solutionConfig.optimizationObjective, honoured and refused (developer guide, "Optimizing a
solution for an additional objective"): a User-Personalization solution optimised for PRICE
recommends dearer items than the same solution without it, more so at HIGH than at LOW, and
OFF changes nothing; other recipes, a non-numeric or missing column and a group without Items
are InvalidInputException with nothing stored, in process and over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from tests.local.refusals import TRANSPORTS, World, refused_solution, serve_world
from tests.local.workspace import train

USERS = [f"u{u}" for u in range(30)]


def _price(item: str) -> int:
    return 5 + int(item[1:]) % 20  # tests.local.workspace.write_items


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with serve_world(tmp_path_factory.mktemp("objective") / "data", with_items=True) as built:
        yield built


def _campaign(w: World, name: str, objective: dict[str, str] | None) -> str:
    config = {"optimizationObjective": objective} if objective else {}
    _, version = train(
        w.clients,
        w.ws["group"],
        name,
        "aws-user-personalization",
        solutionConfig=config,
    )
    p = w.clients.personalize
    return p.create_campaign(name=name, solutionVersionArn=version)["campaignArn"]


def _mean_price(w: World, campaign: str) -> tuple[float, list[list[str]]]:
    lists = [
        [
            i["itemId"]
            for i in w.clients.runtime.get_recommendations(
                campaignArn=campaign, userId=user, numResults=10
            )["itemList"]
        ]
        for user in USERS
    ]
    return float(np.mean([_price(i) for items in lists for i in items])), lists


def test_price_objective_moves_dearer_items_up(shop: World) -> None:
    plain_price, plain = _mean_price(shop, _campaign(shop, "plain", None))
    off_price, off = _mean_price(
        shop, _campaign(shop, "off", {"itemAttribute": "PRICE", "objectiveSensitivity": "OFF"})
    )
    low_price, _ = _mean_price(
        shop, _campaign(shop, "low", {"itemAttribute": "PRICE", "objectiveSensitivity": "LOW"})
    )
    high = _campaign(shop, "high", {"itemAttribute": "PRICE", "objectiveSensitivity": "HIGH"})
    high_price, _ = _mean_price(shop, high)
    assert off == plain  # OFF: relevance alone, the same lists
    assert plain_price < low_price < high_price, (plain_price, low_price, high_price)
    # the same over HTTP (the server process reads the same model and items)
    http_price, _ = _mean_price(shop.over("http"), high)
    assert http_price == high_price
    described = shop.clients.personalize.describe_solution(
        solutionArn=shop.ws["group"].replace("dataset-group/shop", "solution/high")
    )["solution"]["solutionConfig"]["optimizationObjective"]
    assert described == {"itemAttribute": "PRICE", "objectiveSensitivity": "HIGH"}


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("where", "recipe", "objective", "needle"),
    [
        ("shop", "aws-sims", {"itemAttribute": "PRICE"}, "aws-personalized-ranking and"),
        ("shop", "aws-user-personalization", {"itemAttribute": "CATEGORY"}, "numerical column"),
        ("shop", "aws-user-personalization", {"itemAttribute": "WEIGHT"}, "numerical column"),
        ("shop", "aws-user-personalization", {"objectiveSensitivity": "HIGH"}, "itemAttribute"),
        # the plain world's group has no Items dataset
        ("world", "aws-user-personalization", {"itemAttribute": "PRICE"}, "Items dataset"),
    ],
)
def test_objective_refusals(
    request: pytest.FixtureRequest,
    transport: str,
    where: str,
    recipe: str,
    objective: dict[str, str],
    needle: str,
) -> None:
    w = request.getfixturevalue(where).over(transport)
    config = {"optimizationObjective": objective}
    refused_solution(w, f"bad-{transport}", recipe, config, needle)
