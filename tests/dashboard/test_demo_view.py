"""The demo shop's default views tell the story the product exists for: the deployed version
gives recent shoppers the same items, the newer version (not deployed) does not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import deps
from services.db import dispose_engines
from services.i18n import formats
from services.local.engine import reset_engines
from services.local.rules.metric_keys import METRIC_KEYS
from services.workspace.metric_names import metric_label
from tests.dashboard.conftest import app_at
from tests.dashboard.rendered import shown
from tests.demo_seed import DemoLog, DemoSeed, recording

pytestmark = pytest.mark.slow
DAYS_14 = 14 * 86_400


@dataclass(frozen=True)
class DemoRun:
    data_dir: Path
    pristine: Path  # a copy taken right after seeding, before any page asked for a list
    log: DemoLog


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory, demo_seed: DemoSeed) -> DemoRun:
    """The run's one seeded demo (tests/demo_seed.py), copied twice: one to use, one left as
    seeding left it."""
    root = tmp_path_factory.mktemp("demo-view")
    demo_seed.copy(root / "data")
    demo_seed.copy(root / "pristine")
    return DemoRun(root / "data", root / "pristine", demo_seed.log)


def _use(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PERSONALIZE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PERSONALIZE_LOCAL_LIFECYCLE_SECONDS", "0")
    monkeypatch.setenv("PERSONALIZE_LOCAL_WORKER", "thread")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield data_dir
    st.cache_data.clear()
    st.cache_resource.clear()
    reset_engines()
    dispose_engines()


@pytest.fixture
def demo(demo_run: DemoRun, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from _use(demo_run.data_dir, monkeypatch)


@pytest.fixture
def pristine_demo(demo_run: DemoRun, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoRun]:
    """The demo as seeding left it, with the dashboard's clients logging into the demo's log:
    the pages' own GetRecommendations calls (the Overview's data checks) issue lists too, and
    the engine counts their items as impressions."""
    monkeypatch.setattr(deps, "build_clients", recording(demo_run.log))
    for _ in _use(demo_run.pristine, monkeypatch):
        yield demo_run


def test_default_recommendations_view_flags_the_deployed_version(demo: Path) -> None:
    at = app_at("dashboard/pages/recommendations.py")
    assert not at.exception, [e.value for e in at.exception]
    banners = [shown(e.value) for e in at.error]
    flagged = [b for b in banners if "demo-recommendations" in b]
    assert flagged, banners
    same, total = map(int, re.search(r"(\d+) of (\d+) sampled users", flagged[0]).groups())
    assert total >= 10 and same / total >= 0.75, flagged[0]
    # The cause named first is the demo's trap: version 2 (trained on the replayed events) is
    # ACTIVE and not deployed, and the sampled users' events came after version 1.
    assert "is ACTIVE and not deployed" in flagged[0], flagged[0]


def test_typed_replayed_shoppers_are_unknown_to_the_deployed_version(demo: Path) -> None:
    """user-0301 and user-0302 shopped only in the replay, after version 1 was trained: the
    group's data has them, the version demo-recommendations serves does not, and the typed-ID
    check says so (it used to call all four "known to the model")."""
    from services.config import Settings
    from services.personalize.clients import build_clients

    clients = build_clients(Settings.from_env())
    (campaign,) = [
        c for c in clients.personalize.list_campaigns()["campaigns"]
        if c["name"] == "demo-recommendations"
    ]  # fmt: skip
    served = clients.personalize.describe_campaign(campaignArn=campaign["campaignArn"])
    version = "/".join(served["campaign"]["solutionVersionArn"].rsplit("/", 2)[-2:])

    def top(user: str) -> list[str]:
        answer = clients.runtime.get_recommendations(
            campaignArn=campaign["campaignArn"], userId=user, numResults=10
        )
        return [i["itemId"] for i in answer["itemList"]]

    # what the check will claim, seen from outside: the version's popular items for them
    assert top("user-0301") == top("user-0302") == top("never-seen-0")

    at = app_at("dashboard/pages/recommendations.py")
    at.radio(key="rec_mode").set_value("One campaign").run()
    box = at.selectbox(key="rec_a")
    box.select(next(o for o in box.options if o.startswith("demo-recommendations "))).run()
    at.radio(key="rec_how").set_value("Typed IDs").run()
    at.text_area(key="rec_typed").set_value("user-0001\nuser-0002\nuser-0301\nuser-0302").run()
    assert not at.exception, [e.value for e in at.exception]
    notes = [shown(b.value) for b in [*at.info, *at.warning] if "user IDs are" in shown(b.value)]
    assert len(notes) == 1, notes
    assert (
        f"2 of 4 user IDs are known to version {version} ('user-0301', 'user-0302' are not). "
        f"2 of them have events newer than the data version {version} was trained on"
    ) in notes[0], notes[0]


def test_overview_says_version_2_is_not_deployed(demo: Path) -> None:
    at = app_at("dashboard/pages/overview.py")
    assert not at.exception
    texts = [shown(w.value) for w in at.warning] + [shown(e.value) for e in at.error]
    assert any("demo-recommendations" in t and "not deployed" in t for t in texts), texts
    # The data checks probe recently active shoppers: the deployed version fails them.
    errors = [shown(e.value) for e in at.error]
    assert any("demo-recommendations" in t and "got the same top 10" in t for t in errors), errors
    blamed = [t for t in errors if "got the same top 10" in t and "ACTIVE and not deployed" in t]
    assert blamed, errors


def _hand_counts(run: DemoRun) -> pd.DataFrame:
    """Per campaign: views, purchases, revenue and requests, counted from what the demo's and
    the pages' clients sent (PutEvents with a recommendationId, less than 14 days old when it
    arrived, as CloudWatch takes them) and asked (each list's campaign), with prices from the
    demo's own items file."""
    items = pd.read_csv(run.data_dir / "s3" / "demo-shop" / "demo-eshop" / "items.csv")
    price = dict(zip(items["ITEM_ID"], items["PRICE"], strict=True))
    rows: dict[str, dict[str, float]] = {}
    for campaign, _listed in run.log.served.values():
        if ":campaign/" not in campaign:
            continue  # the recommender's group (demo-eshop) has no metric attribution
        row = rows.setdefault(
            campaign.rsplit("/", 1)[-1],
            {"views": 0.0, "purchases": 0.0, "revenue": 0.0, "requests": 0},
        )
        row["requests"] += 1
    for event in run.log.events:
        if "recommendationId" not in event:
            continue
        before, after = event["_arrived"]
        sent = float(event["sentAt"])  # the demo sends epoch seconds
        # an event sent within the call's own duration of the 14-day edge cannot be judged
        assert not (before - DAYS_14 <= sent < after - DAYS_14), event
        if sent < after - DAYS_14:
            continue
        campaign, _ = run.log.served[event["recommendationId"]]
        row = rows[campaign.rsplit("/", 1)[-1]]
        if event["eventType"] == "View":
            row["views"] += 1
        elif event["eventType"] == "Purchase":
            row["purchases"] += 1
            row["revenue"] += price[event["itemId"]]
    frame = pd.DataFrame.from_dict(rows, orient="index").rename_axis("served by").sort_index()
    frame["revenue"] = frame["revenue"].round(2)
    return frame


def test_offline_vs_online_matches_the_replayed_events(pristine_demo: DemoRun) -> None:
    at = app_at("dashboard/pages/solutions.py")
    assert not at.exception, [e.value for e in at.exception]
    (table,) = [d.value for d in at.dataframe if "recommendation requests" in d.value.columns]
    shown = table.set_index("served by")
    hand = _hand_counts(pristine_demo)
    assert {"demo-popularity", "demo-recommendations"} <= set(hand.index)
    assert hand.loc["demo-recommendations", "views"] > 0  # the replay clicked recommendations
    for campaign, row in hand.iterrows():
        got = shown.loc[campaign]
        # counts as the page writes them: "1,221"
        assert (got["views"], got["purchases"], got["recommendation requests"]) == (
            formats.count(row["views"]),
            formats.count(row["purchases"]),
            formats.count(row["requests"]),
        ), campaign
        # revenue is shown in won: "₩1,234,500"
        assert got["revenue"] == formats.money(row["revenue"], "KRW"), campaign
        rate = row["views"] / row["requests"]
        assert float(got["views per request"]) == pytest.approx(rate, abs=5e-5)
    # the personalised campaign's version has its offline NDCG next to its online numbers
    assert float(shown.loc["demo-recommendations", "NDCG@10"]) > 0


def test_solutions_shows_v1_and_v2_of_the_same_data_as_two_models(demo: Path) -> None:
    """The demo's v1-vs-v2 comparison on Solutions & metrics: the newest v1 and the v2 version
    trained on the same data, scored on the same users, differ by 10 % or more in at least three
    metric columns, and v2 says how its training stopped (max_training_seconds 10 in the setup
    file)."""
    at = app_at("dashboard/pages/solutions.py")
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "test users scored" in d.value.columns)
    (v2,) = [r for _, r in table.iterrows() if r["recipe"] == "aws-user-personalization-v2"]
    (v1,) = [
        r
        for _, r in table.iterrows()
        if r["recipe"] == "aws-user-personalization"
        and r["version"].startswith("demo-user-personalization/")
        and r["training data (UTC)"] == v2["training data (UTC)"]
    ]
    assert v1["test users scored"] == v2["test users scored"] != "–"
    assert v1["training stopped"] == "–"  # v1 does not train for epochs
    assert re.fullmatch(
        r"(time budget 30 s \(took (\d+ min )?\d+(\.\d)? s\)|early stopping|every epoch).*"
        r"; compiling (\d+ min )?\d+(\.\d)? s, outside the budget",
        v2["training stopped"],
    ), v2["training stopped"]
    metric_columns = [metric_label(k) for k in METRIC_KEYS]
    assert set(metric_columns) <= set(table.columns)

    def value(cell: str) -> float:
        return float(cell.split()[0])  # "0.2008 ★" → 0.2008

    apart = [
        c
        for c in metric_columns
        if abs(value(v1[c]) - value(v2[c])) >= 0.1 * max(value(v1[c]), value(v2[c]))
    ]
    # Two seeded runs under load: 7 and 4 of the 8 columns apart (v2's epochs depend on its time
    # budget and the load); a model renamed, or v2 scoring as v1, has none apart.
    assert len(apart) >= 3, (apart, v1.to_dict(), v2.to_dict())


