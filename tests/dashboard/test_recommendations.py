"""Recommendations page on the seeded workspace (user u is in cluster u % 3; see workspace.py)."""

from __future__ import annotations

import csv
import io
import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.evaluation.inspection import UserRecommendations
from services.evaluation.sampling import ItemCatalog, grid_frame, parse_ids, recent_history
from services.i18n import use_language
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.personalize.models import version_label
from tests.dashboard.card_grids import grids
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown
from tests.local.workspace import START, cluster_of_item, train, wait_for

PAGE = "dashboard/pages/recommendations.py"
KNOWN = [f"u{i}" for i in range(12)]  # four users of each of the three clusters


@pytest.fixture
def service(seeded: Seeded) -> PersonalizeService:
    return PersonalizeService(build_clients(Settings.from_env()))


def typed(at: AppTest, users: list[str]) -> AppTest:
    at.radio(key="rec_how").set_value("Typed IDs").run()
    at.text_area(key="rec_typed").set_value("\n".join(users)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def heatmaps(at: AppTest) -> list[dict[str, Any]]:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return [s for s in specs if s["data"] and s["data"][0]["type"] == "heatmap"]


def test_unknown_users_get_the_same_list_as_a_cold_start_note(
    seeded: Seeded, service: PersonalizeService
) -> None:
    at = app_at(PAGE)
    at.radio(key="rec_how").set_value("Unknown (new users)").run()
    n = at.slider(key="rec_n").value
    users = [f"unknown-{k}" for k in range(1, n + 1)]
    lists = [
        frozenset(service.get_recommendations(seeded.up_campaign, user_id=u, num_results=10).items)
        for u in users
    ]
    same = Counter(lists).most_common(1)[0][1]
    assert same == n  # the engine gives every unknown user the popular list
    # Generated IDs are the cold-start check: the same list is the expected answer, so the
    # verdict is a note (not the red alarm meant for real users), and it is not compared with
    # the popularity campaign (the fallback is the model's own popularity).
    assert not at.error, [shown(e.value) for e in at.error]
    notes = [shown(i.value) for i in at.info]
    assert any(
        f"Cold start: {same} of {n} sampled users got the same top 10" in b for b in notes
    ), notes
    assert not any("popularity baseline" in b for b in notes)
    assert heatmaps(at)[0]["data"][0]["x"] == users


def test_the_page_opens_on_the_sample_the_overviews_check_asks(seeded: Seeded) -> None:
    """One default sample (``inspection.SAMPLE_USERS`` most recently active users, top
    ``SAMPLE_TOP_N``): the page opens on the users the Overview's identical-lists check asks
    (the first of the group's ``recent_users``, tests/services/test_data_health.py)."""
    from services.datasets.local_engine.snapshots import LocalSnapshots
    from services.local.engine import get_engine

    at = app_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="rec_how").value == "Recently active"
    assert (at.slider(key="rec_n").value, at.slider(key="rec_top_n").value) == (12, 10)
    summary = LocalSnapshots(get_engine(Settings.from_env())).interaction_summary(seeded.group)
    assert heatmaps(at)[0]["data"][0]["x"] == list(summary.recent_users[:12])


def test_known_users_of_three_clusters_are_not_flagged(seeded: Seeded) -> None:
    at = typed(app_at(PAGE), KNOWN)
    assert not at.error, [shown(e.value) for e in at.error]
    assert any("differ between users" in shown(s.value) for s in at.success)
    spec = heatmaps(at)[0]["data"][0]
    assert spec["x"] == KNOWN and spec["y"] == KNOWN
    # The ID check has nothing to say about IDs that are all in the training data.
    assert not any("unknown to the model" in shown(w.value) for w in [*at.warning, *at.info])


def products_shown(at: AppTest) -> list[pd.DataFrame]:
    """Product tables of the grid (every recommended product, a clicked one); the item tools'
    tables have a rank column."""
    return [d.value for d in at.dataframe if "item ID" in d.value.columns and "rank" not in d.value]


