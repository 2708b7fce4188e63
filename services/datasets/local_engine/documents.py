"""Resource documents of the in-process local engine, read in one read transaction: where
the engine keeps what Personalize does not report (a version's evaluation, an import job's
counts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from services.errors import ServiceError

if TYPE_CHECKING:
    from services.local.engine import LocalEngine


def documents(engine: LocalEngine, arns: Sequence[str], what: str) -> dict[str, dict[str, Any]]:
    """The current document of each of ``arns`` that exists.

    Raises:
        ServiceError: the engine's database could not be read ("Could not read the engine's
            <what>: …").
    """
    found = {}
    try:
        with engine.reading() as res:
            for arn in arns:
                doc = res.find(arn)
                if doc is not None:
                    found[arn] = doc
    except SQLAlchemyError as err:
        raise ServiceError(f"Could not read the engine's {what}: {err}") from err
    return found
