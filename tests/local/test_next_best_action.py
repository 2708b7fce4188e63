"""Next-Best-Action end to end through boto3, in-process and over HTTP: Actions and Action
interactions datasets on the demo shop, PutActions, PutActionInteractions, training, and
GetActionRecommendations, with the refusals of those operations leaving storage as it was.

The action interactions are made here from the shop's own shoppers: "outdoors" shoppers join the
hiking club (8 in 10 of those shown it; other shoppers 1 in 10), "new-parent" shoppers start a
baby registry, everyone takes the newsletter half the time; "gift-card" has no interaction at all
and "old-offer" expired. So a shopper's item history (tents, strollers …) is what tells the
model which action they will take.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from services.config import Settings
from services.local.engine import LocalEngine, get_engine, reset_engines
from services.personalize.clients import Clients, build_clients
from tests.local.demo_group import NOW, Shop, build_shop
from tests.local.refusals import TRANSPORTS, refused
from tests.local.server import EngineServer
from tests.local.workspace import import_file, train, wait_for

DAY = 86_400
ACTIONS_SCHEMA = {
    "type": "record",
    "name": "Actions",
    "namespace": "com.amazonaws.personalize.schema",
    "fields": [
        {"name": "ACTION_ID", "type": "string"},
        {"name": "VALUE", "type": ["null", "float"]},
        {"name": "ACTION_EXPIRATION_TIMESTAMP", "type": ["null", "long"]},
        {"name": "REPEAT_FREQUENCY", "type": ["null", "int"]},
        {"name": "TITLE", "type": ["null", "string"]},
    ],
    "version": "1.0",
}
INTERACTIONS_SCHEMA = {
    "type": "record",
    "name": "ActionInteractions",
    "namespace": "com.amazonaws.personalize.schema",
    "fields": [
        {"name": "USER_ID", "type": "string"},
        {"name": "ACTION_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
        {"name": "EVENT_TYPE", "type": "string"},
    ],
    "version": "1.0",
}
# action → (value, expires at, repeat frequency days, P(take) by segment, default P(take))
ACTIONS = {
    "hiking-club": (10.0, None, 30, {"outdoors": 0.8}, 0.1),
    "baby-registry": (10.0, None, None, {"new-parent": 0.8}, 0.1),
    "newsletter": (1.0, None, None, {}, 0.5),
    "gift-card": (50.0, None, None, None, 0.0),  # nobody was shown it: no score yet
    "old-offer": (5.0, NOW - 10 * DAY, None, {}, 0.5),  # expired
}


@dataclass
class Nba:
    clients: Clients
    http: Clients
    engine: LocalEngine
    shop: Shop
    actions: str  # Actions dataset ARN
    tracking_id: str  # the Action interactions dataset's
    campaign: str  # Next-Best-Action campaign
    other_campaign: str  # a popularity campaign of the same group

    def over(self, transport: str) -> Nba:
        return dataclasses.replace(self, clients=self.http) if transport == "http" else self


def _action_events(shop: Shop) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for n, (user, segment) in enumerate(shop.data.users[["USER_ID", "SEGMENT"]].itertuples(False)):
        at = NOW - 20 * DAY + n * 60
        for action, (_, _, _, by_segment, default) in ACTIONS.items():
            if by_segment is None:
                continue
            rows.append((user, action, at, "Viewed"))
            if rng.random() < by_segment.get(segment, default):
                rows.append((user, action, at + DAY, "Taken"))
            else:
                rows.append((user, action, at + 3600, "Not taken"))
    return pd.DataFrame(rows, columns=["USER_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE"])


def _dataset(clients: Clients, shop: Shop, kind: str, schema: dict, frame: pd.DataFrame) -> dict:
    p = clients.personalize
    arn = p.create_schema(name=f"shop-{kind.lower()}", schema=json.dumps(schema))["schemaArn"]
    dataset = p.create_dataset(
        name=f"shop-{kind.lower()}", schemaArn=arn, datasetGroupArn=shop.group, datasetType=kind
    )["datasetArn"]
    wait_for(lambda: p.describe_dataset(datasetArn=dataset), "dataset")
    path = shop.data_dir / "s3" / "bucket" / "shop" / f"{kind.lower()}.csv"
    frame.to_csv(path, index=False)
    import_file(clients, dataset, f"shop-{kind.lower()}", f"s3://bucket/shop/{kind.lower()}.csv")
    return p.describe_dataset(datasetArn=dataset)["dataset"]


@pytest.fixture(scope="module")
def nba(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nba]:
    data_dir = tmp_path_factory.mktemp("nba") / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    shop = build_shop(clients, data_dir)
    catalogue = pd.DataFrame(
        [(a, v, e, r, a.replace("-", " ").title()) for a, (v, e, r, _, _) in ACTIONS.items()],
        columns=["ACTION_ID", "VALUE", "ACTION_EXPIRATION_TIMESTAMP", "REPEAT_FREQUENCY", "TITLE"],
    ).astype({"ACTION_EXPIRATION_TIMESTAMP": "Int64", "REPEAT_FREQUENCY": "Int64"})
    actions = _dataset(clients, shop, "Actions", ACTIONS_SCHEMA, catalogue)
    events = _dataset(
        clients, shop, "Action_Interactions", INTERACTIONS_SCHEMA, _action_events(shop)
    )
    _, version = train(clients, shop.group, "nba", "aws-next-best-action")
    _, pop = train(clients, shop.group, "pop", "aws-popularity-count")
    p = clients.personalize
    campaigns = []
    for name, v in (("nba", version), ("pop", pop)):
        arn = p.create_campaign(name=name, solutionVersionArn=v)["campaignArn"]
        wait_for(lambda arn=arn: p.describe_campaign(campaignArn=arn), "campaign")
        campaigns.append(arn)
    server = EngineServer(
        data_dir, PERSONALIZE_LOCAL_LIFECYCLE_SECONDS="0", PERSONALIZE_LOCAL_WORKER="thread"
    ).start()
    http = build_clients(Settings(endpoint_url=server.url, data_dir=data_dir))
    try:
        yield Nba(
            clients,
            http,
            get_engine(settings),
            shop,
            actions["datasetArn"],
            events["trackingId"],
            *campaigns,
        )
    finally:
        server.stop()
        reset_engines()


def _users(nba: Nba, segment: str) -> list[str]:
    users = nba.shop.data.users
    return list(users.loc[users["SEGMENT"] == segment, "USER_ID"][:15])


def test_action_recommendations_follow_each_users_history(nba: Nba) -> None:
    runtime = nba.clients.runtime
    # without a history every shopper gets the base rates: the newsletter (taken half the
    # time) first, the other shown actions (about 2 in 10) after it, gift-card (no score) last
    got = runtime.get_action_recommendations(campaignArn=nba.campaign, userId="stranger")
    assert [a["actionId"] for a in got["actionList"]][0] == "newsletter"
    firsts = {}
    # an item history says more about new parents (strollers, toys) than about outdoors
    # shoppers, whose backpacks and jackets techies and premium shoppers buy too
    for segment, action, least in (
        ("outdoors", "hiking-club", 9),
        ("new-parent", "baby-registry", 12),
    ):
        tops = []
        for user in _users(nba, segment):
            got = runtime.get_action_recommendations(campaignArn=nba.campaign, userId=user)
            listed = [a["actionId"] for a in got["actionList"]]
            assert got["recommendationId"].startswith("RID-")
            assert len(listed) == 4 and "old-offer" not in listed  # expired
            scores = [a["score"] for a in got["actionList"]]
            assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
            assert got["actionList"][-1] == {"actionId": "gift-card", "score": 0.0}
            tops.append(listed[0])
        firsts[segment] = tops
        assert tops.count(action) >= least, (segment, tops)  # of 15 shoppers
    # the other segment's action is not what either gets first
    assert "baby-registry" not in firsts["outdoors"][:5]


def test_put_action_interactions_and_put_actions_take_effect(nba: Nba) -> None:
    """A TAKEN hiking-club (REPEAT_FREQUENCY 30 days) hides it from that user at once; an
    action added with PutActions is in the catalogue after the next training only."""
    runtime, events = nba.clients.runtime, nba.clients.events
    user = _users(nba, "outdoors")[0]

    def listed() -> list[str]:
        got = runtime.get_action_recommendations(campaignArn=nba.campaign, userId=user)
        return [a["actionId"] for a in got["actionList"]]

    assert "hiking-club" in listed()
    events.put_action_interactions(
        trackingId=nba.tracking_id,
        actionInteractions=[
            {
                "actionId": "hiking-club",
                "userId": user,
                "sessionId": "s-1",
                "timestamp": int(time.time()),  # REPEAT_FREQUENCY counts back from now
                "eventType": "Taken",
            }
        ],
    )
    assert "hiking-club" not in listed()
    events.put_actions(
        datasetArn=nba.actions,
        actions=[{"actionId": "app-download", "properties": json.dumps({"value": 3.0})}],
    )
    assert "app-download" not in listed()  # the trained model does not know it yet
    rows = (
        nba.engine.read_db.connect().exec_driver_sql("SELECT action_id, props FROM actions").all()
    )
    assert [r[0] for r in rows] == ["app-download"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_refusals(nba: Nba, transport: str) -> None:
    world = nba.over(transport)
    runtime, events, p = world.clients.runtime, world.clients.events, world.clients.personalize
    user = _users(nba, "outdoors")[1]
    taken = {"actionId": "newsletter", "sessionId": "s", "timestamp": NOW, "eventType": "Taken"}
    cases = [
        (
            "InvalidInputException",
            lambda: runtime.get_recommendations(campaignArn=nba.campaign, userId=user),
            "GetActionRecommendations",
        ),
        (
            "InvalidInputException",
            lambda: runtime.get_action_recommendations(campaignArn=nba.other_campaign, userId=user),
            "aws-next-best-action",
        ),
        (
            "InvalidInputException",
            lambda: runtime.get_action_recommendations(
                campaignArn=nba.campaign, userId=user, numResults=101
            ),
            "numResults",
        ),
        (
            "InvalidInputException",
            lambda: runtime.get_action_recommendations(userId=user),
            "campaignArn",
        ),
        (
            "InvalidInputException",
            lambda: events.put_action_interactions(
                trackingId="no-such-tracker", actionInteractions=[taken]
            ),
            "no-such-tracker",
        ),
        (
            "InvalidInputException",
            lambda: events.put_action_interactions(
                trackingId=nba.tracking_id,
                actionInteractions=[{**taken, "eventType": "Clicked"}],
            ),
            "Viewed, Taken or Not Taken",
        ),
        (
            "InvalidInputException",
            lambda: events.put_action_interactions(
                trackingId=nba.tracking_id,
                actionInteractions=[{**taken, "properties": json.dumps({"colour": "red"})}],
            ),
            "COLOUR",
        ),
        (
            "InvalidInputException",
            lambda: events.put_actions(
                datasetArn=nba.shop.datasets["Items"], actions=[{"actionId": "x"}]
            ),
            "Items dataset",
        ),
        (
            "InvalidInputException",
            lambda: events.put_actions(
                datasetArn=nba.actions,
                actions=[{"actionId": "x", "properties": json.dumps({"actionId": "y"})}],
            ),
            "reserved",
        ),
        (
            "InvalidInputException",
            lambda: p.create_batch_inference_job(
                jobName="nba-batch",
                solutionVersionArn=p.describe_campaign(campaignArn=nba.campaign)["campaign"][
                    "solutionVersionArn"
                ],
                jobInput={"s3DataSource": {"path": "s3://bucket/shop/items.csv"}},
                jobOutput={"s3DataDestination": {"path": "s3://bucket/out/"}},
                roleArn="arn:aws:iam::000000000000:role/personalize",
            ),
            "does not support",
        ),
    ]
    for code, call, needle in cases:
        refused(world, code, call, needle)  # type: ignore[arg-type]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_actions_schema_needs_one_to_ten_metadata_fields(nba: Nba, transport: str) -> None:
    """ "Your schema must have a minimum one metadata field" and "You can add up to 10 columns"
    (developer guide, "Actions dataset schema requirements (custom)"): an Actions dataset of a
    schema with none, or with 11, is InvalidInputException and nothing is created."""
    world = nba.over(transport)
    p = world.clients.personalize
    group = p.create_dataset_group(name=f"actions-rules-{transport}")["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=group), "datasetGroup")
    action_id = ACTIONS_SCHEMA["fields"][0]
    extra = [{"name": f"F{i}", "type": ["null", "string"], "categorical": True} for i in range(11)]
    for label, fields, needle in (
        ("bare", [action_id], "at least one metadata field"),
        ("wide", [action_id, *extra], "11 metadata fields; the limit is 10"),
    ):
        schema = p.create_schema(
            name=f"actions-{label}-{transport}",
            schema=json.dumps({**ACTIONS_SCHEMA, "fields": fields}),
        )["schemaArn"]
        refused(
            world,
            "InvalidInputException",
            lambda schema=schema, label=label: p.create_dataset(
                name=f"actions-{label}",
                schemaArn=schema,
                datasetGroupArn=group,
                datasetType="Actions",
            ),
            needle,
        )
    ten = {**ACTIONS_SCHEMA, "fields": [action_id, *extra[:10]]}
    schema = p.create_schema(name=f"actions-ten-{transport}", schema=json.dumps(ten))["schemaArn"]
    p.create_dataset(name="ten", schemaArn=schema, datasetGroupArn=group, datasetType="Actions")


def test_action_datasets_have_their_schema_rules(nba: Nba) -> None:
    p = nba.clients.personalize
    no_action_id = {**ACTIONS_SCHEMA, "fields": ACTIONS_SCHEMA["fields"][1:]}
    schema = p.create_schema(name="bad-actions", schema=json.dumps(no_action_id))["schemaArn"]
    group = p.create_dataset_group(name="other")["datasetGroupArn"]
    wait_for(lambda: p.describe_dataset_group(datasetGroupArn=group), "datasetGroup")
    with pytest.raises(p.exceptions.InvalidInputException, match="ACTION_ID"):
        p.create_dataset(name="bad", schemaArn=schema, datasetGroupArn=group, datasetType="Actions")
    dataset = p.describe_dataset(datasetArn=nba.actions)["dataset"]
    assert dataset["datasetType"] == "Actions" and "trackingId" not in dataset


# --- action filters ------------------------------------------------------------------------


def _action_filter(nba: Nba, name: str, expression: str) -> str:
    p = nba.clients.personalize
    arn = p.create_filter(name=name, datasetGroupArn=nba.shop.group, filterExpression=expression)
    wait_for(lambda: p.describe_filter(filterArn=arn["filterArn"]), "filter")
    return arn["filterArn"]


@pytest.fixture(scope="module")
def action_filters(nba: Nba) -> dict[str, str]:
    """Filters in the guide's shapes ("Action recommendation filter expression examples")."""
    return {
        "dear": _action_filter(nba, "dear", "INCLUDE ActionID WHERE Actions.VALUE > ($VALUE)"),
        "refused": _action_filter(
            nba,
            "refused",
            'EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("NOT_TAKEN")',
        ),
        "shown": _action_filter(
            nba, "shown", "INCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ($EVENT_TYPE)"
        ),
        "titled": _action_filter(nba, "titled", "EXCLUDE ActionID WHERE Actions.TITLE IN ($TITLE)"),
        "items": _action_filter(nba, "items", "EXCLUDE ItemID WHERE Items.CATEGORY IN ($C)"),
    }


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_action_filters_apply_to_action_recommendations(
    nba: Nba, action_filters: dict[str, str], transport: str
) -> None:
    runtime = nba.over(transport).clients.runtime
    user = _users(nba, "new-parent")[2]

    def listed(name: str | None = None, **values: str) -> list[str]:
        extra = {"filterArn": action_filters[name]} if name else {}
        if values:
            extra["filterValues"] = values
        got = runtime.get_action_recommendations(campaignArn=nba.campaign, userId=user, **extra)
        return [a["actionId"] for a in got["actionList"]]

    everything = listed()
    assert sorted(everything) == ["baby-registry", "gift-card", "hiking-club", "newsletter"]
    # VALUE > 5: newsletter (1) goes; hiking-club, baby-registry (10) and gift-card (50) stay
    assert listed("dear", VALUE='"5"') == [a for a in everything if a != "newsletter"]
    assert listed("dear", VALUE="10") == ["gift-card"]
    # the user's own "Not taken" events, counted here from the imported frame
    events = _action_events(nba.shop)
    mine = events.loc[events["USER_ID"] == user]
    not_taken = set(mine.loc[mine["EVENT_TYPE"] == "Not taken", "ACTION_ID"])
    assert not_taken  # the premise: this user turned something down
    assert listed("refused") == [a for a in everything if a not in not_taken]
    # every action shown to the user (Viewed): all but gift-card, which nobody was shown
    assert listed("shown", EVENT_TYPE='"Viewed"') == [a for a in everything if a != "gift-card"]
    titled = [a for a in everything if a not in ("newsletter", "gift-card")]
    assert listed("titled", TITLE='"Newsletter","Gift Card"') == titled
    # an EXCLUDE without its value excludes nothing
    assert listed("titled") == everything


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_action_filter_refusals(nba: Nba, action_filters: dict[str, str], transport: str) -> None:
    world = nba.over(transport)
    runtime, p = world.clients.runtime, world.clients.personalize
    user = _users(nba, "outdoors")[3]
    cases = [
        (
            lambda: p.create_filter(
                name="mixed",
                datasetGroupArn=nba.shop.group,
                filterExpression='INCLUDE ActionID WHERE Items.CATEGORY IN ("tent")',
            ),
            "ActionID filters test Actions or Action_Interactions",
        ),
        (
            lambda: p.create_filter(
                name="nofield",
                datasetGroupArn=nba.shop.group,
                filterExpression='EXCLUDE ActionID WHERE Actions.COLOUR IN ("red")',
            ),
            "no field 'COLOUR'",
        ),
        (
            lambda: runtime.get_recommendations(
                campaignArn=nba.other_campaign, userId=user, filterArn=action_filters["refused"]
            ),
            "ActionIDs",
        ),
        (
            lambda: runtime.get_action_recommendations(
                campaignArn=nba.campaign, userId=user, filterArn=action_filters["items"]
            ),
            "take a filter of actions (INCLUDE/EXCLUDE ActionID)",
        ),
        (
            lambda: runtime.get_action_recommendations(
                campaignArn=nba.campaign, userId=user, filterArn=action_filters["dear"]
            ),
            "$VALUE",
        ),
        (
            lambda: runtime.get_action_recommendations(
                campaignArn=nba.campaign,
                userId=user,
                filterArn=action_filters["dear"],
                filterValues={"VALUE": '"cheap"'},
            ),
            "must be a number",
        ),
    ]
    for call, needle in cases:
        refused(world, "InvalidInputException", call, needle)  # type: ignore[arg-type]