def test_grid_shows_every_user_as_a_row_of_products(
    seeded: Seeded, service: PersonalizeService
) -> None:
    users = ["u0", "u4", "u8"]
    at = typed(app_at(PAGE), users)
    grid = grids(at, "rank")[0]
    assert list(grid.index) == users and grid.shape == (3, 10)
    # the seeded shop's categories (cat0…) have no pictures: the neutral placeholder, no gap
    assert set(grid.to_numpy().ravel()) == {"app/static/items/placeholder.svg"}
    expected = {
        u: list(service.get_recommendations(seeded.up_campaign, user_id=u, num_results=10).item_ids)
        for u in users
    }
    every = products_shown(at)[0]
    assert list(every["item ID"]) == list(dict.fromkeys(i for u in users for i in expected[u]))
    for row in every.itertuples(index=False):
        i = int(row[4][1:])
        # write_items: PRICE 5 + i % 20 (won), CATEGORY cat<cluster>; no names in that shop
        assert row[2] == f"₩{5 + i % 20}" and row[3] == f"cat{cluster_of_item(i, 90)}"
        assert row[1] == "–"
    # every card carries its item ID (shown on hover), in the service's order
    assert grids(at, "rank", "item")[0].to_numpy().tolist() == [expected[u] for u in users]
    # a click on u4's third card (what the browser sends) names that product, with its ID
    assert len(products_shown(at)) == 1
    at.session_state["a_grid"] = {"selected": {"row": 1, "item": expected["u4"][2]}}
    at.run()
    clicked = products_shown(at)[0]
    assert clicked["item ID"].tolist() == [expected["u4"][2]]
    history = grids(at, "latest")[0]
    assert list(history.index) == users and history.shape == (3, 5)
    # u0's newest events are the PutEvents the seed sent: items (0 * 7 + k) % 90, k=0 newest.
    newest = grids(at, "latest", "item")[0].loc["u0", "1"]
    assert newest == "i0"
    at.session_state["a_history"] = {"selected": {"row": 0, "item": newest}}
    at.run()
    assert products_shown(at)[0]["item ID"].tolist() == ["i0"]
    # a click on a user's name drills into the user: u8's ten products, in rank order, with
    # their prices
    at.session_state["a_grid"] = {"selected": {"row": 2, "item": None}}
    at.run()
    (u8,) = [f for f in products_shown(at) if len(f) == 10 and list(f["item ID"]) == expected["u8"]]
    assert u8["price"].tolist() == [f"₩{5 + int(i[1:]) % 20}" for i in expected["u8"]]


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Hangul
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_grid_csv_has_the_price_and_the_campaigns_scores(
    seeded: Seeded, service: PersonalizeService, downloads: Callable[[], dict[str, bytes]]
) -> None:
    users = ["u0", "u4"]
    at = typed(app_at(PAGE), users)
    rows = csv_rows(downloads()["recommendations-a.csv"])
    assert list(rows[0]) == [
        "user_id", "rank", "item_id", "name", "category", "price (KRW)", "score", "error"
    ]  # fmt: skip
    assert len(rows) == 20
    for user in users:
        served = service.get_recommendations(seeded.up_campaign, user_id=user, num_results=10)
        mine = [r for r in rows if r["user_id"] == user]
        assert [r["item_id"] for r in mine] == list(served.item_ids)
        # write_items: PRICE 5 + i % 20 won, a plain whole number (KRW has no minor unit)
        assert [r["price (KRW)"] for r in mine] == [
            f"{5 + int(i[1:]) % 20}" for i in served.item_ids
        ]
        scores = [float(r["score"]) for r in mine]
        assert scores == pytest.approx([item.score for item in served.items])
        assert all(0 < s < 1 for s in scores) and scores == sorted(scores, reverse=True)
    assert not any("no score column" in shown(c.value) for c in at.caption)


