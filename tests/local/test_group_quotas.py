"""Per-dataset-group quotas (PERSONALIZE.md §5, "Per group: 10 solutions, 5 campaigns, … 10
filters"): the one past a group's quota is refused with LimitExceededException (HTTP 400, as
the API reference lists for every control-plane error), and another group is not held back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from services.config import Settings
from services.personalize.clients import Clients
from tests.local.workspace import create_group, train

POPULARITY = "arn:aws:personalize:::recipe/aws-popularity-count"


def _refused(call: Callable[[], Any], message: str) -> None:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response
    assert error["Error"]["Code"] == "LimitExceededException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"] == message


def test_solutions_campaigns_and_filters_stop_at_their_group_quota(
    clients: Clients, settings: Settings
) -> None:
    p = clients.personalize
    group = create_group(clients, settings.data_dir, "shop")["group"]
    other = create_group(clients, settings.data_dir, "other")["group"]
    _, version = train(clients, group, "pop-1", "aws-popularity-count")

    def solution(name: str, in_group: str = group) -> str:
        arn = p.create_solution(name=name, datasetGroupArn=in_group, recipeArn=POPULARITY)
        return str(arn["solutionArn"])

    for k in range(2, 11):  # with pop-1, the group's 10
        solution(f"pop-{k}")
    _refused(lambda: solution("pop-11"), "Dataset group shop already has 10 solutions.")
    assert solution("pop-other", other).endswith("/pop-other")

    for k in range(1, 6):
        p.create_campaign(name=f"c{k}", solutionVersionArn=version)
    _refused(
        lambda: p.create_campaign(name="c6", solutionVersionArn=version),
        "The dataset group already has 5 campaigns.",
    )

    def filter_(name: str, in_group: str = group) -> str:
        expression = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view")'
        arn = p.create_filter(name=name, datasetGroupArn=in_group, filterExpression=expression)
        return str(arn["filterArn"])

    for k in range(1, 11):
        filter_(f"f{k}")
    _refused(lambda: filter_("f11"), "The dataset group already has 10 filters.")
    assert filter_("f-other", other).endswith("/f-other")
