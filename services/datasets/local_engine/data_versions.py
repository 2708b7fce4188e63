"""Names for the state of a group's events in the local engine's storage, so a read of them can
be kept until they change (the Experiments and Solutions pages keep theirs under these keys).

PutEvents only appends rows to ``interactions`` (source "put"), so their newest row ID grows
with every event; every other change to the rows and records these reads use (an import,
PutItems / PutUsers, a data deletion job: prices, metric columns, dropped rows) bumps the
group's data version (``services.local.data.storage.versions``). An event's recommendation
list is stored before the event (``services.local.runtime.answer_log``: PutEvents saves the
lists its events name first), so a list stored later cannot change what an event already read
means; the newest list issued still takes part in ``attribution_version``, for a list another
process had not written yet when the event arrived. Each is one or two index lookups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from services.errors import ServiceError

if TYPE_CHECKING:
    from services.local.engine import LocalEngine


def events_version(engine: LocalEngine, group_arn: str) -> tuple[int, int]:
    """(the newest PutEvents row's ID, the group's data version) of ``group_arn``; (0, 0) for
    a group with neither. Any event, import, PutItems, PutUsers or deletion changes it.

    Raises:
        ServiceError: the engine's database cannot be read.
    """
    import sqlalchemy as sa

    from services.local.data.storage import tables as t

    c = t.interactions.c
    v = t.data_versions.c
    try:
        with engine.read_db.connect() as conn:
            newest = conn.execute(
                sa.select(sa.func.max(c.id)).where(c.group_arn == group_arn, c.source == "put")
            ).scalar()
            version = conn.execute(sa.select(v.version).where(v.group_arn == group_arn)).scalar()
    except SQLAlchemyError as err:
        raise ServiceError(f"The local engine's database could not be read: {err}") from err
    return int(newest or 0), int(version or 0)


def attribution_version(engine: LocalEngine, group_arn: str) -> tuple[int, int, float]:
    """``events_version`` and the time of the newest recommendation list logged for a metric
    attribution of ``group_arn`` (epoch seconds, 0 without one): what the metric
    attribution's PutEvents figures are computed from (``tables.issued`` names the campaign
    an event's recommendationId credits).

    Raises:
        ServiceError: the engine's database cannot be read.
    """
    import sqlalchemy as sa

    from services.local.data.storage import tables as t

    newest, version = events_version(engine, group_arn)
    try:
        with engine.read_db.connect() as conn:
            issued = conn.execute(
                sa.select(sa.func.max(t.issued.c.ts)).where(t.issued.c.group_arn == group_arn)
            ).scalar()
    except SQLAlchemyError as err:
        raise ServiceError(f"The local engine's database could not be read: {err}") from err
    return newest, version, float(issued or 0.0)