def test_overview_shows_the_best_sellers_recommender(demo: Path) -> None:
    at = app_at("dashboard/pages/overview.py")
    (frame,) = [d.value for d in at.dataframe if "recommender" in d.value.columns]
    assert frame[["recommender", "use case", "status"]].values.tolist() == [
        ["demo-best-sellers", "Best sellers", "ACTIVE"]
    ]


def test_who_should_get_this_offers_the_demos_item_affinity_version(demo: Path) -> None:
    """The demo trains demo-item-affinity, so the Recommendations page's segment question has
    a version to ask, with an item filled in, instead of saying to train one."""
    at = app_at("dashboard/pages/recommendations.py")
    assert not at.exception, [e.value for e in at.exception]
    box = at.selectbox(key="seg_v")
    assert [o for o in box.options if "demo-item-affinity" in o and "aws-item-affinity" in o]
    assert at.text_input(key="seg_item").value
    assert not [i for i in at.info if "No segmenting version" in i.value]


COFFEE = "커피"


def _rankings(users: list[str]) -> dict[str, list[str]]:
    """Each shopper's whole ranking from the popularity campaign, asked through boto3 as a
    shop would, with no rule: independent of the playground's preview."""
    from services.config import Settings
    from services.personalize.clients import build_clients
    from services.personalize.facade import PersonalizeService

    svc = PersonalizeService(build_clients(Settings.from_env()))
    (campaign,) = [c for c in svc.list_campaigns() if c.name == "demo-popularity"]
    return {
        u: svc.get_recommendations(campaign.arn, user_id=u, num_results=500).item_ids for u in users
    }


