"""A Domain dataset group's recommenders on the Overview and on Recommendations."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.personalize.clients import build_clients
from tests.dashboard.card_grids import grids
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown
from tests.dashboard.test_korean_pages import visible_strings


def test_overview_lists_the_recommenders(domain_shop: dict) -> None:
    at = app_at("dashboard/pages/overview.py")
    assert not at.exception, [e.value for e in at.exception]
    (frame,) = [d.value for d in at.dataframe if "recommender" in d.value.columns]
    assert sorted(frame["recommender"]) == ["best-sellers", "for-you"]
    assert set(frame["use case"]) == {"Best sellers", "Recommended for you"}
    assert set(frame["status"]) == {"ACTIVE"}


def test_recommendations_page_serves_a_recommender(domain_shop: dict) -> None:
    at = app_at("dashboard/pages/recommendations.py")
    assert not at.exception, [e.value for e in at.exception]
    # for-you has no metadata enabled: no metadataColumns asked, no metadata table
    assert not [d for d in at.dataframe if "PRICE" in d.value.columns]
    box = at.selectbox(key="rec_a")
    labels = list(box.options)
    # personalised sources first, the popular-items use case last
    assert labels == [
        "for-you (recommender: Recommended for you)",
        "best-sellers (recommender: Best sellers)",
    ]
    at = box.set_value(labels[1]).run()
    assert not at.exception, [e.value for e in at.exception]
    (grid,) = grids(at, "rank", "item")
    # every sampled user is a row of product cards; the product list under it names them
    (listed,) = [d.value for d in at.dataframe if "item ID" in d.value and "rank" not in d.value]
    bought = {(u, i) for u, i, _, e in domain_shop["rows"] if e == "Purchase"}
    buyers = Counter(i for _, i in bought)
    top = buyers.most_common(1)[0][0]
    # Best sellers gives every user the same list (so one list's worth of products), led by
    # the item most customers bought
    assert len(grid) > 1 and (grid.nunique() == 1).all()
    assert len(listed) == grid.shape[1] and listed["item ID"].iloc[0] == top
    # the recommender has metadata enabled: the page asked for the Items columns and shows
    # them per item; by hand from write_shop's items.csv: PRICE 1.0 + i, "shoes" below i20
    meta = [d.value for d in at.dataframe if "item" in d.value.columns][0].set_index("item")
    assert meta.columns.tolist() == ["PRICE", "CATEGORY_L1"]
    assert set(meta.index) == set(listed["item ID"])
    for item, row in meta.iterrows():
        number = int(item[1:])
        assert float(row["PRICE"]) == 1.0 + number
        assert row["CATEGORY_L1"] == ("shoes" if number < 20 else "hats")
    for row in listed.itertuples(index=False):  # the same facts, as the product list shows them
        number = int(row[4][1:])
        assert row[2] == f"₩{1 + number}" and row[3] == ("shoes" if number < 20 else "hats")
    # identical lists are what a popular-items use case is for: a note, not an alarm
    notes = [shown(e.value) for e in at.info]
    assert any("same list by design" in text for text in notes)
    assert not any("same top" in shown(e.value) for e in [*at.error, *at.warning])
    # a best-sellers list is the answer itself, not a "Popular item" placeholder
    assert not any("own fallback list" in shown(c.value) for c in at.caption)


def test_running_work_lists_a_stopping_recommender(
    domain_shop: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Statuses move on only after 600 s, so the recommender stays STOP PENDING for the test.
    monkeypatch.setenv("PERSONALIZE_LOCAL_LIFECYCLE_SECONDS", "600")
    p = build_clients(Settings.from_env()).personalize
    p.stop_recommender(recommenderArn=domain_shop["for-you"])
    at = app_at("dashboard/pages/operations.py")
    assert not at.exception, [e.value for e in at.exception]
    captions = [shown(c.value) for c in at.caption]
    assert not any(c.startswith("Nothing running") for c in captions), captions
    (running,) = [d.value for d in at.dataframe if "what" in d.value.columns]
    assert running[["what", "name", "status"]].values.tolist() == [
        ["Recommender", "for-you", "STOP PENDING"]
    ]


# "campaign" or "recipe" as a word of the page's own text (a data value such as a recipe ARN
# or a use case's recipe name, aws-ecomm-…, has no such word).
_CUSTOM_WORDS = re.compile(r"\b(campaigns?|recipes?)\b", re.I)


def _own_texts(at: AppTest) -> list[str]:
    """What the page says, its cost panel left out: the price list names both kinds of
    resource by design (campaigns and recommenders are priced differently)."""
    return [
        text
        for _, text in visible_strings(at)
        if "per hour" not in text and "price" not in text.lower()
    ]


def test_a_recommender_only_group_is_told_in_recommenders_and_use_cases(
    domain_shop: dict,
) -> None:
    overview = app_at("dashboard/pages/overview.py")
    assert not overview.exception, [e.value for e in overview.exception]
    texts = _own_texts(overview)
    assert not [t for t in texts if _CUSTOM_WORDS.search(t)], texts
    # the group's line counts what it has: 2 datasets, 2 recommenders, no event tracker
    assert any("2 datasets, 2 recommenders, 0 event trackers" in t for t in texts), texts
    assert [shown(s.value) for s in overview.success] == [
        "Nothing needs attention: no import and no recommender has failed."
    ]

    solutions = app_at("dashboard/pages/solutions.py")
    assert not solutions.exception, [e.value for e in solutions.exception]
    infos = [shown(i.value) for i in solutions.info]
    assert any("eshop serves through recommenders, one use case each" in i for i in infos)
    assert not any("train one on Operations" in i for i in infos)

    at = app_at("dashboard/pages/recommendations.py")
    assert not at.exception, [e.value for e in at.exception]
    (mode,) = [r for r in at.radio if r.key == "rec_mode"]
    assert list(mode.options) == ["One recommender", "Compare two recommenders"]
    assert at.selectbox(key="rec_a").label == "Recommender"
    assert at.selectbox(key="pg_campaign").label == "Recommender"
    texts = [t for t in _own_texts(at) if "changes no campaign or recommender" not in t]
    assert not [t for t in texts if _CUSTOM_WORDS.search(t)], texts
    # for-you is compared with the popularity recommender, named with its use case
    assert any(
        "overlap with the list of the popularity recommender best-sellers (use case Best "
        "sellers:" in t
        for t in texts
    ), texts
    mode.set_value("Compare two recommenders").run()
    assert [at.selectbox(key=k).label for k in ("rec_a2", "rec_b2")] == [
        "Recommender A",
        "Recommender B",
    ]


def test_a_custom_group_keeps_its_campaign_words(seeded: Seeded) -> None:
    at = app_at("dashboard/pages/recommendations.py")
    (mode,) = [r for r in at.radio if r.key == "rec_mode"]
    assert list(mode.options)[:2] == ["One campaign", "Compare two campaigns"]
    assert at.selectbox(key="rec_a").label == "Campaign"
