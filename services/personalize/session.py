"""The boto3 session and clients of AWS mode, and the one place where a configuration problem
(a missing profile, no or expired credentials, a role that cannot be assumed, no network)
becomes a one-line ``AwsSetupError`` naming the setting to fix.

With ``PERSONALIZE_ASSUME_ROLE_ARN`` set, the base credentials (profile or the normal chain)
are used only to call STS AssumeRole; every client then signs with the role's temporary
credentials. botocore's ``DeferredRefreshableCredentials`` asks STS lazily (no call until the
first request) and again before the credentials expire — from 15 minutes before expiry
(botocore's advisory refresh window), so a long-running dashboard never signs with expired keys.

Every client is made by ``aws_client``, which hooks two botocore events on it:
``after-call-error`` (an exception while sending: credentials not found, a profile's role or
SSO refused, an endpoint unreachable — the credential providers run while the request is
signed, so their STS/SSO errors surface here) and ``after-call`` (an answer rejecting the
credentials, such as ``ExpiredTokenException``). Both raise ``explain``'s message instead of
botocore's, so pages, the facade and the command lines all see the same line.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, DeferredRefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,  # botocore's: refused connections, connect timeouts, proxies, TLS
    CredentialRetrievalError,
    InvalidConfigError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    ProxyConnectionError,
    SSOError,
    TokenRetrievalError,
)

from services.config import Settings
from services.errors import AwsSetupError

SESSION_NAME = "personalize-dashboard"
ROLE_SECONDS = 3600  # AssumeRole's default; roles allow at least this much

# Codes AWS answers when the credentials themselves are wrong or expired (not a missing
# permission): STS, Personalize, S3 and CloudWatch spell them differently.
BAD_CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "ExpiredTokenException",
        "ExpiredToken",
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "InvalidToken",
        "MissingAuthenticationTokenException",
        "IncompleteSignature",
    }
)
_SERVICE_NAMES = {
    "personalize": "Personalize",
    "personalize-runtime": "Personalize",
    "personalize-events": "Personalize",
    "sts": "AWS STS",
    "s3": "S3",
    "cloudwatch": "CloudWatch",
}
_MAX_AWS_TEXT = 200  # AWS's own words are quoted for context, never pages of them


class AssumeRoleProvider(CredentialProvider):
    """Credentials of ``role_arn``, obtained with ``sts`` and refreshed before they expire.

    A refusal by STS raises ``AwsSetupError`` naming ``PERSONALIZE_ASSUME_ROLE_ARN`` and
    ``source`` (where the credentials that asked came from).
    """

    METHOD = "personalize-dashboard-assume-role"
    CANONICAL_NAME = "custom-personalize-dashboard-assume-role"

    def __init__(
        self,
        sts: Any,
        role_arn: str,
        duration_seconds: int = ROLE_SECONDS,
        clock: Callable[[], datetime] | None = None,
        source: str = "your credentials",
    ) -> None:
        super().__init__()
        self._sts = sts
        self._role_arn = role_arn
        self._duration = duration_seconds
        self._clock = clock  # botocore's own (local time, tz-aware) when None
        self._source = source

    def load(self) -> DeferredRefreshableCredentials:
        if self._clock is None:
            return DeferredRefreshableCredentials(refresh_using=self.fetch, method=self.METHOD)
        return DeferredRefreshableCredentials(
            refresh_using=self.fetch, method=self.METHOD, time_fetcher=self._clock
        )

    def fetch(self) -> dict[str, str]:
        """One AssumeRole call, in the form botocore's refreshable credentials expect."""
        try:
            resp = self._sts.assume_role(
                RoleArn=self._role_arn,
                RoleSessionName=SESSION_NAME,
                DurationSeconds=self._duration,
            )
        except ClientError as err:
            raise AwsSetupError(
                f"PERSONALIZE_ASSUME_ROLE_ARN={self._role_arn}: STS refused AssumeRole "
                f"({_aws_said(err)}); let {self._source} assume that role (its trust policy and "
                "sts:AssumeRole), or unset PERSONALIZE_ASSUME_ROLE_ARN",
                code=_code(err),
                operation="AssumeRole",
            ) from err
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
    """The session AWS-mode clients are built from (build them with ``aws_client``).

    ``base`` defaults to ``boto3.Session(profile_name=settings.profile, region_name=…)``;
    ``sts`` (the client that assumes the role) defaults to one built from ``base``.

    Raises:
        AwsSetupError: ``AWS_PROFILE`` names no profile of the AWS config files.
    """
    _quiet_refresh_tracebacks()
    if base is None:
        try:
            base = boto3.Session(profile_name=settings.profile, region_name=settings.region)
        except BotoCoreError as err:
            raise _explained(err, settings) from err
    if not settings.assume_role_arn:
        return base
    purpose = f"to assume PERSONALIZE_ASSUME_ROLE_ARN={settings.assume_role_arn}"
    sts = sts or aws_client(settings, "sts", session=base, purpose=purpose)
    provider = AssumeRoleProvider(
        sts, settings.assume_role_arn, source=f"the credentials of {credential_source(settings)}"
    )
    core = botocore.session.Session()
    # The resolver asks providers in order; ours goes first, so no other source is consulted.
    core.get_component("credential_provider").insert_before("env", provider)
    return boto3.Session(botocore_session=core, region_name=settings.region)


