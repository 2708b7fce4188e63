"""PutEvents impressions through boto3, in-process and over HTTP: the engine keeps an event's
explicit ``impression`` and derives the implicit one from its ``recommendationId``, the explicit
one winning ("Recording item interaction events with impressions data": "If you include both,
Amazon Personalize uses the explicit impressions by default"); a bad ``impression`` is refused
with the service model's constraints (botocore personalize-events ``Impression``: 1 to 25
``ItemId`` of 1 to 256 characters; ``RecommendationId`` at most 40)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from services.config import Settings
from services.datasets.local_engine.experiment_events import experiment_events
from services.local.data.storage import tables as t
from services.local.engine import LocalEngine, get_engine, reset_engines
from services.local.runtime.answer_log import AnswerLog
from services.personalize.clients import Clients
from tests.local.refusals import TRANSPORTS, World, post_raw, refused, snapshot
from tests.local.workspace import create_group, track_and_attribute, train

ONE = "1 validation error detected: "


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_an_event_keeps_its_impression_explicit_first(world: World, transport: str) -> None:
    w = world.over(transport)
    user = f"viewer-{transport}"
    since = datetime.now(UTC) - timedelta(minutes=1)
    answer = w.clients.runtime.get_recommendations(
        campaignArn=w.campaign, userId=user, numResults=5
    )
    rid = answer["recommendationId"]
    listed = tuple(i["itemId"] for i in answer["itemList"])
    assert len(rid) <= 40 and len(listed) == 5  # the model's RecommendationId fits
    now = int(time.time())
    sent: list[dict[str, Any]] = [
        {"eventType": "View", "itemId": listed[0], "sentAt": now, "recommendationId": rid},
        {"eventType": "View", "itemId": "i7", "sentAt": now, "impression": ["i7", "i8"]},
        {
            "eventType": "View",
            "itemId": listed[1],
            "sentAt": now,
            "recommendationId": rid,
            "impression": ["i9", listed[1]],
        },
        {"eventType": "View", "itemId": "i3", "sentAt": now, "recommendationId": "RID-unknown"},
        {"eventType": "View", "itemId": "i4", "sentAt": now},
    ]
    w.clients.events.put_events(
        trackingId=w.tracking_id, userId=user, sessionId=f"{user}-s", eventList=sent
    )

    frame, _prices = experiment_events(world.engine, w.ws["group"], since)
    mine = frame.loc[frame["USER_ID"] == user]
    assert list(mine["IMPRESSION"]) == [
        listed,  # implicit: the list the recommendationId names
        ("i7", "i8"),  # explicit
        ("i9", listed[1]),  # both: the explicit one
        None,  # an ID the engine never answered names no list
        None,  # neither
    ]
    assert list(mine["RECOMMENDATION_ID"].fillna("")) == [rid, "", rid, "RID-unknown", ""]
    # the row keeps what was sent: the explicit impression as the IMPRESSION field writes it
    with world.engine.db.connect() as conn:
        rows = conn.execute(
            select(t.interactions.c.extra)
            .where(t.interactions.c.user_id == user)
            .order_by(t.interactions.c.id)
        ).all()
    assert [(r.extra or {}).get("IMPRESSION") for r in rows] == [
        None,
        "i7|i8",
        f"i9|{listed[1]}",
        None,
        None,
    ]


def _put(w: World, event: dict[str, Any]) -> Any:
    return w.clients.events.put_events(
        trackingId=w.tracking_id, userId="u1", sessionId="s1", eventList=[event]
    )


def _event(**extra: Any) -> dict[str, Any]:
    return {"eventType": "View", "itemId": "i1", "sentAt": int(time.time()), **extra}


IMPRESSION = "eventList.1.member.impression"
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "26 items",
        _event(impression=[f"i{n}" for n in range(26)]),
        # ItemId is sensitive: the list's values are left out
        ONE + f"Value at '{IMPRESSION}' failed to satisfy constraint: Member must have length "
        "less than or equal to 25",
    ),
    (
        "an item ID of 257 characters",
        _event(impression=["i1", "x" * 257]),
        ONE + f"Value at '{IMPRESSION}' failed to satisfy constraint: Member must satisfy "
        "constraint: [Member must have length less than or equal to 256, Member must have "
        "length greater than or equal to 1]",
    ),
    (
        "both at once",
        _event(impression=["x" * 257] * 26),
        "2 validation errors detected: "
        f"Value at '{IMPRESSION}' failed to satisfy constraint: Member must have length less "
        f"than or equal to 25; Value at '{IMPRESSION}' failed to satisfy constraint: Member "
        "must satisfy constraint: [Member must have length less than or equal to 256, Member "
        "must have length greater than or equal to 1]",
    ),
    (
        "a recommendationId of 41 characters",
        _event(recommendationId="R" * 41),
        ONE + f"Value '{'R' * 41}' at 'eventList.1.member.recommendationId' failed to satisfy "
        "constraint: Member must have length less than or equal to 40",
    ),
]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("case", "event", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_impression_is_a_validation_exception(
    world: World, transport: str, case: str, event: dict[str, Any], message: str
) -> None:
    w = world.over(transport)
    assert refused(w, "ValidationException", lambda: _put(w, event), message) == message


@pytest.mark.parametrize(
    ("case", "impression", "message"),
    [
        (
            "an empty list",
            [],
            f"Value at '{IMPRESSION}' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1",
        ),
        (
            "an empty item ID",
            ["i1", ""],
            f"Value at '{IMPRESSION}' failed to satisfy constraint: Member must satisfy "
            "constraint: [Member must have length less than or equal to 256, Member must have "
            "length greater than or equal to 1]",
        ),
    ],
)
def test_what_boto3_refuses_itself_the_service_refuses_too(
    world: World, case: str, impression: list[str], message: str
) -> None:
    """boto3 checks minimum lengths before sending; a client that does not reaches the
    service, which answers ValidationException (400) with the same constraint."""
    before = snapshot(world.engine)
    body = {
        "trackingId": world.tracking_id,
        "sessionId": "s1",
        "eventList": [_event(impression=impression)],
    }
    status, payload = post_raw(
        world, "/events", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    assert (status, payload.get("__type", payload.get("code"))) == (400, "ValidationException")
    assert payload["message"] == ONE + message
    assert snapshot(world.engine) == before


def test_no_tracker_no_list_kept_and_a_deleted_group_takes_its_lists(
    clients: Clients, settings: Settings
) -> None:
    """Lists are kept only while the group has an event tracker (without one no event can
    name them), and deleting the group deletes them with its events."""
    ws = create_group(clients, settings.data_dir)
    solution, version = train(clients, ws["group"], "pop", "aws-popularity-count")
    p, runtime = clients.personalize, clients.runtime
    campaign = p.create_campaign(name="c", solutionVersionArn=version)["campaignArn"]

    def lists() -> list[str]:
        get_engine(settings).answers.flush()  # what the engine has answered so far, written
        with get_engine(settings).read_db.connect() as conn:
            c = t.shown_lists.c
            return list(conn.execute(select(c.recommendation_id)).scalars())

    untracked = runtime.get_recommendations(campaignArn=campaign, userId="u1")
    tracker = p.create_event_tracker(name="tr", datasetGroupArn=ws["group"])["eventTrackerArn"]
    tracked = runtime.get_recommendations(campaignArn=campaign, userId="u1")
    assert lists() == [tracked["recommendationId"]]
    assert untracked["recommendationId"] != tracked["recommendationId"]

    p.delete_campaign(campaignArn=campaign)
    p.delete_event_tracker(eventTrackerArn=tracker)
    p.delete_solution(solutionArn=solution)
    p.delete_dataset(datasetArn=ws["dataset"])
    p.delete_dataset_group(datasetGroupArn=ws["group"])
    assert lists() == []


@contextmanager
def held_answers(engine: LocalEngine) -> Iterator[AnswerLog]:
    """The engine's answers kept in its buffer until something writes them (its background
    thread would only after an hour), so a test sees a request find one still unwritten."""
    engine.answers.close()
    held = engine.answers = AnswerLog(engine.db, flush_seconds=3600)
    try:
        yield held
    finally:
        held.close()
        engine.answers = AnswerLog(engine.db)


def _written(engine: LocalEngine, rid: str) -> tuple[list[tuple[str, ...]], int]:
    """The items of the stored list ``rid`` (one entry when written) and its issued rows."""
    with engine.read_db.connect() as conn:
        shown = conn.execute(
            select(t.shown_lists.c.item_ids).where(t.shown_lists.c.recommendation_id == rid)
        ).scalars()
        listed = [tuple(items) for items in shown]
        issued = conn.execute(
            select(t.issued.c.recommendation_id).where(t.issued.c.recommendation_id == rid)
        ).all()
    return listed, len(issued)


def test_an_event_sent_at_once_finds_its_list_still_unwritten(world: World) -> None:
    """PutEvents writes the lists its recommendationIds name before it stores the events:
    the event gets its implicit impression though the answer had not been written yet."""
    since = datetime.now(UTC) - timedelta(minutes=1)
    with held_answers(world.engine):
        answer = world.clients.runtime.get_recommendations(
            campaignArn=world.campaign, userId="quick", numResults=4
        )
        rid, listed = answer["recommendationId"], [i["itemId"] for i in answer["itemList"]]
        assert _written(world.engine, rid) == ([], 0)  # still in the buffer
        world.clients.events.put_events(
            trackingId=world.tracking_id,
            userId="quick",
            sessionId="quick-s",
            eventList=[
                {"eventType": "View", "itemId": listed[2], "sentAt": int(time.time()),
                 "recommendationId": rid}
            ],
        )  # fmt: skip
        assert _written(world.engine, rid) == ([tuple(listed)], 0)  # no metric attribution
    frame, _prices = experiment_events(world.engine, world.ws["group"], since)
    assert list(frame.loc[frame["USER_ID"] == "quick", "IMPRESSION"]) == [tuple(listed)]


def test_a_list_the_store_refuses_is_logged_and_every_request_answered(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """A batch the database refuses (here a trigger failing every insert, as a full disk
    would) is dropped with a warning; GetRecommendations and PutEvents still answer."""
    refuse = (
        "CREATE TRIGGER refuse_lists BEFORE INSERT ON shown_lists "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    with world.engine.db.begin() as conn:
        conn.execute(text(refuse))
    try:
        with held_answers(world.engine), caplog.at_level(logging.WARNING):
            answer = world.clients.runtime.get_recommendations(
                campaignArn=world.campaign, userId="full", numResults=3
            )
            rid = answer["recommendationId"]
            sent = world.clients.events.put_events(
                trackingId=world.tracking_id,
                userId="full",
                sessionId="full-s",
                eventList=[{"eventType": "View", "itemId": "i1", "sentAt": int(time.time()),
                            "recommendationId": rid}],
            )  # fmt: skip
    finally:
        with world.engine.db.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse_lists"))
    assert len(answer["itemList"]) == 3
    assert sent["ResponseMetadata"]["HTTPStatusCode"] == 200
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("1 recommendation lists not logged" in w and "disk is full" in w for w in warnings)
    assert _written(world.engine, rid) == ([], 0)  # dropped, not retried
    with world.engine.read_db.connect() as conn:  # the event itself was stored
        kept = conn.execute(
            select(t.interactions.c.item_id).where(t.interactions.c.recommendation_id == rid)
        ).scalars()
        assert list(kept) == ["i1"]


def test_closing_the_engine_writes_the_lists_it_holds(clients: Clients, settings: Settings) -> None:
    """Engine shutdown writes what is still buffered: the list (a tracker) and the
    campaign it was answered by (a metric attribution)."""
    ws = create_group(clients, settings.data_dir)
    _, version = train(clients, ws["group"], "pop", "aws-popularity-count")
    p = clients.personalize
    campaign = p.create_campaign(name="c", solutionVersionArn=version)["campaignArn"]
    track_and_attribute(clients, ws["group"])
    engine = get_engine(settings)
    engine.answers.close()
    engine.answers = AnswerLog(engine.db, flush_seconds=3600)
    answer = clients.runtime.get_recommendations(campaignArn=campaign, userId="u1", numResults=3)
    rid, listed = answer["recommendationId"], tuple(i["itemId"] for i in answer["itemList"])
    assert _written(engine, rid) == ([], 0)  # still in the buffer
    reset_engines()  # closes the engine
    assert _written(get_engine(settings), rid) == ([listed], 1)


def test_an_answer_no_event_names_is_written_by_the_background_thread(world: World) -> None:
    """Without PutEvents or shutdown the list still reaches the table: the engine's thread
    writes what waits every ``FLUSH_SECONDS`` (here waited for up to 30 s)."""
    answer = world.clients.runtime.get_recommendations(
        campaignArn=world.campaign, userId="idle", numResults=2
    )
    rid, listed = answer["recommendationId"], tuple(i["itemId"] for i in answer["itemList"])
    deadline = time.monotonic() + 30
    while _written(world.engine, rid) == ([], 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _written(world.engine, rid) == ([listed], 0)
