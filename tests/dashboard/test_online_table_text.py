"""Offline vs online's table and the metric labels, as a new user reads them in English and
Korean: request counts with group separators, "–" (never "None") where a row has no requests,
and the user-segmentation metrics (hits/recall at 1 percent) under proper names.

The figures, by hand: the campaign served 19,508 requests and earned 1,221 views (a rate of
1221 / 19508 = 0.0626 views per request) and ₩39,000; the events without a recommendation ID
earned 7 views and no requests, so they have no rates. Event totals are counts (1,221, not
"1221.0"); a sum of another column, 2.5 + 1 = 3.5 stars, keeps its decimals (3.5000); the
offline NDCG of the version serving now, 0.23456, reads 0.2346."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from services.evaluation.online_metrics import UNDEFINED_SOURCE, OnlineReport, OnlineView
from services.personalize.models import AttributedMetric, MetricAttribution

CAMPAIGN = "arn:aws:personalize:us-east-1:000000000000:campaign/shop-pop"
END = datetime(2026, 12, 6, tzinfo=UTC)


def _view() -> OnlineView:
    points = pd.DataFrame(
        {
            "time": [END - timedelta(hours=2)] * 5,
            "source": [CAMPAIGN, CAMPAIGN, UNDEFINED_SOURCE, CAMPAIGN, CAMPAIGN],
            "metricName": ["views", "revenue", "views", "stars", "stars"],
            "eventType": ["View", "Purchase", "View", "Rate", "Rate"],
            "value": [1221.0, 39000.0, 7.0, 2.5, 1.0],
            "origin": ["cloudwatch"] * 5,
        }
    )
    report = OnlineReport(
        attribution=MetricAttribution(arn="arn:ma", name="shop-metrics", status="ACTIVE"),
        metrics=(
            AttributedMetric("View", "views", "SAMPLECOUNT()"),
            AttributedMetric("Purchase", "revenue", "SUM(Items.PRICE)"),
            AttributedMetric("Rate", "stars", "SUM(Interactions.EVENT_VALUE)"),
        ),
        points=points,
        start=END - timedelta(days=14),
        end=END,
        requests={CAMPAIGN: 19508},
        currencies={"revenue": "KRW"},
    )
    version = "arn:aws:personalize:us-east-1:000000000000:solution/shop/abcd1234"
    offline = {version: {"normalized_discounted_cumulative_gain_at_10": 0.23456}}
    return OnlineView(report, {CAMPAIGN: version}, offline)


def _draw() -> None:
    import streamlit as st

    from dashboard.components.solutions.online_metrics import show_offline_vs_online
    from services.i18n import use_language
    from services.workspace.metric_names import metric_label

    use_language(st.session_state["lang"])
    show_offline_vs_online(st.session_state["view"])
    st.text(metric_label("hits_at_1_percent"))
    st.text(metric_label("recall_at_1_percent"))


def _run(language: str) -> AppTest:
    at = AppTest.from_function(_draw, default_timeout=30)
    at.session_state["lang"] = language
    at.session_state["view"] = _view()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize(
    ("language", "requests", "per_request", "no_id", "labels", "ndcg", "precision"),
    [
        (
            "en",
            "recommendation requests",
            "views per request",
            "events without a recommendation ID",
            ["Hits@1%", "Recall@1%"],
            "NDCG@10",
            "Precision@10",
        ),
        (
            "ko",
            "추천 요청 수",
            "요청당 views",
            "추천 ID 없는 이벤트",
            ["적중(Hits)@1%", "재현율(Recall)@1%"],
            "NDCG@10",
            "정밀도(Precision)@10",
        ),
    ],
)
def test_counts_have_separators_and_missing_figures_a_dash(
    language: str,
    requests: str,
    per_request: str,
    no_id: str,
    labels: list[str],
    ndcg: str,
    precision: str,
) -> None:
    at = _run(language)
    (frame,) = [d.value for d in at.dataframe]
    rows = frame.set_index(frame.columns[0])
    assert rows.loc["shop-pop", requests] == "19,508"
    assert rows.loc["shop-pop", per_request] == "0.0626"
    assert rows.loc["shop-pop", "revenue"] == "₩39,000"
    assert rows.loc["shop-pop", "views"] == "1,221"
    assert rows.loc[no_id, "views"] == "7"
    assert rows.loc["shop-pop", "stars"] == "3.5000"
    assert rows.loc["shop-pop", ndcg] == "0.2346"
    assert rows.loc["shop-pop", precision] == "–"
    assert rows.loc[no_id, requests] == "–"
    assert rows.loc[no_id, frame.columns[1]] == "–"  # no version serves them
    # the serving version as every page names it: solution/ID
    assert rows.loc["shop-pop", frame.columns[1]] == "shop/abcd1234"
    assert rows.loc[no_id, per_request] == "–"
    assert rows.loc[no_id, per_request.replace("views", "revenue")] == "–"
    assert [t.value for t in at.text] == labels