def test_grid_csv_headers_follow_a_korean_reader_or_stay_english(
    seeded: Seeded, downloads: Callable[[], dict[str, bytes]]
) -> None:
    """Trial s13: the grid CSV's headers were English in Korean mode. In Korean they are named
    as the page names them (messages.po), the English ones a toggle away; in English there
    is no toggle."""
    at = typed(app_at(PAGE), ["u0", "u4"])
    assert not [t for t in at.toggle if t.key == "a_csv_local"]
    at.segmented_control(key="language_switch").set_value("ko").run()
    rows = csv_rows(downloads()["recommendations-a.csv"])
    assert list(rows[0]) == [
        "사용자 ID", "순위", "상품 ID", "이름", "카테고리", "가격(KRW)", "점수", "오류"
    ]  # fmt: skip
    assert rows[0]["가격(KRW)"].isdigit()
    use_language("ko")  # AppTest formats the page's radios in this thread (see open_in_korean)
    try:
        at.toggle(key="a_csv_local").set_value(False).run()
    finally:
        use_language("en")
    rows = csv_rows(downloads()["recommendations-a.csv"])
    assert list(rows[0])[:3] == ["user_id", "rank", "item_id"]


def test_grid_csv_of_a_campaign_without_scores_leaves_the_column_out(
    seeded: Seeded, downloads: Callable[[], dict[str, bytes]]
) -> None:
    at = typed(app_at(PAGE), ["u0", "u4"])
    at.selectbox(key="rec_a").set_value("shop-pop-campaign (aws-popularity-count)").run()
    assert not at.exception
    rows = csv_rows(downloads()["recommendations-a.csv"])
    assert len(rows) == 20 and "score" not in rows[0] and rows[0]["price (KRW)"]
    assert any("no score column" in shown(c.value) for c in at.caption)


def test_the_two_popular_figures_say_which_popular_they_mean(
    seeded: Seeded, service: PersonalizeService
) -> None:
    """The overlap with the popularity campaign's list and the count of fallback items are two
    different "popular"s; each caption names its own (whose training data, which campaign and
    recipe), in English and in Korean: a trial read "popular items" next to a 0 % overlap with
    the popularity campaign as a contradiction."""
    users = ["u0", "u1", "u2", "nobody-1"]
    at = typed(app_at(PAGE), users)
    top = {
        u: service.get_recommendations(seeded.up_campaign, user_id=u, num_results=10).item_ids
        for u in users
    }
    base = set(
        service.get_recommendations(seeded.pop_campaign, user_id="u0", num_results=10).item_ids
    )
    overlap = sum(len(set(top[u]) & base) / len(set(top[u]) | base) for u in users) / len(users)
    share = f"{round(overlap * 100)}%"
    (caption,) = [shown(c.value) for c in at.caption if "users compared" in shown(c.value)]
    assert (
        "overlap with the list of the popularity campaign shop-pop-campaign "
        "(aws-popularity-count: the items most popular in that campaign's own training data): "
        f"{share}"
    ) in caption
    assert (
        '10 of 40 items came from the version\'s own fallback list ("Popular item"): the items '
        "most popular in the data that version was trained on, which Personalize serves to users "
        "the version does not know or when a filter leaves too few items; not the popularity "
        "campaign's list"
    ) in caption
    # trial s11, F7: the two "most popular" lists can share nothing, and the caption says why
    # (the engine counts both alike, so only the versions' training data can differ), naming
    # both versions and the data each was trained on: here the seed's CSV for both
    # (tests.local.workspace: START + u * 1000 + k * 10, 60 users × 30 events)
    first, last = (
        datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M")
        for t in (START, START + 59 * 1000 + 29 * 10)
    )
    v1, pop = version_label(seeded.up_v1), version_label(seeded.pop_version)
    assert (
        "why the two differ: each is counted from its own version's training data: the "
        f"fallback list from {v1}, trained on {first} → {last} (UTC, "
    ) in caption, caption
    assert f"the popularity campaign's list from {pop}, trained on {first} → {last} (UTC, " in (
        caption
    )
    at.session_state["language"] = "ko"
    at.run()  # the page now in Korean; AppTest sends the radios' values back as this thread
    use_language("ko")  # formats them, as a browser sends the labels it shows: Korean now
    try:
        at.run()
        (caption,) = [shown(c.value) for c in at.caption if "명 비교 (상위" in shown(c.value)]
    finally:
        use_language("en")
    assert (
        "인기도 캠페인 shop-pop-campaign의 목록(aws-popularity-count: 그 캠페인 자체의 학습 "
        f"데이터에서 가장 인기 있는 상품)과 겹침: {share}"
    ) in caption
    assert (
        '40개 중 10개는 버전 자체의 대체 목록("인기 상품")에서 나옴: 그 버전이 학습한 데이터에서 '
        "가장 인기 있던 상품으로, 버전이 모르는 사용자에게 또는 필터 후 남은 상품이 너무 적을 때 "
        "Personalize가 주는 목록이며 인기도 캠페인의 목록이 아님"
    ) in caption
    assert f"대체 목록은 {v1}" in caption and f"인기도 캠페인의 목록은 {pop}" in caption, caption


