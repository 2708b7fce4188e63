"""Checks Personalize makes that the engine must make too: ranking only on ranking campaigns,
no training without interactions data, filters that fit the group's schemas.

Each refused request is sent in-process and over HTTP; ``refused`` checks the error code,
the HTTP status, a word of the message and that no stored table changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.local.refusals import TRANSPORTS, World, refused
from tests.local.workspace import INTERACTIONS_SCHEMA, ITEMS_SCHEMA, train, wait_for

# The workspace's Items schema plus a boolean and a textual field, which filters cannot use.
RICH_ITEMS_SCHEMA = json.dumps(
    {
        **json.loads(ITEMS_SCHEMA),
        "fields": [
            *json.loads(ITEMS_SCHEMA)["fields"],
            {"name": "ON_SALE", "type": "boolean"},
            {"name": "DESCRIPTION", "type": "string", "textual": True},
        ],
    }
)

# Eleven categorical Items fields, F1 … F11: one more than a group's filters may read.
WIDE_ITEMS_SCHEMA = json.dumps(
    {
        **json.loads(ITEMS_SCHEMA),
        "fields": [
            {"name": "ITEM_ID", "type": "string"},
            *({"name": f"F{k}", "type": "string", "categorical": True} for k in range(1, 12)),
        ],
    }
)


def _fields(numbers: range) -> str:
    return " | ".join(f'EXCLUDE ItemID WHERE Items.F{k} IN ("x")' for k in numbers)


@dataclass(frozen=True)
class Extra:
    """Resources beside the world's: a ranking campaign, and groups short of data."""

    rank_campaign: str
    trend_campaign: str
    bare_solution: str  # its group has no dataset at all
    empty_solution: str  # its group's Interactions dataset has no import and no events
    rich_group: str  # Interactions (no data) + Items with boolean and textual fields
    wide_group: str  # Items F1 … F11; its two filters read F1 … F10


