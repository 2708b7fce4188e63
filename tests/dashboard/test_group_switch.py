"""A switch of dataset group redraws what came from the previous group (trial s13, findings 3
and 5): the side-by-side comparison's versions, the rule playground's customers, the item
and user fields of the tools. The seeded shop (users u0…, items i0…) plus "kshop", a second
group with Hangul user IDs (김철수00…), items P0000…, two popularity-count versions (v1
deployed) and an aws-sims campaign.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components.widget_scope import scoped
from services.config import Settings
from services.db import dispose_engines
from services.local.engine import reset_engines
from services.personalize.clients import build_clients
from tests.dashboard.conftest import Seeded, app_at, use_copy
from tests.local.workspace import START, create_group, train, trained, wait_for, write_events

KSHOP_USERS = [f"김철수{u:02d}" for u in range(40)]


def _write_kshop(path: Path) -> int:
    """40 users × 30 views of 60 items P0000…: enough for an import (≥ 1,000, ≥ 25 users)."""
    return write_events(
        path,
        (
            (user, f"P{(u * 7 + k) % 60:04d}", START + u * 1000 + k * 10, "view")
            for u, user in enumerate(KSHOP_USERS)
            for k in range(30)
        ),
    )


def _add_kshop(data_dir: Path) -> dict[str, str]:
    clients = build_clients(
        Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    )
    p = clients.personalize
    ws = create_group(clients, data_dir, name="kshop", write=_write_kshop)
    solution, v1 = train(clients, ws["group"], "kshop-pop", "aws-popularity-count")
    v2 = p.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    trained(clients, v2)
    _, sims = train(clients, ws["group"], "kshop-sims", "aws-sims")
    for name, version in (("kshop-campaign", v1), ("kshop-sims-campaign", sims)):
        arn = p.create_campaign(name=name, solutionVersionArn=version)["campaignArn"]
        wait_for(lambda arn=arn: p.describe_campaign(campaignArn=arn), "campaign")
    reset_engines()
    dispose_engines()
    return {"group": ws["group"], "v1": v1, "v2": v2}


@pytest.fixture(scope="module")
def two_groups_template(
    seeded_template: tuple[Path, Seeded], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, tuple[Seeded, dict[str, str]]]:
    template, seeded = seeded_template
    data_dir = tmp_path_factory.mktemp("two-groups") / "data"
    shutil.copytree(template, data_dir)
    return data_dir, (seeded, _add_kshop(data_dir))


@pytest.fixture
def two_groups(
    two_groups_template: tuple[Path, tuple[Seeded, dict[str, str]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Seeded, dict[str, str]]]:
    template, value = two_groups_template
    yield from use_copy(template, tmp_path, monkeypatch, value)


def _pair(at: AppTest) -> list[tuple[str, str]]:
    """The side-by-side selectboxes as (widget id, the label the browser shows)."""
    boxes = [s for s in at.selectbox if s.label in ("Version", "Compared with")]
    assert len(boxes) == 2, [s.label for s in at.selectbox]
    return [(s.id, s.format_func(s.value)) for s in boxes]


def test_the_side_by_side_pair_is_the_new_groups_after_a_switch(
    two_groups: tuple[Seeded, dict[str, str]],
) -> None:
    shop, kshop = two_groups
    at = app_at("dashboard/pages/solutions.py")
    at.selectbox(key="solutions_group").set_value("shop").run()
    before = _pair(at)
    assert all("shop-" in label and "kshop" not in label for _, label in before), before
    at.selectbox(key="solutions_group").set_value("kshop").run()
    assert not at.exception, [e.value for e in at.exception]
    after = _pair(at)
    # Other widgets (new ids): the browser keeps a widget's shown label while its id stays,
    # which is how the trial read demo names over kshop numbers.
    assert {i for i, _ in after}.isdisjoint(i for i, _ in before)
    assert all(label.startswith("kshop-pop/") for _, label in after), after
    # the default pair: the newest version of the deployed solution vs the deployed v1
    a = at.selectbox(key=scoped("cmp_a", kshop["group"]))
    b = at.selectbox(key=scoped("cmp_b", kshop["group"]))
    assert (a.value, b.value) == (kshop["v2"], kshop["v1"])
    # and back: the shop's default pair again (v2 vs the deployed v1)
    at.selectbox(key="solutions_group").set_value("shop").run()
    a = at.selectbox(key=scoped("cmp_a", shop.group))
    assert (a.value, at.selectbox(key=scoped("cmp_b", shop.group)).value) == (
        shop.up_v2,
        shop.up_v1,
    )


def _lines(at: AppTest, key: str) -> list[str]:
    return [line for line in at.text_area(key=key).value.splitlines() if line]


def _sampled(at: AppTest) -> list[str]:
    """The users the page sampled, in order: the x axis of its agreement heatmap."""
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    (users,) = [s["data"][0]["x"] for s in specs if s["data"] and s["data"][0]["type"] == "heatmap"]
    return list(users)


def test_the_playground_and_tools_refill_with_the_new_groups_users_and_items(
    two_groups: tuple[Seeded, dict[str, str]],
) -> None:
    at = app_at("dashboard/pages/recommendations.py")
    at.selectbox(key="rec_group").set_value("shop").run()
    assert _lines(at, "pg_users") == _sampled(at)[:3]
    assert all(u.startswith("u") for u in _sampled(at))
    at.selectbox(key="rec_group").set_value("kshop").run()
    assert not at.exception, [e.value for e in at.exception]
    # the page's sample of kshop's users (its first three), not the shop's customers
    users = _lines(at, "pg_users")
    assert users == _sampled(at)[:3] and set(users) <= set(KSHOP_USERS), users
    # the similar-items field holds kshop's most popular item, not the shop's i…
    assert at.text_input(key="rec_sims_item").value.startswith("P")

    # what the person types for this group is kept, also over a new sample
    at.text_area(key="pg_users").input("김철수07\n김철수08").run()
    at.radio(key="rec_how").set_value("Least active").run()
    assert _lines(at, "pg_users") == ["김철수07", "김철수08"]
    # a switch refills the field with the group's users ...
    at.selectbox(key="rec_group").set_value("shop").run()
    assert _lines(at, "pg_users") == _sampled(at)[:3]
    # ... and, untouched, it follows the page's new sample (u0-u11 are the most active)
    at.radio(key="rec_how").set_value("Most active").run()
    assert _lines(at, "pg_users") == _sampled(at)[:3]
    assert set(_sampled(at)[:3]) <= {f"u{i}" for i in range(12)}


def test_the_group_picked_on_one_page_is_the_group_of_the_others(
    two_groups: tuple[Seeded, dict[str, str]],
) -> None:
    """Trial s14 finding 9: every page opened on the first group (the shop) again."""
    _, kshop = two_groups
    at = app_at("dashboard/pages/data.py")
    assert at.selectbox(key="data_group").value == "shop"  # the first group, before any pick
    at.selectbox(key="data_group").set_value("kshop").run()
    at.switch_page("dashboard/pages/recommendations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="rec_group").value == "kshop"
    at.switch_page("dashboard/pages/solutions.py").run()
    assert at.selectbox(key="solutions_group").value == "kshop"
    at.switch_page("dashboard/pages/operations.py").run()
    assert at.selectbox(key="nc_group").value == kshop["group"]  # Operations' values are ARNs
    assert at.selectbox(key="ns_group").value == kshop["group"]
    # a pick on Operations goes back to Data too
    at.selectbox(key="nc_group").set_value(at.selectbox(key="nc_group").options[0]).run()
    picked = at.selectbox(key="nc_group").value
    at.switch_page("dashboard/pages/data.py").run()
    assert picked != kshop["group"] and at.selectbox(key="data_group").value == "shop"


def test_a_group_without_an_event_tracker_is_not_told_to_check_its_tracking_id(
    two_groups: tuple[Seeded, dict[str, str]],
) -> None:
    """Trial s14 finding 6: kshop has no event tracker and its events are old (START), so
    before the fix the page also warned "check the app sends them with the trackingId"."""
    at = app_at("dashboard/pages/data.py")
    at.selectbox(key="data_group").set_value("kshop").run()
    assert not at.exception, [e.value for e in at.exception]
    infos = [i.value for i in at.info]
    assert any(i.startswith("No event tracker in this group") for i in infos), infos
    assert not [w.value for w in at.warning if "trackingId" in w.value]


def test_a_compare_link_on_a_group_with_one_user_campaign_says_why_it_shows_one(
    two_groups: tuple[Seeded, dict[str, str]],
) -> None:
    """Trial s14 finding 4: ``?tab=compare`` on a group with one campaign that recommends
    for users showed the one-campaign view without a word. kshop has two campaigns, but its
    aws-sims one answers for an item: one (by hand) recommends for users."""
    at = app_at("dashboard/pages/recommendations.py")
    at.query_params["tab"] = "compare"
    at.selectbox(key="rec_group").set_value("shop").run()
    needs_two = "Comparing needs two campaigns"
    assert "Compare two campaigns" in at.radio(key="rec_mode").options  # the shop can
    assert not [i for i in at.info if i.value.startswith(needs_two)]
    at.selectbox(key="rec_group").set_value("kshop").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Compare two campaigns" not in at.radio(key="rec_mode").options
    said = [i.value for i in at.info if i.value.startswith(needs_two)]
    assert said == [
        "Comparing needs two campaigns that recommend for users, and this group has 1: deploy "
        "another version on Operations to compare them here."
    ]
