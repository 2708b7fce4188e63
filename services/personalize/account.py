"""Which account, region and backend the dashboard is looking at (for the sidebar badge).

On AWS the account comes from STS GetCallerIdentity, which needs no IAM permission
(STS API reference); only the account ID, region and the caller's role or user name are kept,
never a credential.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.config import LOCAL_ACCOUNT, Settings
from services.errors import AwsSetupError


@dataclass(frozen=True)
class Account:
    """What the sidebar shows: no key, token or secret ever reaches this value."""

    backend: str  # "local" | "aws"
    region: str
    account_id: str | None  # None when STS could not be asked
    principal: str | None = None  # "role/NAME" or "user/NAME" on AWS
    endpoint: str | None = None  # an endpoint override, shown so nobody mistakes it for AWS
    problem: str | None = None  # why the account is unknown, with what to set


def principal_name(arn: str) -> str:
    """``arn:aws:sts::1:assumed-role/Ops/session`` → ``role/Ops``; ``…:user/ana`` → ``user/ana``."""
    resource = arn.split(":", 5)[-1]
    kind, _, rest = resource.partition("/")
    if kind == "assumed-role":
        return f"role/{rest.split('/', 1)[0]}"
    return f"{kind}/{rest}" if rest else kind


def describe_account(settings: Settings, sts: Any = None) -> Account:
    """The badge's facts; ``sts`` is the STS client of the AWS-mode session (AWS mode only)."""
    if settings.is_local:
        return Account("local", settings.region, LOCAL_ACCOUNT, endpoint=settings.endpoint_url)
    try:
        identity = sts.get_caller_identity()
    except AwsSetupError as err:  # from an ``aws_client``: already names what to set
        return _unknown(settings, err.message)
    except (ClientError, BotoCoreError) as err:
        hint = (
            "set AWS_PROFILE (or AWS credentials) for an identity that may use Personalize"
            if not settings.assume_role_arn
            else f"check that your credentials may assume {settings.assume_role_arn}"
        )
        return _unknown(settings, f"{type(err).__name__}: {hint}.")
    return Account(
        "aws",
        settings.region,
        identity["Account"],
        principal=principal_name(identity["Arn"]),
        endpoint=settings.endpoint_url,
    )


def _unknown(settings: Settings, problem: str) -> Account:
    return Account("aws", settings.region, None, endpoint=settings.endpoint_url, problem=problem)


def current_account(settings: Settings) -> Account:
    """``describe_account`` with the STS client of the AWS-mode session; a profile that cannot
    be used is the badge's ``problem``, not an error."""
    if settings.is_local:
        return describe_account(settings)
    from services.personalize.session import aws_client

    try:
        sts = aws_client(settings, "sts")
    except AwsSetupError as err:
        return _unknown(settings, err.message)
    return describe_account(settings, sts)