def _empty_group(world: World, name: str, *, items_schema: str | None = None) -> dict[str, str]:
    p = world.clients.personalize
    group = p.create_dataset_group(name=name)["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=group), "datasetGroup")
    out = {"group": group}
    schemas = {"Interactions": INTERACTIONS_SCHEMA, "Items": items_schema}
    for kind, text in schemas.items():
        if text is None:
            continue
        schema = p.create_schema(name=f"{name}-{kind.lower()}", schema=text)["schemaArn"]
        dataset = p.create_dataset(
            name=f"{name}-{kind.lower()}",
            schemaArn=schema,
            datasetGroupArn=group,
            datasetType=kind,
        )["datasetArn"]
        wait_for(lambda d=dataset: p.describe_dataset(datasetArn=d), "dataset")
        out[kind] = dataset
    return out


def _solution(world: World, group: str, name: str) -> str:
    p = world.clients.personalize
    arn = p.create_solution(
        name=name, datasetGroupArn=group, recipeArn="arn:aws:personalize:::recipe/aws-sims"
    )["solutionArn"]
    wait_for(lambda: p.describe_solution(solutionArn=arn), "solution")
    return arn


@pytest.fixture(scope="module")
def extra(world: World) -> Extra:
    p = world.clients.personalize
    _, rank_version = train(world.clients, world.ws["group"], "rank", "aws-personalized-ranking")
    rank = p.create_campaign(name="rank", solutionVersionArn=rank_version)["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=rank), "campaign")
    _, trend_version = train(world.clients, world.ws["group"], "trend", "aws-trending-now")
    trend = p.create_campaign(name="trend", solutionVersionArn=trend_version)["campaignArn"]
    wait_for(lambda: p.describe_campaign(campaignArn=trend), "campaign")
    bare = p.create_dataset_group(name="bare")["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=bare), "datasetGroup")
    # At most 5 dataset groups (the world's is one); the rich group's Interactions dataset has
    # no data either, so it also serves the no-data training case.
    rich = _empty_group(world, "rich", items_schema=RICH_ITEMS_SCHEMA)
    wide = _empty_group(world, "wide", items_schema=WIDE_ITEMS_SCHEMA)["group"]
    for name, numbers in (("first-five", range(1, 6)), ("next-five", range(6, 11))):
        p.create_filter(name=name, datasetGroupArn=wide, filterExpression=_fields(numbers))
    return Extra(
        rank,
        trend,
        _solution(world, bare, "bare-sims"),
        _solution(world, rich["group"], "empty-sims"),
        rich["group"],
        wide,
    )


def _filter(group: Callable[[Extra, World], str], expression: str) -> Callable[..., Any]:
    def call(w: World, x: Extra) -> Any:
        return w.clients.personalize.create_filter(
            name="f-refused", datasetGroupArn=group(x, w), filterExpression=expression
        )

    return call


def _rich(x: Extra, w: World) -> str:
    return x.rich_group


def _world_group(x: Extra, w: World) -> str:
    return w.ws["group"]


def _wide(x: Extra, w: World) -> str:
    return x.wide_group


PARAMS_26 = ", ".join(f"$P{k}" for k in range(26))

CASES: list[tuple[str, str, Callable[[World, Extra], Any], str, int]] = [
    (
        "ranking on a popularity campaign",
        "InvalidInputException",
        lambda w, x: w.clients.runtime.get_personalized_ranking(
            campaignArn=w.campaign, userId="u1", inputList=["i1", "i2"]
        ),
        "needs a campaign of a PERSONALIZED_RANKING recipe",
        400,
    ),
    (
        "recommendations from a ranking campaign",
        "InvalidInputException",
        lambda w, x: w.clients.runtime.get_recommendations(
            campaignArn=x.rank_campaign, userId="u1"
        ),
        "ask it with GetPersonalizedRanking",
        400,
    ),
    (
        "user recommendations without a userId",
        "InvalidInputException",
        lambda w, x: w.clients.runtime.get_recommendations(campaignArn=w.campaign),
        "recommends for a userId",
        400,
    ),
    (
        "training a group without an Interactions dataset",
        "InvalidInputException",
        lambda w, x: w.clients.personalize.create_solution_version(solutionArn=x.bare_solution),
        "has no Interactions dataset",
        400,
    ),
    (
        "training a group with no imported or streamed interactions",
        "InvalidInputException",
        lambda w, x: w.clients.personalize.create_solution_version(solutionArn=x.empty_solution),
        "no completed (ACTIVE) dataset import job and no events recorded with PutEvents",
        400,
    ),
    (
        "filter on a dataset the group lacks",
        "InvalidInputException",
        _filter(_world_group, 'INCLUDE ItemID WHERE Items.CATEGORY IN ("cat1")'),
        "Items.CATEGORY: the dataset group has no Items dataset",
        400,
    ),
    (
        "filter on CurrentUser without a Users dataset",
        "InvalidInputException",
        _filter(_rich, 'INCLUDE ItemID WHERE Items.CATEGORY IN ("a") IF CurrentUser.AGE > 30'),
        "CurrentUser.AGE: the dataset group has no Users dataset",
        400,
    ),
    (
        "filter on an unknown field",
        "InvalidInputException",
        _filter(_rich, 'EXCLUDE ItemID WHERE Items.COLOUR IN ("red")'),
        "the Items schema has no field 'COLOUR'",
        400,
    ),
    (
        "filter on a field spelled in another case",
        "InvalidInputException",
        _filter(_rich, 'EXCLUDE ItemID WHERE Items.category IN ("a")'),
        "found 'CATEGORY': field names are case-sensitive",
        400,
    ),
    (
        "filter on an unknown CurrentItem field",
        "InvalidInputException",
        _filter(_rich, "INCLUDE ItemID WHERE Items.CATEGORY IN CurrentItem.GENRE"),
        "CurrentItem.GENRE: the Items schema has no field 'GENRE'",
        400,
    ),
    (
        "filter on a boolean field",
        "InvalidInputException",
        _filter(_rich, 'INCLUDE ItemID WHERE Items.ON_SALE IN ("true")'),
        "Items.ON_SALE is a boolean field",
        400,
    ),
    (
        "filter on a textual field",
        "InvalidInputException",
        _filter(_rich, 'EXCLUDE ItemID WHERE Items.DESCRIPTION IN ("x")'),
        "Items.DESCRIPTION is a textual field",
        400,
    ),
    (
        "comparison on a string field",
        "InvalidInputException",
        _filter(_rich, "INCLUDE ItemID WHERE Items.CATEGORY > 3"),
        "Items.CATEGORY is of type string",
        400,
    ),
    (
        "parameter in NOT IN",
        "InvalidInputException",
        _filter(_rich, "INCLUDE ItemID WHERE Items.CATEGORY NOT IN ($CAT)"),
        "parameters cannot be used with NOT IN",
        400,
    ),
    (
        "parameter used as a number and as strings",
        "InvalidInputException",
        _filter(
            _rich,
            "INCLUDE ItemID WHERE Items.PRICE < $X | EXCLUDE ItemID WHERE Items.CATEGORY IN ($X)",
        ),
        "$X stands for number in Items.PRICE < but for strings in Items.CATEGORY IN",
        400,
    ),
    (
        "an 11th field across the group's filters",
        "LimitExceededException",
        _filter(_wide, 'INCLUDE ItemID WHERE Items.F11 IN ("x")'),
        "a dataset group's filters may read at most 10 distinct fields",
        400,
    ),
    (
        "26 parameters",
        "InvalidInputException",
        _filter(_rich, f"INCLUDE ItemID WHERE Items.CATEGORY IN ({PARAMS_26})"),
        "the filter uses 26 parameters; filterValues can fill at most 25",
        400,
    ),
]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("code", "call", "needle", "status"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_refused(
    world: World,
    extra: Extra,
    transport: str,
    code: str,
    call: Callable[[World, Extra], Any],
    needle: str,
    status: int,
) -> None:
    w = world.over(transport)
    refused(w, code, lambda: call(w, extra), needle, status)


def test_a_ranking_campaign_ranks(world: World, extra: Extra) -> None:
    for transport in TRANSPORTS:
        ranked = world.over(transport).clients.runtime.get_personalized_ranking(
            campaignArn=extra.rank_campaign, userId="u1", inputList=["i1", "zzz", "i2"]
        )["personalizedRanking"]
        assert sorted(r["itemId"] for r in ranked) == ["i1", "i2", "zzz"]
        assert ranked[-1] == {"itemId": "zzz", "score": 0.0}


def test_trending_now_needs_no_user(world: World, extra: Extra) -> None:
    """Trending-Now takes a userId "only if you apply a filter that requires it"."""
    for transport in TRANSPORTS:
        runtime = world.over(transport).clients.runtime
        anonymous = runtime.get_recommendations(campaignArn=extra.trend_campaign, numResults=5)
        for_u1 = runtime.get_recommendations(
            campaignArn=extra.trend_campaign, userId="u1", numResults=5
        )
        assert len(anonymous["itemList"]) == 5
        assert anonymous["itemList"] == for_u1["itemList"]  # the same trend for everybody


def test_a_filter_that_fits_the_schemas_is_created(world: World, extra: Extra) -> None:
    p = world.clients.personalize
    arn = p.create_filter(
        name="fits",
        datasetGroupArn=extra.rich_group,
        filterExpression="INCLUDE ItemID WHERE Items.CATEGORY IN ($CAT) AND Items.PRICE < $MAX"
        ' | EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")',
    )["filterArn"]
    assert wait_for(lambda: p.describe_filter(filterArn=arn), "filter")["status"] == "ACTIVE"
    p.delete_filter(filterArn=arn)


def test_fields_the_group_already_filters_on_are_free(world: World, extra: Extra) -> None:
    p = world.clients.personalize
    arn = p.create_filter(
        name="reuses", datasetGroupArn=extra.wide_group, filterExpression=_fields(range(4, 9))
    )["filterArn"]
    p.delete_filter(filterArn=arn)


def test_streamed_events_are_enough_to_train(world: World, extra: Extra) -> None:
    """A group whose only interactions came through PutEvents may train (no import needed)."""
    p = world.clients.personalize
    group = _empty_group(world, "streamed")["group"]
    solution = _solution(world, group, "streamed-sims")
    tracker = p.create_event_tracker(name="streamed-tracker", datasetGroupArn=group)
    world.clients.events.put_events(
        trackingId=tracker["trackingId"],
        userId="u1",
        sessionId="s1",
        eventList=[{"eventType": "view", "itemId": "i1", "sentAt": 1_700_000_000}],
    )
    version = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    # Accepted; training one event then fails on Personalize's data minimums, as on AWS.
    done = wait_for(
        lambda: p.describe_solution_version(solutionVersionArn=version), "solutionVersion"
    )
    assert done["status"] == "CREATE FAILED"
    assert "1000" in done["failureReason"] or "1,000" in done["failureReason"], done