# Every AWS client's retries and timeouts: botocore's standard retry mode (exponential backoff
# with jitter, 5 retries) is the one retry layer, so callers send once. botocore otherwise
# waits 60 s to connect and 60 s per read, five times over: a dropped VPN would hang a page for
# minutes. Personalize, CloudWatch, STS and S3 answer these calls in well under a second, so a
# page knows within ~2 minutes at worst and usually at once.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=20
)


def aws_client(
    settings: Settings,
    service: str,
    *,
    session: boto3.Session | None = None,
    purpose: str = "",
    **kwargs: Any,
) -> Any:
    """A boto3 client of ``service`` whose configuration failures raise ``AwsSetupError``.

    ``session`` defaults to ``aws_session(settings)``; ``purpose`` ends the "cannot reach"
    message ("to assume …"); ``kwargs`` go to ``Session.client`` (``endpoint_url``; ``config``
    defaults to ``CLIENT_CONFIG``).

    Raises:
        AwsSetupError: the profile or its credential settings are unusable (botocore resolves
            them while building a client); later, from any call, as described above.
    """
    session = session or aws_session(settings)
    kwargs.setdefault("config", CLIENT_CONFIG)
    try:
        client = session.client(service, **kwargs)
    except BotoCoreError as err:
        raise _explained(err, settings, service) from err
    endpoint = client.meta.endpoint_url

    def on_error(exception: BaseException, **_: Any) -> None:
        problem = explain(exception, settings, service, endpoint, purpose)
        if problem is not None:
            raise problem from exception

    def on_answer(http_response: Any, parsed: dict[str, Any], **_: Any) -> None:
        code = (parsed or {}).get("Error", {}).get("Code")
        if getattr(http_response, "status_code", 0) >= 300 and code in BAD_CREDENTIAL_CODES:
            message = str(parsed.get("Error", {}).get("Message", ""))
            raise _rejected(settings, service, f"{code}: {_one_line(message)}", str(code))

    client.meta.events.register("after-call-error", on_error)
    client.meta.events.register("after-call", on_answer)
    return client


def credential_source(settings: Settings) -> str:
    """The setting the base credentials come from, as messages name it: ``AWS_PROFILE=ops``,
    ``AWS_ACCESS_KEY_ID`` or the default profile."""
    profile = _profile(settings)
    if profile:
        return f"AWS_PROFILE={profile}"
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        return "AWS_ACCESS_KEY_ID"
    return "the default profile (AWS_PROFILE is not set)"


