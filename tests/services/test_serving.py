"""What a dataset group serves through decides the pages' words (issue #21: a recommender-only
group was told about campaigns and recipes); a failed recommender is an alert of its own."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.personalize.models import DatasetGroup, Recommender
from services.workspace.alerts import build_alerts
from services.workspace.overview import DatasetGroupOverview
from services.workspace.serving import Serves, combined, serves
from tests.services.test_alerts import NOW, group


@pytest.mark.parametrize(
    ("domain", "campaigns", "recommenders", "expected"),
    [
        (None, 0, 0, Serves.CAMPAIGNS),  # a new Custom group: its next step is a campaign
        (None, 3, 0, Serves.CAMPAIGNS),
        ("ECOMMERCE", 0, 2, Serves.RECOMMENDERS),
        ("ECOMMERCE", 0, 0, Serves.RECOMMENDERS),  # a new Domain group: next, a recommender
        ("VIDEO_ON_DEMAND", 1, 0, Serves.CAMPAIGNS),  # a Domain group with custom resources
        ("ECOMMERCE", 1, 2, Serves.BOTH),
    ],
)
def test_serves(domain: str | None, campaigns: int, recommenders: int, expected: Serves) -> None:
    assert serves(domain=domain, campaigns=campaigns, recommenders=recommenders) is expected


def test_a_workspace_serves_through_what_its_groups_serve() -> None:
    assert combined([]) is Serves.CAMPAIGNS
    assert combined([Serves.RECOMMENDERS, Serves.RECOMMENDERS]) is Serves.RECOMMENDERS
    assert combined([Serves.RECOMMENDERS, Serves.CAMPAIGNS]) is Serves.BOTH


def test_a_failed_recommender_is_an_error_alert() -> None:
    base = group()
    failed = Recommender(
        "arn:aws:personalize:us-east-1:1:recommender/for-you",
        "for-you",
        "CREATE FAILED",
        failure_reason="not enough interactions",
        created=NOW,
    )
    fine = replace(failed, arn=failed.arn + "-2", name="best", status="ACTIVE")
    domain = DatasetGroupOverview(
        DatasetGroup(base.group.arn, "eshop", "ACTIVE", domain="ECOMMERCE"),
        base.datasets,
        (),
        (),
        (),
        (failed, fine),
    )
    assert domain.serves is Serves.RECOMMENDERS
    (alert,) = build_alerts([domain], NOW)
    assert (alert.severity, alert.kind, alert.target, alert.page) == (
        "error",
        "recommender_failed",
        failed.arn,
        "recommendations",
    )
    assert alert.message == "Recommender for-you failed to create: not enough interactions"