def test_typed_ids_from_another_id_space_get_the_readiness_finding(seeded: Seeded) -> None:
    at = typed(app_at(PAGE), ["1001", "1002", "1003", "1004", "1005"])
    findings = [shown(w.value) for w in at.warning]
    v1 = "/".join(seeded.up_v1.rsplit("/", 2)[-2:])  # what shop-campaign serves: solution/ID
    assert any(f"0 of 5 user IDs are known to version {v1}" in f for f in findings), findings
    assert any("another ID space" in f for f in findings), findings
    assert at.error  # and, unknown as they are, they all get the same list


def test_typed_ids_are_checked_against_the_served_version_not_the_data(seeded: Seeded) -> None:
    """late-1's events arrive after version 1 was trained: the group's data has them, the
    campaign's version does not, so the check says late-1 gets popular items from it; on the
    popularity campaign (no user index: the same list for all) it says only who has data."""
    clients = build_clients(Settings.from_env())
    clients.events.put_events(
        trackingId=seeded.tracking_id,
        userId="late-1",
        sessionId="late",
        eventList=[{"eventType": "view", "itemId": "new-item", "sentAt": int(time.time())}],
    )
    at = typed(app_at(PAGE), ["u1", "u2", "late-1", "nobody"])
    v1 = "/".join(seeded.up_v1.rsplit("/", 2)[-2:])
    (note,) = [shown(i.value) for i in at.info if "user IDs are" in shown(i.value)]
    assert f"Some of these users are unknown to version {v1}" in note
    assert (
        f"2 of 4 user IDs are known to version {v1} ('late-1', 'nobody' are not). 1 of them has "
        f"events newer than the data version {v1} was trained on: that user gets the version's "
        "popular items"
    ) in note, note
    at.selectbox(key="rec_a").set_value("shop-pop-campaign (aws-popularity-count)").run()
    (note,) = [shown(i.value) for i in at.info if "user IDs are" in shown(i.value)]
    assert "3 of 4 user IDs are in the dataset group's data ('nobody' is not)" in note, note


