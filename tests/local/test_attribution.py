"""Metric attribution arithmetic, on events whose attributed totals are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from services.local.runtime.attribution import (
    UNDEFINED_SOURCE,
    ExpressionError,
    attribute,
    check_metrics,
    impressions,
    parse_metric,
)

CAMPAIGN = "arn:aws:personalize:us-east-1:000000000000:campaign/shop"
REC = "arn:aws:personalize:us-east-1:000000000000:recommender/fbt"
V1 = "arn:aws:personalize:us-east-1:000000000000:solution/s/aaaa1111"
V2 = "arn:aws:personalize:us-east-1:000000000000:solution/s/bbbb2222"
H = 1_700_002_800  # an hour boundary (divisible by 3600)


def test_expressions() -> None:
    assert (
        parse_metric(
            {"eventType": "Purchase", "metricName": "revenue", "expression": "SUM(Items.PRICE)"}
        ).column
        == "PRICE"
    )
    assert (
        parse_metric(
            {"eventType": "Click", "metricName": "clicks", "expression": "SAMPLECOUNT()"}
        ).column
        is None
    )
    for bad in ("COUNT()", "SUM(PRICE)", "SUM(Users.AGE)", "SAMPLECOUNT(Items.PRICE)"):
        with pytest.raises(ExpressionError):
            parse_metric({"eventType": "x", "metricName": "m", "expression": bad})
    numeric = {"Items": {"PRICE"}, "Interactions": {"EVENT_VALUE"}}
    with pytest.raises(ExpressionError, match="no numeric column COST"):
        check_metrics(
            [{"eventType": "Purchase", "metricName": "c", "expression": "SUM(Items.COST)"}],
            numeric,
        )
    with pytest.raises(ExpressionError, match="used twice"):
        check_metrics(
            [{"eventType": "a", "metricName": "m", "expression": "SAMPLECOUNT()"}] * 2, numeric
        )


def test_attributed_counts_and_revenue_per_hour_source_and_version() -> None:
    served = pd.DataFrame(
        {
            "RECOMMENDATION_ID": ["RID-1", "RID-2", "RID-3"],
            "SOURCE": [CAMPAIGN, CAMPAIGN, REC],
            "SOLUTION_VERSION_ARN": [V1, V2, "rec-model"],
            "TIMESTAMP": [H + 10, H + 3700, H + 20],
            "NUM_ITEMS": [10, 10, 5],
        }
    )
    items = pd.DataFrame({"ITEM_ID": ["a", "b", "c"], "PRICE": [2.5, 10.0, 4.0]})
    events = pd.DataFrame(
        {
            "EVENT_TYPE": [
                "Click",
                "Purchase",
                "Purchase",
                "Click",
                "Purchase",
                "Purchase",
                "Click",
            ],
            "ITEM_ID": ["a", "a", "b", "b", "c", "b", "a"],
            "TIMESTAMP": [H + 60, H + 120, H + 3800, H + 3900, H + 30, H + 50, H - 100],
            "RECOMMENDATION_ID": ["RID-1", "RID-1", "RID-2", "RID-2", "RID-3", None, "RID-1"],
            "EVENT_ATTRIBUTION_SOURCE": [None, None, None, None, "partner", None, None],
        }
    )
    metrics = check_metrics(
        [
            {"eventType": "Click", "metricName": "clicks", "expression": "SAMPLECOUNT()"},
            {"eventType": "Purchase", "metricName": "revenue", "expression": "SUM(Items.PRICE)"},
        ],
        {"Items": {"PRICE"}},
    )
    report = attribute(events, served, items, metrics, since=H)
    got = {
        (r.hour, r.source, r.solutionVersionArn, r.metricName): r.value for r in report.itertuples()
    }
    # By hand: the Click at H-100 predates the attribution and is dropped; the Purchase of c
    # carries an explicit source ("partner") that wins over RID-3; the Purchase of b without a
    # recommendation ID is SOURCE_NAME_UNDEFINED.
    assert got == {
        (H, CAMPAIGN, V1, "clicks"): 1.0,
        (H, CAMPAIGN, V1, "revenue"): 2.5,
        (H + 3600, CAMPAIGN, V2, "clicks"): 1.0,
        (H + 3600, CAMPAIGN, V2, "revenue"): 10.0,
        (H, "partner", "", "revenue"): 4.0,
        (H, UNDEFINED_SOURCE, "", "revenue"): 10.0,
    }
    shown = impressions(served, since=H)
    assert shown["impressions"].tolist() == [10, 5, 10]
