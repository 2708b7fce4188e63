"""Experiments page: the verdict on live traffic with a planted lift, promoting the winner
(operator, confirmed, audited), a viewer refused by every route, starting one from the form."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.experiments.records import PROMOTED, RUNNING, Arm, Experiment, ExperimentStore
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.store.tables import Store
from tests.dashboard.conftest import Seeded, app_at, viewer_at
from tests.dashboard.rendered import shown
from tests.dashboard.test_aws_mode import aws_pages  # noqa: F401 (a fixture)
from tests.dashboard.test_korean_pages import (  # vocabulary: a fixture
    english_words,
    korean_page,
    visible_strings,
    vocabulary,  # noqa: F401
)
from tests.experiments.traffic import send_traffic

PAGE = "dashboard/pages/experiments.py"
ITEMS = [f"i{i}" for i in range(90)]


def _store() -> ExperimentStore:
    return ExperimentStore(Settings.from_env().dashboard_db_url)


def _start(seeded: Seeded, name: str = "page-ab", days: float = 3.0) -> Experiment:
    return _store().start(
        name,
        seeded.group,
        [Arm("A", 5_000, seeded.up_campaign), Arm("B", 5_000, seeded.pop_campaign)],
        actor="test",
        click_event="View",
        conversion_event="Purchase",
        planned_users=400,
        started=datetime.now(UTC) - timedelta(days=days),
    )


@pytest.fixture
def running(seeded: Seeded) -> Experiment:
    """An experiment three days old with 400 users' traffic: B converts 3.5 times as often."""
    experiment = _start(seeded)
    clients = build_clients(Settings.from_env())
    users = [f"shopper-{n}" for n in range(400)]
    bought = send_traffic(
        clients, seeded.tracking_id, experiment, users, ITEMS,
        base_rate=0.1, lift=2.5, at=int(time.time()) - 3_600,
    )  # fmt: skip
    assert bought["B"] > 2 * bought["A"]
    return experiment


def _texts(at: AppTest, kind: str) -> list[str]:
    return [shown(e.value) for e in getattr(at, kind)]


def _audit(action: str) -> list[Any]:
    return [
        r
        for r in Store(Settings.from_env().dashboard_db_url).recent_actions()
        if r.action == action
    ]


