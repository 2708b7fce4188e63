"""Metric attribution arithmetic, on events whose attributed totals are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from services.local.rules.attribution import (
    REPORT_COLUMNS,
    UNDEFINED_SOURCE,
    ExpressionError,
    check_metrics,
    parse_metric,
)
from services.local.runtime.attribution import attribute

CAMPAIGN = "arn:aws:personalize:us-east-1:000000000000:campaign/shop"
REC = "arn:aws:personalize:us-east-1:000000000000:recommender/fbt"
GUIDE_HEADER = "METRIC_NAME,EVENT_TYPE,VALUE,MATH_FUNCTION,EVENT_ATTRIBUTION_SOURCE,TIMESTAMP"
H = 1_700_002_800  # an hour boundary (divisible by 3600, so by 900 too)


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


def test_attributed_counts_and_revenue_per_15_minutes_and_source_in_aws_layout() -> None:
    served = pd.DataFrame(
        {
            "RECOMMENDATION_ID": ["RID-1", "RID-2", "RID-3"],
            "SOURCE": [CAMPAIGN, CAMPAIGN, REC],
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
    # AWS's S3 report header, as the developer guide prints it ("Publishing and viewing
    # results")
    assert ",".join(report.columns) == GUIDE_HEADER
    assert REPORT_COLUMNS == tuple(GUIDE_HEADER.split(","))
    got = {
        (r.TIMESTAMP, r.EVENT_ATTRIBUTION_SOURCE, r.METRIC_NAME, r.MATH_FUNCTION): r.VALUE
        for r in report.itertuples()
    }
    # By hand: the Click at H-100 predates the attribution and is dropped; the Purchase of c
    # carries an explicit source ("partner") that wins over RID-3; the Purchase of b without a
    # recommendation ID is SOURCE_NAME_UNDEFINED. H+3800 and H+3900 fall in the 15-minute
    # period starting at H+3600.
    assert got == {
        (H, CAMPAIGN, "clicks", "samplecount"): 1.0,
        (H, CAMPAIGN, "revenue", "sum"): 2.5,
        (H + 3600, CAMPAIGN, "clicks", "samplecount"): 1.0,
        (H + 3600, CAMPAIGN, "revenue", "sum"): 10.0,
        (H, "partner", "revenue", "sum"): 4.0,
        (H, UNDEFINED_SOURCE, "revenue", "sum"): 10.0,
    }
    # a 15-minute period, not an hour: an event at H+900 is a period of its own
    later = events.iloc[:1].assign(TIMESTAMP=H + 900)
    (row,) = attribute(later, served, items, metrics, since=H).itertuples()
    assert row.TIMESTAMP == H + 900