def _after(at: AppTest) -> list[list[str]]:
    """The "after" list of each user's before/after table, as item IDs."""
    frames = [d.value for d in at.dataframe if "change (after)" in d.value.columns]
    return [[i for i in f["item ID"] if i] for f in frames]


def test_the_playground_on_the_demo_shop_filters_and_promotes_coffee(demo: Path) -> None:
    from services.demo.data import generate

    # every item's category: the imported file's, and the new collection's (sent by PutItems)
    # as the demo's generator makes it (same seed, same shop: checked on the imported ones)
    shop = generate(0)
    items = pd.read_csv(demo / "s3" / "demo-shop" / "items.csv", dtype=str)
    assert items["CATEGORY"].tolist() == shop.items["CATEGORY"].tolist()
    catalogue = pd.concat([shop.items, shop.new_items])
    category = dict(zip(catalogue["ITEM_ID"], catalogue["CATEGORY"], strict=True))
    coffee = {i for i, c in category.items() if c == COFFEE}
    at = app_at("dashboard/pages/recommendations.py")
    campaigns = at.selectbox(key="pg_campaign")
    campaigns.select(next(o for o in campaigns.options if o.startswith("demo-popularity"))).run()
    users = at.text_area(key="pg_users").value.split()
    assert len(users) == 3
    rankings = _rankings(users)
    # a filter: each top 10 without the category of the first shopper's first item, every
    # other item in its order
    top = category[rankings[users[0]][0]]
    at.text_area(key="pg_filter").input(f'EXCLUDE ItemID WHERE Items.CATEGORY IN ("{top}")')
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    kept_by_filter = [[i for i in rankings[u] if category[i] != top][:10] for u in users]
    assert _after(at) == kept_by_filter
    left = sum(category[i] == top for u in users for i in rankings[u][:10])
    share = f"Filter: {round(100 * left / 30)}% of the list is new ({left} of 30 items); "
    assert any(share in shown(m.value) for m in at.markdown), [m.value for m in at.markdown]
    # a promotion instead: 20 % of 10 = each shopper's two best coffee items, the rest in order
    at.text_area(key="pg_filter").input("")
    at.text_area(key="pg_promo").input(f'INCLUDE ItemID WHERE Items.CATEGORY IN ("{COFFEE}")')
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    lists = _after(at)
    assert len(lists) == 3
    for user, after in zip(users, lists, strict=True):
        promoted = [i for i in rankings[user] if i in coffee][:2]
        kept = [i for i in rankings[user][:10] if i not in promoted][:8]
        # where the promoted items go is the service's choice, seeded per shopper
        assert set(after) == set(promoted) | set(kept), user
        assert [i for i in after if i not in promoted] == kept, user