def test_the_page_finds_the_planted_lift_and_the_operator_promotes_it(
    seeded: Seeded, running: Experiment, facade: PersonalizeService
) -> None:
    at = app_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    [headline] = _texts(at, "success")
    assert headline.startswith("B beats A on revenue per user by +"), headline
    assert "95% CI" in headline and "valid however often you look" in headline
    arms = at.dataframe[0].value
    # every user with an event since the start counts: the 400 shoppers and the seeded
    # workspace's 12 recent visitors (u0..u11), each in the arm the split rule gives them
    users = [f"shopper-{n}" for n in range(400)] + [f"u{n}" for n in range(12)]
    assert [int(v.replace(",", "")) for v in arms["users"]] == [
        sum(1 for u in users if _arm_of(running, u) == arm) for arm in "AB"
    ]
    intervals = at.dataframe[1].value
    assert list(intervals["verdict"]) == ["better", "better"]
    assert any("users a day" in c for c in _texts(at, "caption"))

    promote = f"experiment_promote_{running.id}"
    assert at.selectbox(key=f"experiment_winner_{running.id}_B").value == "B"
    at.button(key=f"{promote}_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    dialog = " ".join(shown(m.value) for m in at.markdown)
    assert "UpdateCampaign" in dialog and "shop-pop-campaign" in dialog
    at.button(key=f"{promote}_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]

    stored = _store().get(running.id)
    assert (stored.status, stored.winner) == (PROMOTED, "B")
    served = facade.describe_campaign(seeded.up_campaign)
    update = served.pending_update
    assert update is not None and update.solution_version_arn == seeded.pop_version
    [row] = _audit("promote_experiment_winner")
    assert (row.result, row.actor, row.params["winner"]) == ("ok", row.actor, "B")
    assert (row.target, row.params["dataset_group"]) == (running.name, running.dataset_group_arn)
    assert seeded.up_campaign in (row.message or "")
    # the version as every page names it (solution/ID), not its whole ARN
    pop_label = f"shop-pop/{seeded.pop_version.rsplit('/', 1)[-1]}"
    assert any(
        s == f"B promoted: 1 campaign updated to {pop_label}." for s in _texts(at, "success")
    ), _texts(at, "success")


def _arm_of(experiment: Experiment, user: str) -> str:
    from services.experiments.assignment import assign

    return assign(experiment.name, user, experiment.split)


def test_no_traffic_yet_says_so(seeded: Seeded) -> None:
    _start(seeded, "quiet-ab", days=0.0)
    at = app_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    [info] = [t for t in _texts(at, "info") if t.startswith("Not enough data yet")]
    assert "at least 30 users" in info


def forge_confirm(at: AppTest, key: str, action: str) -> None:
    """The confirm dialog ``key`` forged open through session state and confirmed by the
    viewer vera: the server-side check refuses, says so and audits the attempt (``action``)."""
    at.session_state[f"{key}_open"] = True
    at.run()
    at.button(key=f"{key}_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(t.startswith("Not allowed: vera is a viewer") for t in _texts(at, "error"))
    assert [(r.actor, r.result) for r in _audit(action)] == [("vera", "error")]


def test_a_viewer_cannot_promote_by_any_route(
    seeded: Seeded, running: Experiment, facade: PersonalizeService
) -> None:
    served = facade.describe_campaign(seeded.up_campaign)
    at = viewer_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    promote = f"experiment_promote_{running.id}"
    for key in (f"{promote}_button", f"experiment_stop_{running.id}_button"):
        assert at.button(key=key).disabled and "vera is a viewer" in at.button(key=key).help
    forge_confirm(at, promote, "promote_experiment_winner")
    assert _store().get(running.id).status == RUNNING
    assert facade.describe_campaign(seeded.up_campaign) == served


def test_the_operator_starts_an_experiment_from_the_form(seeded: Seeded) -> None:
    at = app_at(PAGE)
    assert "No experiment yet: start one below." in _texts(at, "info")
    at.text_input(key="experiment_name").input("has space")
    at.selectbox(key="experiment_a").set_value(seeded.up_campaign)
    at.selectbox(key="experiment_b").set_value(seeded.pop_campaign)
    at.slider(key="experiment_share").set_value(30)
    at.button(key="FormSubmitter:experiment_start-Start the experiment").click().run()
    assert any("is not allowed" in t for t in _texts(at, "error"))
    assert _store().list() == []

    at.text_input(key="experiment_name").input("form-ab")
    at.button(key="FormSubmitter:experiment_start-Start the experiment").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [stored] = _store().list()
    assert stored.name == "form-ab" and stored.split == [("A", 3_000), ("B", 7_000)]
    assert [a.target for a in stored.arms] == [seeded.up_campaign, seeded.pop_campaign]
    assert [r.result for r in _audit("start_experiment")] == ["ok", "error"]  # newest first
    assert at.selectbox(key="experiment_pick").value == stored.id


def test_on_aws_the_page_says_where_per_arm_metrics_are(
    aws_pages: PersonalizeService,  # noqa: F811
    seeded: Seeded,
) -> None:
    experiment = _start(seeded, "aws-ab")
    at = app_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert any("eventAttributionSource" in t for t in _texts(at, "info"))
    # no outcomes are read, but the experiment can still be ended (here by nobody: on AWS
    # without configured access everybody is a viewer)
    assert at.button(key=f"experiment_stop_{experiment.id}_button").disabled


def test_the_report_and_its_actions_read_in_korean(
    seeded: Seeded,
    vocabulary: tuple[re.Pattern[str], set[str]],  # noqa: F811
) -> None:
    experiment = _start(seeded, "x-1")
    clients = build_clients(Settings.from_env())
    send_traffic(
        clients, seeded.tracking_id, experiment, [f"shopper-{n}" for n in range(200)], ITEMS,
        base_rate=0.1, lift=3.0, at=int(time.time()) - 3_600,
    )  # fmt: skip
    at = korean_page(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    data, kept = vocabulary
    strings = list(visible_strings(at))
    assert any("앞섭니다" in text for _where, text in strings)  # the verdict drew, in Korean
    english = {
        (where, text): words
        for where, text in strings
        if (words := english_words(text, data, kept))
    }
    assert not english, english


def test_the_operator_stops_an_experiment(seeded: Seeded, facade: PersonalizeService) -> None:
    experiment = _start(seeded, "stop-ab")
    served = facade.describe_campaign(seeded.up_campaign)
    at = app_at(PAGE)
    stop = f"experiment_stop_{experiment.id}"
    at.button(key=f"{stop}_button").click().run()
    at.button(key=f"{stop}_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    stopped = _store().get(experiment.id)
    assert stopped.status == "stopped" and stopped.winner is None
    assert [r.result for r in _audit("stop_experiment")] == ["ok"]
    assert facade.describe_campaign(seeded.up_campaign) == served  # nothing else changed
    assert f"{stop}_button" not in [b.key for b in at.button]  # a stopped one has no actions


def test_impressions_and_click_through_rate_per_arm_and_an_arm_without_them(
    seeded: Seeded,
) -> None:
    """A's shoppers are each shown one list of 5 by A's campaign: half view its first item
    with the recommendationId alone (the implicit impression, clicked), the others view an item
    that is not on it with the list as their impression (explicit, not clicked). B's shoppers
    send plain views: B has no impression data, and the page says so instead of a 0."""
    experiment = _start(seeded, "imp-ab")
    clients = build_clients(Settings.from_env())
    at_second = int(time.time()) - 3_600
    shown = clicked = 0
    for n in range(40):
        user = f"shopper-{n}"
        if _arm_of(experiment, user) == "B":
            event: dict[str, Any] = {"eventType": "View", "itemId": "i1", "sentAt": at_second}
        else:
            answer = clients.runtime.get_recommendations(
                campaignArn=seeded.up_campaign, userId=user, numResults=5
            )
            listed = [i["itemId"] for i in answer["itemList"]]
            assert len(listed) == 5
            shown += 1
            if n % 2 == 0:
                clicked += 1
                event = {"eventType": "View", "itemId": listed[0], "sentAt": at_second,
                         "recommendationId": answer["recommendationId"]}  # fmt: skip
            else:
                other = next(i for i in ITEMS if i not in listed)
                event = {"eventType": "View", "itemId": other, "sentAt": at_second,
                         "impression": listed}  # fmt: skip
        clients.events.put_events(
            trackingId=seeded.tracking_id, userId=user, sessionId=f"{user}-s", eventList=[event]
        )
    assert 0 < clicked < shown  # both kinds of A shopper are there

    at = app_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    arms = at.dataframe[0].value.set_index("arm")
    figures = ["impressions (lists shown)", "items shown", "clicks on shown items"]
    assert list(arms.loc["A", figures]) == [str(shown), str(5 * shown), str(clicked)]
    assert arms.loc["A", "click-through rate"] == f"{100 * clicked / shown:.1f}%"
    assert arms.loc["A", "lists acted on"] == str(clicked)  # only the clicks named their list
    assert list(arms.loc["B", [*figures, "click-through rate"]]) == ["–"] * 4
    assert (
        "No impression data for arm B: send impression or recommendationId with PutEvents to "
        "measure this."
    ) in _texts(at, "info")
    assert any(
        "Click-through rate = shown lists with at least one click on one of their items in the "
        "same session ÷ shown lists" in c
        for c in _texts(at, "caption")
    )


# purchases per shopper in the hand-built log of the test below (every shopper also views)
PURCHASES = [2, 1, 0, 3, 0, 1, 0, 1, 2, 0, 0, 1, 3, 0, 1, 2]


def test_users_who_converted_is_the_numerator_of_the_conversion_rate(seeded: Seeded) -> None:
    """16 shoppers view an item and buy it 0 to 3 times (PURCHASES). Per arm, the users who
    converted are the shoppers with at least one purchase, conversions every purchase, and the
    rate the converted ÷ users, where users include the seeded workspace's 12 recent visitors
    (u0..u11: views only, never a purchase)."""
    experiment = _start(seeded, "conv-ab")
    clients = build_clients(Settings.from_env())
    at_second = int(time.time()) - 3_600
    for n, bought in enumerate(PURCHASES):
        view = {"eventType": "View", "itemId": "i1", "sentAt": at_second}
        buys = [{"eventType": "Purchase", "itemId": "i1", "sentAt": at_second}] * bought
        clients.events.put_events(
            trackingId=seeded.tracking_id,
            userId=f"shopper-{n}",
            sessionId=f"shopper-{n}-s",
            eventList=[view, *buys],
        )
    at = app_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    arms = at.dataframe[0].value.set_index("arm")
    for arm in "AB":
        mine = [b for n, b in enumerate(PURCHASES) if _arm_of(experiment, f"shopper-{n}") == arm]
        visitors = sum(1 for n in range(12) if _arm_of(experiment, f"u{n}") == arm)
        users, converted, conversions = len(mine) + visitors, sum(b > 0 for b in mine), sum(mine)
        assert 0 < converted < conversions  # the rate is not conversions ÷ users here
        row = arms.loc[arm]
        assert (row["users"], row["users who converted"], row["conversions"]) == (
            str(users),
            str(converted),
            str(conversions),
        )
        assert row["conversion rate"] == f"{100 * converted / users:.2f}%"
    assert (
        "Conversion rate = users with at least one conversion ÷ users (users who converted ÷ "
        "users). Conversions: every conversion event, so one user can add several."
    ) in _texts(at, "caption")


def _revenue(at: AppTest, arm: str) -> float:
    """The arms table's revenue of ``arm`` as a number (its currency sign and separators
    dropped)."""
    cell = at.dataframe[0].value.set_index("arm").loc[arm, "revenue"]
    return float(re.sub(r"[^\d.]", "", cell))


def test_the_kept_events_are_read_again_after_an_event_a_price_or_an_import(
    seeded: Seeded,
) -> None:
    """The page keeps an experiment's events between runs (``reads.experiment_events``) under
    the engine's data version, so nothing it shows is older than the data. By hand, from the
    seeded items' prices (``write_items``: i1 6, i2 7) and purchases without an eventValue
    (revenue = the item's price; the seeded visitors u0..u11 only view): arm A's revenue is 6
    after one purchase of i1; 13 after a purchase of i2 (a new event); 107 after PutItems sets
    i1's PRICE to 100; 100 after a FULL Items import prices every item 50 (a FULL import
    replaces the PutItems rows too)."""
    from tests.local.workspace import import_file, write_items

    experiment = _start(seeded, "fresh-ab", days=1.0)
    clients = build_clients(Settings.from_env())
    buyers = [u for u in (f"late-{n}" for n in range(50)) if _arm_of(experiment, u) == "A"][:2]
    at_second = int(time.time()) - 600

    def buy(user: str, item: str) -> None:
        clients.events.put_events(
            trackingId=seeded.tracking_id, userId=user, sessionId=f"{user}-s",
            eventList=[{"eventType": "Purchase", "itemId": item, "sentAt": at_second}],
        )  # fmt: skip

    buy(buyers[0], "i1")
    at = app_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert _revenue(at, "A") == 6
    at.run()  # nothing changed: the same figures from the kept read
    assert _revenue(at, "A") == 6
    buy(buyers[1], "i2")
    at.run()
    assert _revenue(at, "A") == 13
    clients.events.put_items(
        datasetArn=seeded.items,
        items=[{"itemId": "i1", "properties": json.dumps({"CATEGORY": "cat0", "PRICE": 100})}],
    )
    at.run()
    assert _revenue(at, "A") == 107
    data_dir = Settings.from_env().data_dir
    write_items(data_dir / "s3" / "bucket" / "shop" / "items-50.csv")
    text = (data_dir / "s3" / "bucket" / "shop" / "items-50.csv").read_text()
    rows = [r.split(",") for r in text.splitlines()]
    rows = [rows[0]] + [[r[0], r[1], "50", r[3]] for r in rows[1:]]
    (data_dir / "s3" / "bucket" / "shop" / "items-50.csv").write_text(
        "\n".join(",".join(r) for r in rows) + "\n"
    )
    import_file(clients, seeded.items, "items-at-50", "s3://bucket/shop/items-50.csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _revenue(at, "A") == 100