def explain(
    err: BaseException,
    settings: Settings,
    service: str = "personalize",
    endpoint: str | None = None,
    purpose: str = "",
) -> AwsSetupError | None:
    """The one-line message for a configuration failure, or None when ``err`` is none.

    ``service`` and ``endpoint`` are the client's that failed: a connection failure to its own
    endpoint is "cannot reach SERVICE", one to another host happened while fetching credentials
    (a profile's ``role_arn`` or SSO). A ``ClientError`` raised while sending (not answered by
    the service) is likewise a credential provider's STS or SSO call.
    """
    source = credential_source(settings)
    profile = _profile(settings)
    config, creds = _files()
    if isinstance(err, ProfileNotFound):
        name = err.kwargs.get("profile") or profile
        setting = "AWS_PROFILE" if name == profile or not name else "AWS_DEFAULT_PROFILE"
        return AwsSetupError(
            f"{setting}={name}: no such profile in {config} or {creds}; set {setting} to "
            f"{_one_of(_profiles())}",
            code="ProfileNotFound",
        )
    if isinstance(err, NoCredentialsError):
        if profile:
            return AwsSetupError(
                f"AWS_PROFILE={profile} has no credentials in {config} or {creds}: add them "
                f"with `aws configure --profile {profile}`, or set AWS_PROFILE to "
                f"{_one_of(_profiles(), profile)}",
                code="NoCredentials",
            )
        return AwsSetupError(
            "No AWS credentials found: set AWS_PROFILE to "
            f"{_one_of(_profiles())}, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or PERSONALIZE_BACKEND=local for the local engine)",
            code="NoCredentials",
        )
    if isinstance(err, PartialCredentialsError):
        missing = err.kwargs.get("cred_var", "a key")
        return AwsSetupError(
            f"{source}: the credentials lack {missing} ({err.kwargs.get('provider', '')}): "
            "set it, or remove the incomplete keys",
            code="PartialCredentials",
        )
    if isinstance(err, SSOError | TokenRetrievalError):
        who = f"AWS_PROFILE={profile}" if profile else source
        return AwsSetupError(
            f"{who}: the SSO session has expired or was never started: run `aws sso login"
            + (f" --profile {profile}`" if profile else "`")
            + ", then try again",
            code="SSOTokenExpired",
        )
    if isinstance(err, InvalidConfigError | CredentialRetrievalError):
        return AwsSetupError(
            f"{source}: {_one_line(str(err)).rstrip('.')}; fix the profile in {config}, or "
            f"set AWS_PROFILE to {_one_of(_profiles(), profile)}",
            code=type(err).__name__,
        )
    if isinstance(err, ClientError):  # raised while signing: a credential provider's call
        op = err.operation_name or "the credential request"
        role = _profile_role(profile)
        target = f" of its role_arn {role}" if role and op.startswith("AssumeRole") else ""
        return AwsSetupError(
            f"{source}: AWS refused {op}{target} ({_aws_said(err)}); fix the profile's "
            f"role_arn or source_profile, or set AWS_PROFILE to {_one_of(_profiles(), profile)}",
            code=_code(err),
            operation=op,
        )
    if isinstance(err, ProxyConnectionError):
        return AwsSetupError(
            f"Cannot reach the proxy {err.kwargs.get('proxy_url', '')}: check HTTPS_PROXY (and "
            "HTTP_PROXY, NO_PROXY), or unset it",
            code="ProxyConnectionError",
        )
    if isinstance(err, ConnectionError):
        url = str(err.kwargs.get("endpoint_url") or "")
        name = _SERVICE_NAMES.get(service, service)
        if endpoint and url and not _same_host(url, endpoint):
            return AwsSetupError(
                f"{source}: cannot reach {url} to get its credentials (STS for its role_arn, "
                "or the SSO portal): check the network (HTTPS_PROXY when there is a proxy) and "
                "the profile's region",
                code="EndpointConnectionError",
            )
        custom = settings.endpoint_url and service.startswith("personalize")
        where = "PERSONALIZE_ENDPOINT_URL" if custom else "AWS_REGION"
        value = settings.endpoint_url if custom else settings.region
        return AwsSetupError(
            f"Cannot reach {name} at {url or endpoint or 'its endpoint'}"
            + (f" {purpose}" if purpose else "")
            + f": check the network (HTTPS_PROXY when there is a proxy) and {where}={value}",
            code="EndpointConnectionError",
        )
    return None


