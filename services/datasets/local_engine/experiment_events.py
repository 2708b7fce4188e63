"""The events an experiment is judged on, from the in-process local engine's storage.

PutEvents rows keep what a dataset export leaves out and an experiment needs: the session,
the ``recommendationId``, the ``metricAttribution.eventAttributionSource`` (the arm) and the
impression of each event (explicit, else the items of the list its recommendationId names:
``services.local.data.impressions``). On AWS these reach the metric attribution (CloudWatch
and S3), not a dataset, so there the source is None and the page says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from services.config import Settings
from services.datasets.local_engine.data_versions import events_version
from services.datasets.local_engine.group_data import storage_read
from services.errors import ServiceError
from services.experiments.outcomes import EVENT_COLUMNS

if TYPE_CHECKING:
    from services.local.data.impressions import Impression
    from services.local.engine import LocalEngine


class EventSource:
    """An experiment's events from the in-process engine. Called with (group ARN, since), it
    returns ``experiment_events``' (events frame with outcomes.EVENT_COLUMNS, item ID ->
    price); ``version(group ARN)`` names the state they are read from, so a read kept under
    it is replaced after the next event, import or deletion (``data_versions``)."""

    def __init__(self, engine: LocalEngine) -> None:
        self._engine = engine

    def __call__(self, group_arn: str, since: datetime) -> tuple[pd.DataFrame, Mapping[str, float]]:
        return experiment_events(self._engine, group_arn, since)

    def version(self, group_arn: str) -> tuple[int, int]:
        """``data_versions.events_version`` of ``group_arn``.

        Raises:
            ServiceError: the engine's database cannot be read.
        """
        return events_version(self._engine, group_arn)


def experiment_events(
    engine: LocalEngine, group_arn: str, since: datetime
) -> tuple[pd.DataFrame, dict[str, float]]:
    """The group's PutEvents events with TIMESTAMP at or after ``since`` (EVENT_COLUMNS, in
    arrival order; IMPRESSION resolved as Personalize does, the explicit one first) and every
    item's PRICE (items without a numeric price are left out).

    Raises:
        ServiceError: the engine's database or a bulk Items file cannot be read.
    """
    import sqlalchemy as sa

    from services.local.data import impressions
    from services.local.data.storage import tables as t
    from services.local.data.storage.frames import records

    c = t.interactions.c
    query = (
        sa.select(
            c.user_id,
            c.session_id,
            c.item_id,
            c.ts,
            c.event_type,
            c.event_value,
            c.recommendation_id,
            c.extra,
        )  # fmt: skip
        .where(c.group_arn == group_arn, c.source == "put", c.ts >= int(since.timestamp()))
        .order_by(c.id)
    )
    try:
        with engine.read_db.connect() as conn:
            rows = conn.execute(query).all()
            listed = impressions.shown_lists(
                conn, group_arn, (r.recommendation_id for r in rows if r.recommendation_id)
            )
        with storage_read():
            items = records(engine.read_db, engine.bulk, group_arn, "Items")
    except SQLAlchemyError as err:
        raise ServiceError(f"The local engine's database could not be read: {err}") from err
    frame = pd.DataFrame(
        [
            (
                r.user_id,
                r.session_id,
                r.item_id,
                r.ts,
                r.event_type,
                r.event_value,
                r.recommendation_id,
                (r.extra or {}).get("EVENT_ATTRIBUTION_SOURCE"),
                _items(
                    impressions.impression_of(
                        impressions.explicit_items(r.extra), listed.get(r.recommendation_id or "")
                    )
                ),
            )  # fmt: skip
            for r in rows
        ],
        columns=list(EVENT_COLUMNS),
    )
    prices: dict[str, float] = {}
    if "PRICE" in items:
        price = pd.to_numeric(items["PRICE"], errors="coerce")
        known = price.notna()
        prices = dict(zip(items.loc[known, "ITEM_ID"].astype(str), price[known], strict=True))
    return frame, prices


def _items(found: Impression | None) -> tuple[str, ...] | None:
    return None if found is None else found.items


def experiment_event_source(settings: Settings) -> EventSource | None:
    """Where an experiment's events can be read: the in-process engine, else None (AWS, or an
    engine over HTTP)."""
    if settings.is_local and not settings.endpoint_url:
        from services.local.engine import get_engine

        return EventSource(get_engine(settings))
    return None
