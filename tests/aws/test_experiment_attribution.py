"""An experiment's per-arm totals on AWS: the metric attribution's CloudWatch sums where the
arm's name is the eventAttributionSource, from ListMetrics and GetMetricData answers shaped by
the botocore cloudwatch model (queued by test_online_calls)."""

from __future__ import annotations

from datetime import timedelta

from services.evaluation.online_cloudwatch import CloudWatchAttribution
from services.experiments.attributed import attributed_outcomes
from services.experiments.records import Arm, Experiment
from services.personalize.models import MetricAttribution
from tests.aws.conftest import AwsStubs
from tests.aws.test_online_calls import (
    CAMPAIGN,
    CLICKS,
    END,
    REVENUE,
    START,
    UNDEFINED,
    P,
    T,
    queue_online_answers,
)

ATTRIBUTION = MetricAttribution(f"{P}:metric-attribution/shop-metrics", "shop-metrics", "ACTIVE")
CONTROL, TREATMENT = "A", "B-summer"


def _experiment() -> Experiment:
    return Experiment(
        1, "ab", f"{P}:dataset-group/shop",
        (Arm(CONTROL, 5_000, CAMPAIGN), Arm(TREATMENT, 5_000, f"{P}:campaign/other")),
        "click", "purchase", 0.03, 1_000, "stopped", START, END, "test", None,
    )  # fmt: skip


def test_each_arm_gets_the_sums_of_its_own_source_only() -> None:
    aws = AwsStubs()
    quarter = timedelta(minutes=15)
    aws_figures = {
        "clicks": {
            CONTROL: [(T, 3.0), (T + quarter, 2.0)],
            TREATMENT: [(T, 7.0)],
            UNDEFINED: [(T, 100.0)],  # traffic outside the experiment
        },
        "revenue": {CONTROL: [(T, 30_000.0), (T + quarter, 12_500.0)]},
    }
    queue_online_answers(
        aws, ATTRIBUTION, aws_figures, START, END, other_attribution=f"{P}:metric-attribution/x"
    )
    found = attributed_outcomes(
        _experiment(),
        ATTRIBUTION,
        (CLICKS, REVENUE),
        CloudWatchAttribution(aws.client("cloudwatch")),
        END + timedelta(days=3),  # stopped at END: later figures are not the experiment's
    )
    aws.close()
    assert [a.name for a in found.arms] == [CONTROL, TREATMENT]
    # by hand: A 3 + 2 clicks and 30,000 + 12,500 won; B-summer 7 clicks and no purchase
    assert found.arms[0].totals == {"clicks": 5.0, "revenue": 42_500.0}
    assert found.arms[1].totals == {"clicks": 7.0, "revenue": 0.0}
    assert (found.start, found.end) == (START, END)