def _explained(err: BotoCoreError, settings: Settings, service: str = "") -> Exception:
    return explain(err, settings, service or "personalize") or err


def _rejected(settings: Settings, service: str, said: str, code: str) -> AwsSetupError:
    profile = _profile(settings)
    name = _SERVICE_NAMES.get(service, service)
    if settings.assume_role_arn and service != "sts":
        whose = f"the role PERSONALIZE_ASSUME_ROLE_ARN={settings.assume_role_arn}"
        fix = "check that role, or unset PERSONALIZE_ASSUME_ROLE_ARN"
    elif profile:
        whose = f"AWS_PROFILE={profile}"
        fix = (
            f"renew them (`aws sso login --profile {profile}`, or new keys with `aws configure "
            f"--profile {profile}`), or set AWS_PROFILE to another profile"
        )
    else:
        whose = credential_source(settings)
        fix = "renew AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or set "
        fix += "AWS_PROFILE to a profile with valid credentials"
    return AwsSetupError(
        f"{name} rejected the credentials of {whose} ({said}): they are expired or not valid; "
        f"{fix}",
        code=code,
    )


def _profile(settings: Settings) -> str | None:
    return (
        settings.profile or os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")
    )


def _files() -> tuple[str, str]:
    """The AWS config and credentials files, as the messages name them."""
    config = os.environ.get("AWS_CONFIG_FILE")
    creds = os.environ.get("AWS_SHARED_CREDENTIALS_FILE")
    return (
        f"AWS_CONFIG_FILE ({config})" if config else "~/.aws/config",
        f"AWS_SHARED_CREDENTIALS_FILE ({creds})" if creds else "~/.aws/credentials",
    )


def _profiles() -> list[str]:
    """Profile names of the config and credentials files (none when they cannot be read)."""
    try:
        core = botocore.session.Session()
        core.set_config_variable("profile", None)
        return sorted(core.available_profiles)
    except (BotoCoreError, OSError, ValueError):
        return []


def _profile_role(profile: str | None) -> str | None:
    try:
        core = botocore.session.Session(profile=profile)
        role: str | None = core.get_scoped_config().get("role_arn")
        return role
    except (BotoCoreError, OSError, ValueError):
        return None


def _one_of(profiles: list[str], current: str | None = None) -> str:
    others = [p for p in profiles if p != current]
    if not others:
        return "a profile that exists (there is none: `aws configure --profile NAME` adds one)"
    shown = ", ".join(others[:10]) + (f" (and {len(others) - 10} more)" if len(others) > 10 else "")
    return f"one of: {shown}"


def _same_host(url: str, endpoint: str) -> bool:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc.lower() == urlsplit(endpoint).netloc.lower()


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def _aws_said(err: ClientError) -> str:
    error = err.response.get("Error", {})
    message = _one_line(str(error.get("Message", "")))
    return f"{error.get('Code', '')}: {message}" if message else str(error.get("Code", ""))


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_AWS_TEXT else text[: _MAX_AWS_TEXT - 1] + "…"


class _OneLineRefreshLog(logging.Filter):
    """botocore logs a failed credential refresh with its whole traceback, then raises the
    error (a mandatory refresh) or keeps the old credentials (an advisory one). The raised
    error reaches the user translated, so its log record is dropped; an advisory failure stays
    a warning, in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or not str(record.msg).startswith(
            "Refreshing temporary credentials"
        ):
            return True
        if "mandatory" in (record.args or ()):
            return False
        error = record.exc_info[1]
        record.msg = f"{record.getMessage()} ({type(error).__name__}: {_one_line(str(error))})"
        record.args = None
        record.exc_info = record.exc_text = None
        return True


_REFRESH_LOG_FILTER = _OneLineRefreshLog()


def _quiet_refresh_tracebacks() -> None:
    logger = logging.getLogger("botocore.credentials")
    if _REFRESH_LOG_FILTER not in logger.filters:
        logger.addFilter(_REFRESH_LOG_FILTER)