SENT = re.compile(
    r"sent (?P<items>[\d,]+) new items \(PutItems\), (?P<new_users>[\d,]+) new shoppers "
    r"\(PutUsers\) and (?P<events>[\d,]+) events from (?P<shoppers>[\d,]+) shoppers "
    r"\((?P<new>[\d,]+) new, (?P<returning>[\d,]+) from the bulk history\) in "
    r"(?P<calls>[\d,]+) PutEvents calls, in [\d.]+s; (?P<withheld>[\d,]+) of the "
    r"(?P<generated>[\d,]+) generated events were not sent"
)


def test_the_data_page_counts_what_the_seed_says_it_sent(demo: Path, demo_seed: DemoSeed) -> None:
    """Trial s9: the seed printed 24,815 events and 1,200 users, the Data page showed 24,627
    events and 1,300 users. The seed now prints the events it sent and the shoppers who sent
    them (the generated events less the purchases it withheld), the page says what it counts,
    and the numbers agree with each other and with the demo clients' own log of PutEvents."""
    (said,) = [m for line in demo_seed.output.splitlines() if (m := SENT.search(line))]
    n = {k: int(v.replace(",", "")) for k, v in said.groupdict().items()}
    assert n["events"] == len(demo_seed.log.events)  # every event of every PutEvents call
    assert n["events"] + n["withheld"] == n["generated"] and n["withheld"] > 0
    assert n["new"] + n["returning"] == n["shoppers"] and n["returning"] > 0
    at = app_at("dashboard/pages/data.py")
    at.selectbox(key="data_group").set_value("demo-shop").run()  # the group the replay fed
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Events received"] == formats.count(n["events"])
    assert metrics["Users"] == formats.count(n["shoppers"])
    (caption,) = [shown(c.value) for c in at.caption if "Events received: " in shown(c.value)]
    assert "interactions imported in bulk are not counted" in caption
    assert "not the users sent with PutUsers" in caption
