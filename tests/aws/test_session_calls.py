"""AWS-mode configuration: an assumed role refreshed before expiry, the account badge's STS call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from services.config import ConfigError, Settings
from services.personalize.account import describe_account, principal_name
from services.personalize.session import SESSION_NAME, AssumeRoleProvider, aws_session
from tests.aws.conftest import AwsStubs

ROLE = "arn:aws:iam::123456789012:role/PersonalizeDashboardOperator"
T0 = datetime(2024, 1, 1, 12, tzinfo=UTC)


def _credentials(key: str, expires: datetime) -> dict:
    return {
        "Credentials": {
            "AccessKeyId": key,
            "SecretAccessKey": f"secret-of-{key}",
            "SessionToken": f"token-of-{key}",
            "Expiration": expires,
        }
    }


def _assume(aws: AwsStubs, key: str, expires: datetime) -> None:
    aws.respond(
        "sts",
        "assume_role",
        _credentials(key, expires),
        {"RoleArn": ROLE, "RoleSessionName": SESSION_NAME, "DurationSeconds": 3600},
    )


def test_role_credentials_are_refreshed_before_they_expire(aws: AwsStubs) -> None:
    now = [T0]
    provider = AssumeRoleProvider(aws.client("sts"), ROLE, clock=lambda: now[0])
    creds = provider.load()  # deferred: no STS call yet
    _assume(aws, "ASIAFIRSTEXAMPLE0", T0 + timedelta(hours=1))
    assert creds.get_frozen_credentials().access_key == "ASIAFIRSTEXAMPLE0"
    now[0] = T0 + timedelta(minutes=30)  # 30 min left: still valid, no call
    assert creds.get_frozen_credentials().access_key == "ASIAFIRSTEXAMPLE0"
    # 14 min left: inside botocore's 15-minute advisory window, so it asks again.
    now[0] = T0 + timedelta(minutes=46)
    _assume(aws, "ASIASECONDEXAMPLE", T0 + timedelta(hours=2))
    frozen = creds.get_frozen_credentials()
    assert (frozen.access_key, frozen.token) == ("ASIASECONDEXAMPLE", "token-of-ASIASECONDEXAMPLE")


def test_the_session_signs_with_the_assumed_role(aws: AwsStubs) -> None:
    settings = Settings(backend="aws", region="eu-west-1", assume_role_arn=ROLE)
    base = boto3.Session(aws_access_key_id="base", aws_secret_access_key="base")
    session = aws_session(settings, base=base, sts=aws.client("sts"))
    _assume(aws, "ASIAROLEEXAMPLE00", datetime.now(UTC) + timedelta(hours=1))
    assert session.get_credentials().get_frozen_credentials().access_key == "ASIAROLEEXAMPLE00"
    assert session.region_name == "eu-west-1"


def test_without_a_role_the_base_session_is_used() -> None:
    base = boto3.Session(aws_access_key_id="base", aws_secret_access_key="base")
    assert aws_session(Settings(backend="aws"), base=base) is base


@pytest.mark.parametrize("bad", ["PersonalizeRole", "arn:aws:iam::123:role/x", "arn:aws:s3:::b"])
def test_a_role_arn_that_is_not_an_iam_role_is_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="PERSONALIZE_ASSUME_ROLE_ARN"):
        Settings.from_env({"PERSONALIZE_BACKEND": "aws", "PERSONALIZE_ASSUME_ROLE_ARN": bad})


def test_account_badge_names_account_region_and_role_only(aws: AwsStubs) -> None:
    aws.respond(
        "sts",
        "get_caller_identity",
        {
            "Account": "123456789012",
            "Arn": "arn:aws:sts::123456789012:assumed-role/PersonalizeDashboardOperator/s1",
            "UserId": "AROAEXAMPLE:s1",
        },
        {},
    )
    settings = Settings(backend="aws", region="eu-west-1", assume_role_arn=ROLE)
    account = describe_account(settings, aws.client("sts"))
    assert (account.account_id, account.region, account.principal) == (
        "123456789012",
        "eu-west-1",
        "role/PersonalizeDashboardOperator",
    )
    assert "AROA" not in repr(account)  # the unique ID is not shown either


def test_account_badge_says_what_to_set_when_sts_refuses(aws: AwsStubs) -> None:
    aws.fail("sts", "get_caller_identity", "ExpiredToken", 403)
    account = describe_account(Settings(backend="aws"), aws.client("sts"))
    assert account.account_id is None
    assert "AWS_PROFILE" in account.problem


def test_principal_names() -> None:
    assert principal_name("arn:aws:iam::1:user/ana") == "user/ana"
    assert principal_name("arn:aws:sts::1:assumed-role/Ops/sess") == "role/Ops"
    assert principal_name("arn:aws:iam::1:root") == "root"
