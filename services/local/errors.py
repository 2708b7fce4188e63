"""Personalize's modelled errors, raised by the engine and serialised by the protocol layer."""

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


class InvalidNextToken(EngineError):
    code = "InvalidNextTokenException"
    status = 400


class UnknownOperation(EngineError):
    code = "UnknownOperationException"
    status = 400
