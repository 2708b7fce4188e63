"""The demo shop's default views tell the story the product exists for: the deployed version
gives recent shoppers the same items, the newer version (not deployed) does not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import streamlit as st

from services.config import Settings
from services.db import dispose_engines
from services.demo.shop import seed_demo
from services.local.engine import reset_engines
from tests.dashboard.conftest import app_at

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo-view") / "data"
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    assert seed_demo(settings) == 0
    reset_engines()
    dispose_engines()
    return data_dir


@pytest.fixture
def demo(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PERSONALIZE_DATA_DIR", str(demo_dir))
    monkeypatch.setenv("PERSONALIZE_LOCAL_LIFECYCLE_SECONDS", "0")
    monkeypatch.setenv("PERSONALIZE_LOCAL_WORKER", "thread")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield demo_dir
    st.cache_data.clear()
    st.cache_resource.clear()
    reset_engines()
    dispose_engines()


def test_default_recommendations_view_flags_the_deployed_version(demo: Path) -> None:
    at = app_at("pages/recommendations.py")
    assert not at.exception, [e.value for e in at.exception]
    banners = [e.value for e in at.error]
    flagged = [b for b in banners if "demo-recommendations" in b]
    assert flagged, banners
    same, total = map(int, re.search(r"(\d+) of (\d+) sampled users", flagged[0]).groups())
    assert total >= 10 and same / total >= 0.75, flagged[0]


def test_overview_says_version_2_is_not_deployed(demo: Path) -> None:
    at = app_at("pages/overview.py")
    assert not at.exception
    texts = [w.value for w in at.warning] + [e.value for e in at.error]
    assert any("demo-recommendations" in t and "not deployed" in t for t in texts), texts
    # The data checks probe recently active shoppers: the deployed version fails them.
    errors = [e.value for e in at.error]
    assert any("demo-recommendations" in t and "got the same top 10" in t for t in errors), errors


def _hand_counts(data_dir: Path) -> pd.DataFrame:
    """Per campaign: views, purchases, revenue and impressions, counted from the engine's raw
    rows (events carrying a recommendation ID, and the lists the runtime issued)."""
    engine = sa.create_engine(f"sqlite:///{data_dir / 'engine.db'}")
    with engine.connect() as conn:
        events = pd.read_sql(
            "SELECT item_id, event_type, recommendation_id FROM interactions "
            "WHERE source = 'put' AND recommendation_id IS NOT NULL",
            conn,
        )
        issued = pd.read_sql(
            "SELECT recommendation_id, source_arn, num_items FROM issued_recommendations", conn
        )
    engine.dispose()
    # prices from the demo's own file (demo-eshop's items.csv holds both collections)
    items = pd.read_csv(data_dir / "s3" / "demo-shop" / "demo-eshop" / "items.csv")
    price = dict(zip(items["ITEM_ID"], items["PRICE"], strict=True))
    events = events.merge(issued, on="recommendation_id")
    rows = []
    for source in issued["source_arn"].unique():  # the pages' own requests count too
        group = events.loc[events["source_arn"] == source]
        bought = group.loc[group["event_type"] == "Purchase", "item_id"]
        rows.append(
            {
                "served by": source.rsplit("/", 1)[-1],
                "views": float((group["event_type"] == "View").sum()),
                "purchases": float(len(bought)),
                "revenue": round(sum(price[i] for i in bought), 2),
                "impressions": int(issued.loc[issued["source_arn"] == source, "num_items"].sum()),
            }
        )
    return pd.DataFrame(rows).set_index("served by").sort_index()


def test_offline_vs_online_matches_the_replayed_events(demo: Path) -> None:
    at = app_at("pages/solutions.py")
    assert not at.exception, [e.value for e in at.exception]
    (table,) = [d.value for d in at.dataframe if "impressions" in d.value.columns]
    served = table.loc[table["served by"] != "SOURCE_NAME_UNDEFINED"]
    # One row per (campaign, version): once a page has asked the popular-items campaign for a
    # list, it has served two versions (the bulk one during the replay, then the one trained
    # on everything), so compare per campaign.
    totals = ["views", "purchases", "revenue", "impressions"]
    shown = served.groupby("served by")[totals].sum()
    shown["views per impression"] = shown["views"] / shown["impressions"]
    hand = _hand_counts(demo)
    assert sorted(shown.index) == sorted(hand.index)
    assert {"demo-popularity", "demo-recommendations"} <= set(hand.index)
    assert hand.loc["demo-recommendations", "views"] > 0  # the replay clicked recommendations
    for campaign, row in hand.iterrows():
        got = shown.loc[campaign]
        assert (got["views"], got["purchases"], got["impressions"]) == (
            row["views"],
            row["purchases"],
            row["impressions"],
        ), campaign
        assert round(float(got["revenue"]), 2) == row["revenue"]
        assert float(got["views per impression"]) == pytest.approx(
            row["views"] / row["impressions"]
        )
    # the personalised campaign's version has its offline NDCG next to its online numbers
    (personalised,) = served.loc[served["served by"] == "demo-recommendations", "NDCG@10"]
    assert personalised > 0


def test_overview_shows_the_best_sellers_recommender(demo: Path) -> None:
    at = app_at("pages/overview.py")
    (frame,) = [d.value for d in at.dataframe if "recommender" in d.value.columns]
    assert frame[["recommender", "use case", "status"]].values.tolist() == [
        ["demo-best-sellers", "Best sellers", "ACTIVE"]
    ]