def test_compare_two_campaigns_side_by_side(seeded: Seeded, service: PersonalizeService) -> None:
    at = typed(app_at(PAGE), KNOWN)
    at.radio(key="rec_mode").set_value("Compare two campaigns").run()
    at.selectbox(key="rec_a2").set_value("shop-campaign (aws-user-personalization)").run()
    at.selectbox(key="rec_b2").set_value("shop-pop-campaign (aws-popularity-count)").run()
    assert not at.exception
    assert len(heatmaps(at)) == 2
    shared = [
        len(
            set(service.get_recommendations(seeded.up_campaign, user_id=u, num_results=10).item_ids)
            & set(
                service.get_recommendations(seeded.pop_campaign, user_id=u, num_results=10).item_ids
            )
        )
        for u in KNOWN
    ]
    mean = f"{round(sum(shared) / len(shared), 1):g}"
    assert sum(shared)  # the seeded lists share items: the sentence below, not "no item"
    assert (
        f"shop-campaign and shop-pop-campaign agree on {mean} of each user's top 10 on average "
        "(items in both lists)."
    ) in [shown(c.value) for c in at.caption]
    # one grid, row by row: each user's history, then A's list, then B's
    (grid,) = grids(at, "rank")
    assert list(grid.index[:6]) == [
        "u0 · latest",
        "u0 · A",
        "u0 · B",
        "u1 · latest",
        "u1 · A",
        "u1 · B",
    ]
    assert len(grid) == 3 * len(KNOWN)
    b_first = service.get_recommendations(seeded.pop_campaign, user_id="u4", num_results=10)
    row = list(grid.index).index("u4 · B")
    first = grids(at, "rank", "item")[0].loc["u4 · B", "1"]
    assert first == b_first.item_ids[0]  # the card at B's rank 1 is B's first item
    at.session_state["compare_grid"] = {"selected": {"row": row, "item": first}}
    at.run()
    assert products_shown(at)[0]["item ID"].tolist() == [b_first.item_ids[0]]
    # Identical lists from the popularity campaign are by design: a neutral note, no error.
    assert not any("shop-pop-campaign" in shown(e.value) for e in at.error), [
        shown(e.value) for e in at.error
    ]
    note = [shown(i.value) for i in at.info if "shop-pop-campaign" in shown(i.value)]
    assert note and "everyone gets the same list by design" in note[0] and "12 of 12" in note[0]
    assert any("shop-campaign" in shown(s.value) for s in at.success)


def test_the_compare_caption_says_in_words_what_two_lists_have_in_common() -> None:
    """A trial read "0% overlap" for lists that shared nothing and for an empty list alike;
    each case is now said in words, never as a share of an empty list."""
    from dashboard.components.recommendations.grid import agreement_caption
    from services.evaluation.inspection import Agreement

    def said(compared: int, mean: float, empty_a: tuple[str, ...] = (), empty_b=()) -> str | None:
        return agreement_caption("A", "B", Agreement(10, compared, mean, empty_a, empty_b))

    assert said(3, 0.0) == "A and B have no item in common in any user's top 10."
    assert said(3, 2.5) == (
        "A and B agree on 2.5 of each user's top 10 on average (items in both lists)."
    )
    assert said(2, 10.0, (), ("u3",)) == (
        "A and B agree on 10 of each user's top 10 on average (items in both lists). "
        "1 user got no recommendations from B."
    )
    assert said(0, 0.0, ("u1", "u2"), ("u1", "u2")) == (
        "Nothing to compare: no user got recommendations from both A and B. "
        "2 users got no recommendations from A. 2 users got no recommendations from B."
    )
    assert said(0, 0.0) is None
    use_language("ko")
    try:
        assert said(3, 0.0) == "A와 B의 목록에는 어느 사용자의 상위 10개에도 같은 상품이 없습니다."
        assert said(0, 0.0, ("u1",), ("u1",)) == (
            "비교할 것이 없습니다: A와 B 둘 다에서 추천을 받은 사용자가 없습니다. "
            "사용자 1명이 A에서 추천을 받지 못했습니다. 사용자 1명이 B에서 추천을 받지 못했습니다."
        )
    finally:
        use_language("en")


def test_compare_with_a_filter_that_leaves_nothing_says_so(
    seeded: Seeded, service: PersonalizeService
) -> None:
    """Every seeded item is in cat0, cat1 or cat2: excluding all three leaves every list
    empty, which read "share 100%" before (the Jaccard of two empty sets)."""
    arn = service.create_filter(
        "nothing-left",
        seeded.group,
        'EXCLUDE ItemID WHERE Items.CATEGORY IN ("cat0","cat1","cat2")',
    )
    wait_for(lambda: {"filter": service.describe_filter(arn).__dict__}, "filter")
    assert not service.get_recommendations(
        seeded.pop_campaign, user_id="u0", num_results=10, filter_arn=arn
    ).item_ids
    at = typed(app_at(PAGE), KNOWN[:3])
    at.radio(key="rec_mode").set_value("Compare two campaigns").run()
    at.selectbox(key="rec_filter").set_value(arn).run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [shown(c.value) for c in at.caption]
    assert (
        "Nothing to compare: no user got recommendations from both shop-campaign and "
        "shop-pop-campaign. 3 users got no recommendations from shop-campaign. 3 users got no "
        "recommendations from shop-pop-campaign."
    ) in captions, captions
    assert not any("share" in c and "of each user's top" in c for c in captions)
    # each campaign's own verdict says they got nothing, with no overlap percentage
    warned = [shown(w.value) for w in at.warning if "No sampled user got" in shown(w.value)]
    assert len(warned) == 2, [shown(w.value) for w in at.warning]
    numbers = [c for c in captions if "users compared" in c]
    assert numbers and all("3 users got no recommendations" in c for c in numbers), numbers
    assert not any("mean overlap" in c for c in numbers)
    assert not heatmaps(at)


