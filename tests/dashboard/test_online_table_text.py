"""Offline vs online's table and the metric labels, as a new user reads them in English and
Korean: request counts with group separators, "–" (never "None") where a row has no requests,
and the user-segmentation metrics (hits/recall at 1 percent) under proper names.

The figures, by hand: the campaign served 19,508 requests and earned 1,221 views (a rate of
1221 / 19508 = 0.0626 views per request) and ₩39,000; the events without a recommendation ID
earned 7 views and no requests, so they have no rates."""

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
            "time": [END - timedelta(hours=2)] * 3,
            "source": [CAMPAIGN, CAMPAIGN, UNDEFINED_SOURCE],
            "metricName": ["views", "revenue", "views"],
            "eventType": ["View", "Purchase", "View"],
            "value": [1221.0, 39000.0, 7.0],
            "origin": ["cloudwatch"] * 3,
        }
    )
    report = OnlineReport(
        attribution=MetricAttribution(arn="arn:ma", name="shop-metrics", status="ACTIVE"),
        metrics=(
            AttributedMetric("View", "views", "SAMPLECOUNT()"),
            AttributedMetric("Purchase", "revenue", "SUM(Items.PRICE)"),
        ),
        points=points,
        start=END - timedelta(days=14),
        end=END,
        requests={CAMPAIGN: 19508},
        currencies={"revenue": "KRW"},
    )
    return OnlineView(report, {CAMPAIGN: None}, {})


def _draw() -> None:
    import streamlit as st

    from dashboard.components.solutions.metrics_chart import metric_label
    from dashboard.components.solutions.online_metrics import show_offline_vs_online
    from services.i18n import use_language

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
    ("language", "requests", "per_request", "no_id", "labels"),
    [
        (
            "en",
            "recommendation requests",
            "views per request",
            "events without a recommendation ID",
            ["Hits@1%", "Recall@1%"],
        ),
        (
            "ko",
            "추천 요청 수",
            "요청당 views",
            "추천 ID 없는 이벤트",
            ["적중(Hits)@1%", "재현율(Recall)@1%"],
        ),
    ],
)
def test_counts_have_separators_and_missing_figures_a_dash(
    language: str, requests: str, per_request: str, no_id: str, labels: list[str]
) -> None:
    at = _run(language)
    (frame,) = [d.value for d in at.dataframe]
    rows = frame.set_index(frame.columns[0])
    assert rows.loc["shop-pop", requests] == "19,508"
    assert rows.loc["shop-pop", per_request] == "0.0626"
    assert rows.loc["shop-pop", "revenue"] == "₩39,000"
    assert rows.loc[no_id, requests] == "–"
    assert rows.loc[no_id, per_request] == "–"
    assert rows.loc[no_id, per_request.replace("views", "revenue")] == "–"
    assert [t.value for t in at.text] == labels
