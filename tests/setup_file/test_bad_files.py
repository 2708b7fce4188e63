"""Bad setup files: one message per problem, each naming its path."""

from __future__ import annotations

import pytest

from services.personalize.clients import Clients
from services.setup_file.model import SetupFileError
from services.setup_file.ranges import account_problems
from services.setup_file.reading import parse

SCHEMA = '{"type": "record", "name": "Interactions", "fields": []}'
GOOD = f"""
version = 1
[[schemas]]
name = "s"
definition = '{SCHEMA}'
[[dataset_groups]]
name = "g"
[[datasets]]
name = "d"
dataset_group = "g"
type = "Interactions"
schema = "s"
[[solutions]]
name = "sol"
dataset_group = "g"
recipe = "aws-user-personalization"
[[campaigns]]
name = "c"
solution = "sol"
"""


def problems(text: str) -> list[str]:
    with pytest.raises(SetupFileError) as caught:
        parse(text)
    return caught.value.problems


def test_a_good_file_parses() -> None:
    setup = parse(GOOD)
    assert [c.solution for c in setup.campaigns] == ["sol"]


def test_unknown_fields_and_wrong_types_are_said_once_each_with_their_path() -> None:
    text = GOOD.replace('name = "c"', 'name = "c"\nmin_tps = "two"\ncolour = "red"')
    text = text.replace('recipe = "aws-user-personalization"', "recipe = 5")
    assert problems(text) == [
        "solutions[0].recipe: must be a valid string",
        "campaigns[0].min_tps: must be a valid integer",
        "campaigns[0].colour: unknown field",
    ]


def test_dangling_references_name_what_is_missing() -> None:
    text = GOOD.replace('solution = "sol"', 'solution = "nope"').replace(
        'schema = "s"', 'schema = "t"'
    )
    assert problems(text) == [
        "datasets[0].schema: no schema named 't'",
        "campaigns[0].solution: no solution named 'nope'",
    ]


def test_duplicates_and_one_per_group_rules() -> None:
    text = GOOD + '[[solutions]]\nname = "sol"\ndataset_group = "g"\nrecipe = "aws-sims"\n'
    text += '[[datasets]]\nname = "d2"\ndataset_group = "g"\ntype = "Interactions"\nschema = "s"\n'
    assert problems(text) == [
        "solutions[1].name: 'sol' is defined twice in solutions",
        "datasets[1].type: dataset group 'g' already has a Interactions dataset",
    ]


def test_version_and_toml_errors() -> None:
    assert problems(GOOD.replace("version = 1", "version = 2")) == ["version: must be 1, not 2"]
    assert problems("version = ")[0].startswith("not TOML:")


def test_hyperparameter_outside_describe_algorithm_range_names_its_path(
    clients: Clients,
) -> None:
    # The engine's DescribeAlgorithm for aws-user-personalization gives hidden_dimension an
    # integer range; 100000 is beyond any Personalize allows (32–256 on AWS).
    algorithm = clients.personalize.describe_algorithm(
        algorithmArn=clients.personalize.describe_recipe(
            recipeArn="arn:aws:personalize:::recipe/aws-user-personalization"
        )["recipe"]["algorithmArn"]
    )["algorithm"]
    (spec,) = [
        r
        for r in algorithm["defaultHyperParameterRanges"]["integerHyperParameterRanges"]
        if r["name"] == "hidden_dimension"
    ]
    text = GOOD.replace(
        'recipe = "aws-user-personalization"',
        'recipe = "aws-user-personalization"\n'
        'hyperparameters = { hidden_dimension = 100000, bogus = "1" }',
    )
    found = account_problems(clients.personalize, parse(text))
    assert found == [
        "solutions[0].hyperparameters.hidden_dimension: must be an integer "
        f"{spec['minValue']}–{spec['maxValue']}, not 100000",
        "solutions[0].hyperparameters.bogus: not a hyperparameter of aws-user-personalization",
    ]


def test_sync_with_latest_must_be_a_boolean() -> None:
    text = GOOD.replace('solution = "sol"', 'solution = "sol"\nsync_with_latest = "always"')
    assert problems(text) == ["campaigns[0].sync_with_latest: must be a valid boolean"]
    assert parse(GOOD.replace('solution = "sol"', 'solution = "sol"\nsync_with_latest = true'))


def test_optimization_objective_sensitivity_is_one_of_personalizes() -> None:
    text = GOOD.replace(
        'recipe = "aws-user-personalization"',
        'recipe = "aws-user-personalization"\n'
        'optimization_objective = { item_attribute = "PRICE", sensitivity = "EXTREME" }',
    )
    (problem,) = problems(text)
    assert problem.startswith("solutions[0].optimization_objective.sensitivity: ")
    assert "'LOW', 'MEDIUM', 'HIGH' or 'OFF'" in problem


def test_event_weights_are_between_0_and_1() -> None:
    text = GOOD.replace(
        'recipe = "aws-user-personalization"',
        'recipe = "aws-user-personalization"\nevents = [{ event_type = "click", weight = 1.5 }]',
    )
    assert problems(text) == ["solutions[0].events[0].weight: must be less than or equal to 1"]
