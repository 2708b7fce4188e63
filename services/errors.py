"""Errors the services raise, with messages a person can act on.

Pages catch only ``ServiceError`` and show ``str(err)``. Every error is raised ``from`` the
botocore error that caused it, so logs keep the AWS code and request ID.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error the services raise; ``str(err)`` is the human message."""

    def __init__(
        self, message: str, *, code: str | None = None, operation: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code  # the AWS error code, when there was one
        self.operation = operation  # the API operation, e.g. "UpdateCampaign"

    def __str__(self) -> str:
        return self.message


class NotFound(ServiceError):  # noqa: N818 (names the pages read)
    """The resource does not exist (any more)."""


class Conflict(ServiceError):  # noqa: N818 (names the pages read)
    """The resource is in use (busy with another change) or already exists."""


class InvalidInput(ServiceError):  # noqa: N818 (names the pages read)
    """Personalize rejected a parameter."""


class AccessDenied(ServiceError):  # noqa: N818 (names the pages read)
    """The credentials are valid but not allowed to do this, or were rejected."""


class Throttled(ServiceError):  # noqa: N818 (names the pages read)
    """Too many requests: retrying a little later works."""


class LimitExceeded(ServiceError):  # noqa: N818 (names the pages read)
    """An account quota was reached."""


class MalformedResponse(ServiceError):  # noqa: N818 (names the pages read)
    """The endpoint answered, but not with a response Personalize sends (a member missing or of
    the wrong type, a body that is not JSON): a proxy, a wrong endpoint, or a bug there."""


class StoreUnavailable(ServiceError):  # noqa: N818 (names the pages read)
    """The dashboard's own database cannot be written (read-only, locked, full), so an action
    that must be audited is not started."""


class BackendUnavailable(ServiceError):  # noqa: N818 (names the pages read)
    """The endpoint is unreachable or there are no credentials."""


class AwsSetupError(BackendUnavailable):
    """AWS mode cannot sign or connect as configured: a missing profile, no or expired
    credentials, a role that cannot be assumed, no network. The message is one line naming
    the setting to fix (``AWS_PROFILE=…``, ``PERSONALIZE_ASSUME_ROLE_ARN=…``, ``AWS_REGION=…``);
    command lines exit 2 on it (``services.personalize.session`` raises it)."""


__all__ = [
    "AccessDenied",
    "AwsSetupError",
    "BackendUnavailable",
    "Conflict",
    "InvalidInput",
    "LimitExceeded",
    "MalformedResponse",
    "NotFound",
    "ServiceError",
    "StoreUnavailable",
    "Throttled",
]
