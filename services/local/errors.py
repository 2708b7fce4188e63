"""Personalize's errors, raised by the engine and serialised by the protocol layer.

``status`` is the default HTTP status; the protocol layer answers with the status botocore's
model gives the error in the calling service (``error.httpStatusCode``; 400 for the control
plane's modelled errors, which the awsJson1.1 protocol sends as client errors).
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine answers with; ``code`` is the AWS error name."""

    code = "InternalFailure"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(EngineError):
    code = "InvalidInputException"
    status = 400


class ResourceNotFound(EngineError):
    code = "ResourceNotFoundException"
    status = 404


class ResourceAlreadyExists(EngineError):
    code = "ResourceAlreadyExistsException"
    status = 400


class ResourceInUse(EngineError):
    code = "ResourceInUseException"
    status = 409


class LimitExceeded(EngineError):
    code = "LimitExceededException"
    status = 400


class TooManyTags(EngineError):
    """More than 50 tags on one resource (API reference TagResource and every Create* with
    ``tags``: TooManyTagsException, HTTP 400)."""

    code = "TooManyTagsException"
    status = 400


class TooManyTagKeys(EngineError):
    """UntagResource with more than 50 tag keys (API reference UntagResource:
    TooManyTagKeysException, HTTP 400)."""

    code = "TooManyTagKeysException"
    status = 400


class InvalidNextToken(EngineError):
    code = "InvalidNextTokenException"
    status = 400


class UnknownOperation(EngineError):
    code = "UnknownOperationException"
    status = 400


class ValidationFailed(EngineError):
    """A request breaks a constraint of the service model (not a modelled Personalize error;
    boto3 raises it as a ClientError with Error.Code ValidationException)."""

    code = "ValidationException"
    status = 400


class SerializationFailed(EngineError):
    """The body is not JSON that maps to the input structure: not UTF-8 JSON, not an object, a
    number no double or long holds, or a member of the wrong JSON type (Smithy's
    malformed-request protocol tests: 400 SerializationException)."""

    code = "SerializationException"
    status = 400


class NotInLocalEngine(EngineError):
    """A real Personalize operation the local engine does not implement."""

    code = "UnsupportedOperationException"
    status = 400


class UnsupportedMediaType(EngineError):
    """The Content-Type is not the protocol's (Smithy: 415 UnsupportedMediaTypeException)."""

    code = "UnsupportedMediaTypeException"
    status = 415


class RequestTooLarge(EngineError):
    """The body is over the endpoint's stated limit; it is refused unread."""

    code = "RequestEntityTooLargeException"
    status = 413


# Refusals of the HTTP endpoint when it requires signed requests (``wire.auth``; Amazon
# Personalize API reference, "Common Errors").


class MissingAuthenticationToken(EngineError):
    """No ``Authorization`` header (or, on an open loopback engine, a foreign Host)."""

    code = "MissingAuthenticationTokenException"
    status = 403


class IncompleteSignature(EngineError):
    """An ``Authorization`` header that is not a complete SigV4 one for this service."""

    code = "IncompleteSignatureException"
    status = 403


class UnrecognizedClient(EngineError):
    """An access key ID (or session token) the engine does not have."""

    code = "UnrecognizedClientException"
    status = 403


class InvalidSignature(EngineError):
    """A signature that does not match, or a date more than 5 minutes off (400, as AWS's JSON
    services answer it)."""

    code = "InvalidSignatureException"
    status = 400