def test_similar_items_match_the_related_items_campaign(
    seeded: Seeded, service: PersonalizeService
) -> None:
    at = app_at(PAGE)
    at.text_input(key="rec_sims_item").set_value("i40").run()
    table = next(d.value for d in at.dataframe if "rank" in d.value and len(d.value) == 10)
    expected = service.get_recommendations(seeded.sims_campaign, item_id="i40", num_results=10)
    assert table["item ID"].tolist() == list(expected.item_ids)
    # products, not IDs: each row its picture (the placeholder here) and its price in won
    assert set(table["picture"]) == {"app/static/items/placeholder.svg"}
    assert table["price"].tolist() == [f"₩{5 + int(i[1:]) % 20}" for i in expected.item_ids]
    # Personalize gives no scores for related items: no column of "None"
    assert all(r.score is None for r in expected.items)
    assert "score" not in table.columns


def test_ranking_tool_offers_no_campaign_without_a_ranking_recipe(seeded: Seeded) -> None:
    # The seeded group has user-personalization, popularity and similar-items campaigns:
    # none answers GetPersonalizedRanking, so the tool offers none of them.
    at = app_at(PAGE)
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "rec_rank_campaign"]
    assert not [t for t in at.text_input if t.key == "rec_rank_user"]
    assert any("No campaign can rank items" in shown(i.value) for i in at.info)


def test_ranking_puts_unknown_items_last(seeded: Seeded) -> None:
    clients = build_clients(Settings.from_env())
    _, version = train(clients, seeded.group, "shop-rank", "aws-personalized-ranking")
    p = clients.personalize
    campaign = p.create_campaign(name="shop-rank-campaign", solutionVersionArn=version)
    wait_for(lambda: p.describe_campaign(campaignArn=campaign["campaignArn"]), "campaign")
    at = app_at(PAGE)
    assert any(shown(c.value).startswith("Campaign: shop-rank-campaign") for c in at.caption)
    at.text_input(key="rec_rank_user").set_value("u1").run()
    at.text_area(key="rec_rank_items").set_value("nope-1, i35\ni3 i40\nnope-2").run()
    table = at.dataframe[-1].value
    assert sorted(table["item ID"]) == sorted(["nope-1", "i35", "i3", "i40", "nope-2"])
    assert set(table["item ID"].iloc[-2:]) == {"nope-1", "nope-2"}
    # an item the catalogue does not know: the placeholder picture, no price, never "None"
    assert table[["name", "price", "category"]].iloc[-1].tolist() == ["–", "–", "–"]
    assert table["score"].iloc[-2:].tolist() == [0.0, 0.0]
    assert table["in catalog"].tolist() == [True, True, True, False, False]


def preview(at: AppTest) -> None:
    """Start the batch preview and rerun until its grid is drawn."""
    at.button(key="rec_preview_start").click().run()
    deadline = time.monotonic() + 60  # the job trains nothing, but the machine may be busy
    while not grids(at, "rank") and time.monotonic() < deadline:
        time.sleep(0.1)
        at.run()  # the fragment polls once per run


