"""What the runtime remembers of each list it answers, by its recommendationId.

- ``tables.issued`` (while the group has a metric attribution): the campaign or recommender
  and version that answered, which an event's recommendationId credits in the attribution's
  report (``services.local.runtime.attribution_report``);
- ``tables.shown_lists`` (while the group has an event tracker, without which no PutEvents
  event can name the ID): the list's items, an event's implicit impression
  (``services.local.data.impressions``; developer guide, "Recording item interaction events
  with impressions data").

Serving stays one read for a group with neither. Best effort: the answer never waits on this
write. A store that cannot take it (a full disk, a read-only or locked database) loses this
list from the attribution report and the impressions, with a warning in the log, and the
request is answered all the same.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError

from services.local.context import EngineContext
from services.local.data import tables as t
from services.local.runtime.attribution_report import group_has

_log = logging.getLogger(__name__)


def log_answer(
    engine: EngineContext,
    group: str,
    source: str,
    version: str,
    rid: str,
    ids: Sequence[str],
    *,
    items: bool = True,
    credited: bool = True,
) -> None:
    """Remember the answer ``rid`` of ``source`` (campaign or recommender ARN) serving
    ``version``: its ``ids`` (item IDs when ``items``, else action IDs, which are no item
    impression) and, when ``credited``, the campaign an event naming ``rid`` credits."""
    attributed = credited and group_has(engine, group, "metric-attribution")
    tracked = items and group_has(engine, group, "event-tracker")
    if not (attributed or tracked):
        return
    now = engine.clock()
    try:
        with engine.db.begin() as conn:
            if attributed:
                conn.execute(
                    insert(t.issued).values(
                        recommendation_id=rid,
                        group_arn=group,
                        source_arn=source,
                        version_arn=version,
                        ts=now,
                        num_items=len(ids),
                    )
                )
            if tracked:
                conn.execute(
                    insert(t.shown_lists).values(
                        recommendation_id=rid, group_arn=group, item_ids=list(ids), ts=now
                    )
                )
    except (SQLAlchemyError, OSError) as err:
        _log.warning("recommendation %s not logged: %s", rid, err)
