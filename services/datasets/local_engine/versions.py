"""What the in-process local engine recorded about each solution version's data: test users
scored and with truth, the time range and count of the interactions it trained on
(``services.local.models.training.EVALUATION``, kept outside the wire), and how a model that
trains for epochs stopped (its ``_trainingReport``). Personalize reports none of it, so on AWS
and over HTTP there is no source.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from services.config import Settings
from services.errors import ServiceError
from services.evaluation.version_data import TEST_INTERACTION_SHARE, DataSource, VersionData
from services.i18n import _
from services.i18n.formats import count, share

if TYPE_CHECKING:
    from services.local.engine import LocalEngine


def local_version_data(engine: LocalEngine, arns: Sequence[str]) -> dict[str, VersionData]:
    """The engine's record of each version in ``arns`` that has one (read transaction only).

    Raises:
        ServiceError: the engine's database could not be read.
    """
    from services.local.models.training import EVALUATION

    out = {}
    try:
        with engine.reading() as res:
            for arn in arns:
                doc = res.find(arn)
                if doc is not None and doc.get(EVALUATION):
                    record = doc[EVALUATION]
                    out[arn] = VersionData.from_record(
                        record, doc.get("_numInteractions"), doc.get("_trainingReport")
                    )
    except SQLAlchemyError as err:
        raise ServiceError(f"The local engine's database could not be read: {err}") from err
    return out


def version_data_source(settings: Settings) -> DataSource | None:
    """Where the data behind versions can be read: the in-process engine, else None (AWS,
    or an engine over HTTP: Personalize does not report it)."""
    if settings.is_local and not settings.endpoint_url:
        from services.local.engine import get_engine

        engine = get_engine(settings)
        return lambda arns: local_version_data(engine, arns)
    return None


def engine_scoring_rules() -> str:
    """How the local engine scores versions, in a sentence for the page (next to the numbers)
    and where it had to choose because AWS's guide is silent."""
    from services.local.models.metrics import MAX_TEST_USERS  # the engine loads only when used

    return _(
        "Scored by the local engine as AWS defines it: each test user's newest {share} of "
        "interactions is the truth (an item repeated there counts once; an item the user "
        "already had still counts) against the list the version serves. Where AWS's guide is "
        "silent the engine chose: test users need at least 2 interactions, the truth is at "
        "least one, and at most {max_users} test users are scored."
    ).format(share=share(TEST_INTERACTION_SHARE), max_users=count(MAX_TEST_USERS))
