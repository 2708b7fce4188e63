"""The boto3 session of AWS mode: profile and region, optionally an assumed role.

With ``PERSONALIZE_ASSUME_ROLE_ARN`` set, the base credentials (profile or the normal chain)
are used only to call STS AssumeRole; every client then signs with the role's temporary
credentials. botocore's ``DeferredRefreshableCredentials`` asks STS lazily (no call until the
first request) and again before the credentials expire — from 15 minutes before expiry
(botocore's advisory refresh window), so a long-running dashboard never signs with expired keys.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3
import botocore.session
from botocore.credentials import CredentialProvider, DeferredRefreshableCredentials

from services.config import Settings

SESSION_NAME = "personalize-dashboard"
ROLE_SECONDS = 3600  # AssumeRole's default; roles allow at least this much


class AssumeRoleProvider(CredentialProvider):
    """Credentials of ``role_arn``, obtained with ``sts`` and refreshed before they expire."""

    METHOD = "personalize-dashboard-assume-role"
    CANONICAL_NAME = "custom-personalize-dashboard-assume-role"

    def __init__(
        self,
        sts: Any,
        role_arn: str,
        duration_seconds: int = ROLE_SECONDS,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self._sts = sts
        self._role_arn = role_arn
        self._duration = duration_seconds
        self._clock = clock  # botocore's own (local time, tz-aware) when None

    def load(self) -> DeferredRefreshableCredentials:
        if self._clock is None:
            return DeferredRefreshableCredentials(refresh_using=self.fetch, method=self.METHOD)
        return DeferredRefreshableCredentials(
            refresh_using=self.fetch, method=self.METHOD, time_fetcher=self._clock
        )

    def fetch(self) -> dict[str, str]:
        """One AssumeRole call, in the form botocore's refreshable credentials expect."""
        resp = self._sts.assume_role(
            RoleArn=self._role_arn, RoleSessionName=SESSION_NAME, DurationSeconds=self._duration
        )
        creds = resp["Credentials"]
        expiry: datetime = creds["Expiration"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": expiry.isoformat(),
        }


def aws_session(
    settings: Settings, base: boto3.Session | None = None, sts: Any | None = None
) -> boto3.Session:
    """The session AWS-mode clients are built from.

    ``base`` defaults to ``boto3.Session(profile_name=settings.profile, region_name=…)``;
    ``sts`` (the client that assumes the role) defaults to one built from ``base``.
    """
    base = base or boto3.Session(profile_name=settings.profile, region_name=settings.region)
    if not settings.assume_role_arn:
        return base
    sts = sts or base.client("sts", region_name=settings.region)
    provider = AssumeRoleProvider(sts, settings.assume_role_arn)
    core = botocore.session.Session()
    # The resolver asks providers in order; ours goes first, so no other source is consulted.
    core.get_component("credential_provider").insert_before("env", provider)
    return boto3.Session(botocore_session=core, region_name=settings.region)
