"""The Experiments page in AWS mode: per arm, the metric attribution's CloudWatch totals where
the arm's name is the eventAttributionSource (Stubber answers), and the page says what those
sums cannot decide. The workspace is the local engine's, read as AWS would answer it."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from services.config import Settings
from services.evaluation.online_cloudwatch import CloudWatchAttribution
from services.experiments.records import ExperimentStore
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from tests.aws.conftest import AwsStubs
from tests.aws.test_online_calls import queue_online_answers
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown
from tests.dashboard.test_aws_mode import aws_pages  # noqa: F401 (a fixture)
from tests.dashboard.test_experiments import _start

PAGE = "dashboard/pages/experiments.py"
METRICS = [
    {"eventType": "View", "metricName": "views", "expression": "SAMPLECOUNT()"},
    {"eventType": "Purchase", "metricName": "revenue", "expression": "SUM(Items.PRICE)"},
]


def _attribution(seeded: Seeded) -> str:
    """A CloudWatch-only metric attribution on the group (made on the engine directly)."""
    p = build_clients(Settings.from_env({**os.environ, "PERSONALIZE_BACKEND": "local"}))
    arn = p.personalize.create_metric_attribution(
        name="shop-metrics",
        datasetGroupArn=seeded.group,
        metrics=METRICS,
        metricsOutputConfig={"roleArn": "arn:aws:iam::000000000000:role/personalize"},
    )["metricAttributionArn"]
    while (
        p.personalize.describe_metric_attribution(metricAttributionArn=arn)["metricAttribution"][
            "status"
        ]
        != "ACTIVE"
    ):
        time.sleep(0.05)
    return arn


def test_on_aws_each_arm_shows_its_attribution_totals_and_what_they_cannot_decide(
    aws_pages: PersonalizeService,  # noqa: F811
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attribution = aws_pages.describe_metric_attribution(_attribution(seeded))
    store = ExperimentStore(Settings.from_env().dashboard_db_url)
    started = _start(seeded, "aws-ab", days=2.0)
    experiment = store.stop(started.id)  # a fixed end: GetMetricData's EndTime is known
    aws = AwsStubs()
    t = experiment.started + timedelta(hours=1)
    queue_online_answers(
        aws,
        attribution,
        {
            "views": {"A": [(t, 40.0), (t + timedelta(minutes=15), 2.0)], "B": [(t, 55.0)]},
            "revenue": {"A": [(t, 12_000.0)], "B": [(t, 31_500.0)], "other": [(t, 9.0)]},
        },
        experiment.started,
        experiment.stopped or datetime.now(UTC),
    )
    client = aws.client("cloudwatch")
    monkeypatch.setattr(
        "dashboard.reads.online.attribution_source", lambda _s: CloudWatchAttribution(client)
    )

    at = app_at(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    aws.close()  # every queued CloudWatch answer was asked for
    frame = at.dataframe[0].value
    assert list(frame["arm"]) == ["A", "B"]
    # by hand: A 40 + 2 views and 12,000 won; B 55 views and 31,500 won; "other" is no arm
    assert list(frame["views (View, SAMPLECOUNT())"]) == ["42", "55"]
    revenue = [float(v.replace(",", "")) for v in frame["revenue (Purchase, SUM(Items.PRICE))"]]
    assert revenue == [12_000.0, 31_500.0]
    infos = " ".join(shown(i.value) for i in at.info)
    assert "cannot be decided from CloudWatch alone" in infos
    assert "revenue per user" in infos
    assert not at.success  # no verdict is claimed