def test_preview_of_an_undeployed_version_runs_a_batch_job(
    seeded: Seeded, service: PersonalizeService
) -> None:
    at = typed(app_at(PAGE), KNOWN[:4])
    at.radio(key="rec_mode").set_value("A version without a campaign").run()
    assert not at.selectbox(key="rec_v").value.startswith("shop-pop ")  # a personalised one
    version = next(o for o in at.selectbox(key="rec_v").options if "not deployed" in o)
    at.selectbox(key="rec_v").set_value(version).run()
    assert service.list_batch_inference_jobs(seeded.up_v2) == []
    preview(at)
    assert not at.exception, [e.value for e in at.exception]
    jobs = service.list_batch_inference_jobs(seeded.up_v2)
    assert [j.status for j in jobs] == ["ACTIVE"]
    grid = grids(at, "rank")[0]
    assert list(grid.index) == KNOWN[:4] and grid.shape == (4, 10)
    assert grid.notna().all().all()  # every user got a full list of pictures


def test_preview_offers_only_versions_that_answer_for_users(seeded: Seeded) -> None:
    """A batch job asks the version for users; a related-items version answers for an item
    (its batch job would fail for every user), so it is not offered."""
    at = typed(app_at(PAGE), KNOWN[:4])
    at.radio(key="rec_mode").set_value("A version without a campaign").run()
    options = at.selectbox(key="rec_v").options
    assert options and not any(o.startswith("shop-sims/") for o in options), options
    assert any(o.startswith("shop-pop/") for o in options)
    assert (
        "1 version is not listed: its recipe answers for an item or a list of items, or cannot "
        "run a batch job." in [shown(c.value) for c in at.caption]
    )


def test_helpers_parse_ids_history_and_csv_rows() -> None:
    assert parse_ids(" a, b;c\n\na  d a ") == ["a", "b", "c", "d"]
    events = pd.DataFrame(
        {
            "USER_ID": ["x", "x", "y", "x"],
            "ITEM_ID": ["1", "2", "3", "4"],
            "TIMESTAMP": [5, 9, 1, 7],
        }
    )
    assert recent_history(events, ["x", "z"], k=2) == {"x": ["2", "4"], "z": []}
    catalog = ItemCatalog.from_frame(pd.DataFrame({"ITEM_ID": ["1"], "TITLE": ["=cmd"]}))
    rows = grid_frame(
        [UserRecommendations("x", ("1", "2"), (0.5, 0.2)), UserRecommendations("y", error="no")],
        catalog,
        top_n=1,
    )
    assert rows[["user_id", "rank", "item_id", "name"]].values.tolist()[0] == ["x", 1, "1", "=cmd"]
    assert rows["error"].tolist()[-1] == "no"


def test_twenty_users_by_twenty_five_items(seeded: Seeded) -> None:
    at = app_at(PAGE)
    at.slider(key="rec_n").set_value(20).run()
    at.slider(key="rec_top_n").set_value(25).run()
    assert not at.exception
    assert grids(at, "rank")[0].shape == (20, 25)
    assert len(heatmaps(at)[0]["data"][0]["x"]) == 20
    started = time.perf_counter()
    at.run()
    print(f"20 users × 25 items, warm rerun: {time.perf_counter() - started:.2f} s")


def test_known_users_follow_the_data_snapshot_and_its_refresh(seeded: Seeded) -> None:
    """The page's known users are kept with the data snapshot: a new user's events are in them
    once the snapshot is refreshed (the page's Refresh, an import), not before."""
    from dashboard import reads

    clients = build_clients(Settings.from_env())
    known = reads.group_data(seeded.group).known_users  # type: ignore[union-attr]
    # by hand: the bulk import's users u0..u59 (tests.local.workspace.write_interactions)
    assert known == {f"u{u}" for u in range(60)}
    clients.events.put_events(
        trackingId=seeded.tracking_id,
        userId="newcomer",
        sessionId="s-new",
        eventList=[{"eventType": "view", "itemId": "i1", "sentAt": int(time.time())}],
    )
    assert "newcomer" not in reads.group_data(seeded.group).known_users  # type: ignore[union-attr]
    reads.invalidate(data=True)
    assert "newcomer" in reads.group_data(seeded.group).known_users  # type: ignore[union-attr]
