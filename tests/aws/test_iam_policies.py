"""docs/aws.md's IAM policies allow exactly the AWS actions the code calls.

The actions come from the same scan of ``services/`` as the Stubber coverage test: read-only
operations (Describe/List/Get/Head) must be allowed to the viewer, every operation to the
operator, and neither may allow an action the code never calls (least privilege).
"""

from __future__ import annotations

import pytest

from services.datasets.snapshot import AWS_PREFIX
from tests.aws.iam import (
    CALLER_ONLY,
    action,
    allowed,
    passes_role,
    policies,
    service_role_actions,
)
from tests.aws.operations import is_read_only, operations


def _needed(read_only: bool) -> dict[str, list[str]]:
    """IAM action → where the code calls it."""
    needed: dict[str, list[str]] = {}
    for (service, operation), calls in operations().items():
        act = action(service, operation)
        if act is None or (service, operation) in CALLER_ONLY:
            continue
        if read_only and not is_read_only(operation):
            continue
        needed.setdefault(act, []).extend(c.where for c in calls)
        if not read_only and passes_role(service, operation):
            needed.setdefault("iam:PassRole", []).extend(c.where for c in calls)
    return needed


def _compare(name: str, needed: dict[str, list[str]]) -> None:
    granted = allowed(policies()[name])
    missing = sorted(set(needed) - granted)
    extra = sorted(granted - set(needed))
    lines = [
        f'Add "{a}" to the {name} policy in docs/aws.md: called at {needed[a][0]}' for a in missing
    ]
    lines += [
        f'Remove "{a}" from the {name} policy in docs/aws.md: no code calls it' for a in extra
    ]
    assert not lines, "\n".join(lines)


def test_viewer_policy_allows_exactly_the_read_only_calls() -> None:
    _compare("viewer", _needed(read_only=True))


def test_operator_policy_allows_exactly_every_call() -> None:
    _compare("operator", _needed(read_only=False))


def test_caller_policy_allows_exactly_assuming_the_role() -> None:
    called = {action(s, o) for (s, o) in operations() if (s, o) in CALLER_ONLY}
    assert allowed(policies()["caller"]) == called


def test_service_role_reads_and_writes_only_what_the_requests_name() -> None:
    ops = list(operations())
    assert allowed(policies()["service-role"]) == service_role_actions(ops)
    assert service_role_actions(ops) == {"s3:GetObject", "s3:ListBucket", "s3:PutObject"}
    trust = policies()["service-trust"]["Statement"][0]
    assert trust["Principal"] == {"Service": "personalize.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"


@pytest.mark.parametrize("name", ["viewer", "operator", "service-role", "bucket"])
def test_no_wildcard_actions_and_s3_only_under_the_dashboard_prefix(name: str) -> None:
    for statement in policies()[name]["Statement"]:
        acts = statement["Action"]
        acts = [acts] if isinstance(acts, str) else acts
        assert not any("*" in a for a in acts), statement
        resources = statement["Resource"]
        resources = [resources] if isinstance(resources, str) else resources
        for resource in resources:
            if resource.startswith("arn:aws:s3:::"):
                assert resource in ("arn:aws:s3:::BUCKET", f"arn:aws:s3:::BUCKET/{AWS_PREFIX}/*")
        if resources == ["arn:aws:s3:::BUCKET"] and "s3:ListBucket" in acts:
            assert statement["Condition"] == {"StringLike": {"s3:prefix": f"{AWS_PREFIX}/*"}}


def test_pass_role_is_limited_to_personalize() -> None:
    (statement,) = [s for s in policies()["operator"]["Statement"] if "iam:PassRole" in s["Action"]]
    assert statement["Condition"] == {
        "StringEquals": {"iam:PassedToService": "personalize.amazonaws.com"}
    }
    assert statement["Resource"].startswith("arn:aws:iam::ACCOUNT_ID:role/")


def test_the_policy_check_names_a_missing_action() -> None:
    # A code path calling an action no policy lists must fail with what to add.
    needed = {**_needed(read_only=True), "personalize:DescribeDataDeletionJob": ["services/x.py:1"]}
    with pytest.raises(
        AssertionError, match='Add "personalize:DescribeDataDeletionJob" to the viewer'
    ):
        _compare("viewer", needed)
