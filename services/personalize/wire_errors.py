"""Private to the facade: botocore errors → ``services.errors`` with a next step to take, and
responses whose missing members say which operation and member, not a KeyError.

Only the facade's plumbing (``services.personalize.calls``) imports this module.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,  # botocore's: refused connections and connect timeouts
    CredentialRetrievalError,
    EndpointConnectionError,
    HTTPClientError,  # read timeouts, connections closed mid-response
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
)

from services import errors
from services.personalize.models import resource_label
from services.personalize.session import BAD_CREDENTIAL_CODES

_THROTTLE_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
)
_MAX_DETAIL = 300  # AWS messages are appended for context; keep them from flooding the page


def _detail(aws_message: str) -> str:
    text = " ".join(aws_message.split())[:_MAX_DETAIL]
    return f" Personalize said: {text}" if text else ""


def translate_error(
    err: Exception, operation: str, target: str | None = None, kind: str | None = None
) -> errors.ServiceError:
    """Map a botocore error to a ServiceError whose message says what to do next.

    ``target`` is the ARN (or, for Create*, the name) the call was about; ``kind`` names the
    resource when ``target`` is not an ARN ("Import job").
    """
    if target and target.startswith("arn:"):
        what, name = resource_label(target)
    else:
        what, name = kind or "Resource", target or ""
    subject = f"{what} '{name}'" if name else f"The {what.lower()}"

    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        code = str(error.get("Code", ""))
        detail = _detail(str(error.get("Message", "")))
        operation = err.operation_name or operation
        kw: dict[str, Any] = {"code": code, "operation": operation}
        if code == "ResourceNotFoundException":
            return errors.NotFound(
                f"{subject} was not found: it may have been deleted. Refresh the page.{detail}",
                **kw,
            )
        if code == "ResourceInUseException":
            return errors.Conflict(
                f"{subject} is busy or not ready for {operation}: it, or something it depends "
                f"on, is still being created or changed, or has failed. Wait until it is ACTIVE, "
                f"then try again.{detail}",
                **kw,
            )
        if code == "ResourceAlreadyExistsException":
            return errors.Conflict(f"{subject} already exists: choose another name.{detail}", **kw)
        if code in ("InvalidInputException", "ValidationException", "InvalidNextTokenException"):
            return errors.InvalidInput(
                f"Personalize rejected {operation}: check the values and try again.{detail}", **kw
            )
        if code in ("AccessDeniedException", "AccessDenied"):
            return errors.AccessDenied(
                f"AWS denied personalize:{operation}: the role needs that permission.", **kw
            )
        if code in BAD_CREDENTIAL_CODES:
            return errors.AccessDenied(
                f"AWS rejected the credentials ({code}): they may be expired or for another "
                "account. Refresh them (for example `aws sso login`) and reload the page.",
                **kw,
            )
        if code in _THROTTLE_CODES:
            return errors.Throttled("Throttled by Personalize: try again in a few seconds.", **kw)
        if code in ("LimitExceededException", "TooManyTagsException", "TooManyTagKeysException"):
            return errors.LimitExceeded(
                f"A Personalize quota was reached by {operation}: delete resources you no longer "
                f"need, or ask AWS for a higher quota.{detail}",
                **kw,
            )
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if isinstance(status, int) and status >= 500:
            return errors.ServiceError(
                f"Personalize had an internal error on {operation}: try again in a minute.{detail}",
                **kw,
            )
        return errors.ServiceError(f"Personalize failed on {operation} ({code}).{detail}", **kw)

    kw = {"operation": operation}
    if isinstance(err, EndpointConnectionError):
        endpoint = err.kwargs.get("endpoint_url", "the configured endpoint")
        return errors.BackendUnavailable(
            f"Cannot reach Personalize at {endpoint}: check the network and the region, or that "
            "the local engine is running (make serve).",
            **kw,
        )
    if isinstance(err, ConnectionError | HTTPClientError):
        return errors.BackendUnavailable(
            f"The connection to Personalize failed during {operation}: try again; if it keeps "
            "failing, check the network or that the local engine is running.",
            **kw,
        )
    if isinstance(
        err,
        NoCredentialsError | PartialCredentialsError | CredentialRetrievalError | ProfileNotFound,
    ):
        return errors.BackendUnavailable(
            "No usable AWS credentials were found: set AWS_PROFILE (or run `aws configure`), or "
            "switch to the local engine with PERSONALIZE_BACKEND=local.",
            **kw,
        )
    if isinstance(err, NoRegionError):
        return errors.BackendUnavailable(
            "No AWS region is configured: set AWS_REGION (for example us-east-1).", **kw
        )
    if isinstance(err, ParamValidationError):
        return errors.InvalidInput(
            f"The request for {operation} is invalid: {' '.join(str(err).split())}", **kw
        )
    if isinstance(err, BotoCoreError):
        return errors.ServiceError(f"Calling Personalize {operation} failed: {err}", **kw)
    raise TypeError(f"not a botocore error: {type(err).__name__}") from err


class Checked(dict[str, Any]):
    """A response (or a part of it) whose missing members raise MalformedResponse naming the
    operation and the member, instead of a KeyError deep inside a page."""

    operation: str = ""

    def __missing__(self, key: str) -> Any:
        raise malformed(self.operation, f"no {key!r} in the response")


def checked(value: Any, operation: str) -> Any:
    """``value`` with every dict in it (also inside lists) made ``Checked`` for ``operation``."""
    if isinstance(value, dict):
        out = Checked((k, checked(v, operation)) for k, v in value.items())
        out.operation = operation
        return out
    if isinstance(value, list):
        return [checked(v, operation) for v in value]
    return value


def malformed(operation: str, detail: str) -> errors.MalformedResponse:
    """The error for a response botocore or the parsers could not read."""
    return errors.MalformedResponse(
        f"Personalize's answer to {operation} could not be read ({detail[:_MAX_DETAIL]}): try "
        "again; if it persists, check that the endpoint and region are Personalize's "
        "(PERSONALIZE_ENDPOINT_URL, AWS_REGION) and that no proxy rewrites the answers.",
        code="MalformedResponse",
        operation=operation,
    )
