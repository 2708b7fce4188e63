"""Hyperparameters: DescribeAlgorithm / DescribeFeatureTransformation give each recipe's specs,
and CreateSolution refuses names and values those specs do not allow (in-process and HTTP).

Expected specs are Personalize's documented ones (developer guide, User-Personalization
"Properties and hyperparameters": hidden_dimension 149 in [32, 256], bptt 32 in [2, 32],
recency_mask true; max_user_history_length_percentile 0.99), written out by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.local.refusals import TRANSPORTS, World, refused

UP = "aws-user-personalization"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_describe_algorithm_and_feature_transformation(world: World, transport: str) -> None:
    p = world.over(transport).clients.personalize
    recipe = p.describe_recipe(recipeArn=f"arn:aws:personalize:::recipe/{UP}")["recipe"]
    algorithm = p.describe_algorithm(algorithmArn=recipe["algorithmArn"])["algorithm"]
    assert algorithm["defaultHyperParameters"] == {
        "hidden_dimension": "149",
        "bptt": "32",
        "recency_mask": "true",
    }
    ranges = algorithm["defaultHyperParameterRanges"]
    assert ranges["integerHyperParameterRanges"] == [
        {"name": "hidden_dimension", "minValue": 32, "maxValue": 256, "isTunable": True},
        {"name": "bptt", "minValue": 2, "maxValue": 32, "isTunable": True},
    ]
    assert ranges["categoricalHyperParameterRanges"] == [
        {"name": "recency_mask", "values": ["true", "false"], "isTunable": True}
    ]
    feature = p.describe_feature_transformation(
        featureTransformationArn=recipe["featureTransformationArn"]
    )["featureTransformation"]
    assert feature["defaultParameters"] == {
        "min_user_history_length_percentile": "0.0",
        "max_user_history_length_percentile": "0.99",
    }
    pop = p.describe_algorithm(algorithmArn="arn:aws:personalize:::algorithm/aws-popularity-count")
    assert pop["algorithm"]["defaultHyperParameters"] == {}
    # Trending-Now: one feature transformation parameter, default "2 hours" (developer guide,
    # "Trending-Now recipe", Properties and hyperparameters).
    trending = p.describe_recipe(recipeArn="arn:aws:personalize:::recipe/aws-trending-now")
    feature = p.describe_feature_transformation(
        featureTransformationArn=trending["recipe"]["featureTransformationArn"]
    )["featureTransformation"]
    assert feature["defaultParameters"] == {"trend_discovery_frequency": "2 hours"}
    # Similar-Items: the current guide's names and ranges.
    similar = p.describe_algorithm(algorithmArn="arn:aws:personalize:::algorithm/aws-similar-items")
    assert similar["algorithm"]["defaultHyperParameters"] == {
        "popularity_discount_factor": "0.0",
        "item_id_hidden_dim": "100",
        "item_metadata_hidden_dim": "100",
    }


def _solution(w: World, name: str, recipe: str, config: dict[str, Any]) -> Callable[[], Any]:
    return lambda: w.clients.personalize.create_solution(
        name=name,
        datasetGroupArn=w.ws["group"],
        recipeArn=f"arn:aws:personalize:::recipe/{recipe}",
        solutionConfig=config,
        performHPO="hpoConfig" in config,  # an HPO search space is for an HPO run
    )


BAD: list[tuple[str, str, dict[str, Any], str]] = [
    ("unknown name", UP, {"algorithmHyperParameters": {"lambda": "5"}}, "no parameter lambda"),
    ("above range", UP, {"algorithmHyperParameters": {"bptt": "50"}}, "bptt must be in [2, 32]"),
    ("not an integer", UP, {"algorithmHyperParameters": {"hidden_dimension": "40.5"}}, "integer"),
    (
        "categorical",
        UP,
        {"algorithmHyperParameters": {"recency_mask": "maybe"}},
        "recency_mask takes one of true, false",
    ),
    (
        "popularity has none",
        "aws-popularity-count",
        {"algorithmHyperParameters": {"hidden_dimension": "64"}},
        "it has: none",
    ),
    # another recipe's parameter: refused where the recipe's page does not document it
    *(
        (f"{name} on {recipe}", recipe, {key: {name: "0.9"}}, f"{recipe} has no parameter {name}")
        for recipe, key, name in (
            (UP, "algorithmHyperParameters", "min_cointeraction_count"),
            (UP, "featureTransformationParameters", "max_item_interaction_count_percentile"),
            (
                "aws-user-personalization-v2",
                "featureTransformationParameters",
                "max_user_history_length_percentile",
            ),
        )
    ),
    (
        "feature parameter out of range",
        UP,
        {"featureTransformationParameters": {"max_user_history_length_percentile": "1.5"}},
        "max_user_history_length_percentile must be in [0.0, 1.0]",
    ),
    (
        "v2 weight decay out of range",
        "aws-user-personalization-v2",
        {"algorithmHyperParameters": {"weight_decay": "101"}},
        "weight_decay must be in [0.0, 100.0]",
    ),
    (
        "v2 co-occurrence start out of range",
        "aws-user-personalization-v2",
        {"algorithmHyperParameters": {"cooccurrence_start": "1.5"}},
        "cooccurrence_start must be in [0.0, 1.0]",
    ),
    (
        "trend discovery frequency not offered",
        "aws-trending-now",
        {"featureTransformationParameters": {"trend_discovery_frequency": "5 hours"}},
        "takes one of 30 minutes, 1 hour, 2 hours, 3 hours, 1 day",
    ),
    (
        "HPO range on an untunable parameter",
        "aws-sims",
        {
            "hpoConfig": {
                "algorithmHyperParameterRanges": {
                    "continuousHyperParameterRanges": [
                        {"name": "min_user_history_length_percentile", "minValue": 0, "maxValue": 1}
                    ]
                }
            }
        },
        "no tunable parameter min_user_history_length_percentile",
    ),
    (
        "HPO range outside the documented one",
        UP,
        {
            "hpoConfig": {
                "algorithmHyperParameterRanges": {
                    "integerHyperParameterRanges": [
                        {"name": "hidden_dimension", "minValue": 16, "maxValue": 128}
                    ]
                }
            }
        },
        "minValue 16 is outside hidden_dimension's range [32, 256]",
    ),
]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("case", "recipe", "config", "needle"), BAD, ids=[b[0] for b in BAD])
def test_create_solution_refuses_bad_hyperparameters(
    world: World, transport: str, case: str, recipe: str, config: dict[str, Any], needle: str
) -> None:
    w = world.over(transport)
    refused(w, "InvalidInputException", _solution(w, "hp-bad", recipe, config), needle)


def test_documented_hyperparameters_are_accepted(world: World) -> None:
    config = {
        "algorithmHyperParameters": {
            "hidden_dimension": "64",
            "bptt": "16",
            "recency_mask": "False",
        },
        "featureTransformationParameters": {"max_user_history_length_percentile": "0.95"},
        "hpoConfig": {
            "algorithmHyperParameterRanges": {
                "integerHyperParameterRanges": [
                    {"name": "hidden_dimension", "minValue": 32, "maxValue": 128}
                ]
            }
        },
    }
    arn = _solution(world, "hp-good", UP, config)()["solutionArn"]
    doc = world.clients.personalize.describe_solution(solutionArn=arn)["solution"]
    assert doc["solutionConfig"]["algorithmHyperParameters"]["bptt"] == "16"
    world.clients.personalize.delete_solution(solutionArn=arn)
    # The guide's own example: CreateSolution with trend_discovery_frequency "1 hour".
    hourly = {"featureTransformationParameters": {"trend_discovery_frequency": "1 hour"}}
    arn = _solution(world, "hp-trending", "aws-trending-now", hourly)()["solutionArn"]
    world.clients.personalize.delete_solution(solutionArn=arn)


def test_sims_popularity_discount_reaches_the_model(world: World) -> None:
    """popularity_discount_factor through CreateSolution: 0 lists an item's most popular
    co-interacted items, 1 the ones whose users most often also had it (SIMS recipe page), so
    the first list's items are more popular, counted from the imported file."""
    import pandas as pd

    from tests.local.workspace import train

    csv = world.data_dir / "s3" / "bucket" / "shop" / "interactions.csv"
    users = pd.read_csv(csv).drop_duplicates(["USER_ID", "ITEM_ID"])["ITEM_ID"].value_counts()
    runtime, p = world.clients.runtime, world.clients.personalize
    mean_users = {}
    for factor in ("0", "1"):
        config = {"algorithmHyperParameters": {"popularity_discount_factor": factor}}
        _, version = train(
            world.clients, world.ws["group"], f"sims-{factor}", "aws-sims", solutionConfig=config
        )
        campaign = p.create_campaign(name=f"sims-{factor}", solutionVersionArn=version)
        got = runtime.get_recommendations(
            campaignArn=campaign["campaignArn"], itemId="i0", numResults=10
        )
        mean_users[factor] = users[[i["itemId"] for i in got["itemList"]]].mean()
        p.delete_campaign(campaignArn=campaign["campaignArn"])
    assert mean_users["0"] > mean_users["1"]
