"""What the runtime remembers of each list it answers, by its recommendationId.

- ``tables.issued`` (while the group has a metric attribution): the campaign or recommender
  and version that answered, which an event's recommendationId credits in the attribution's
  report (``services.local.runtime.attribution_report``);
- ``tables.shown_lists`` (while the group has an event tracker, without which no PutEvents
  event can name the ID): the list's items, an event's implicit impression
  (``services.local.data.impressions``; developer guide, "Recording item interaction events
  with impressions data").

Serving stays one read for a group with neither, and a request never waits on this write: the
rows go to the engine's ``AnswerLog`` (``services.local.runtime.answer_log``), which writes them
in batches off the request path. Best effort: a crash loses the answers not yet written, and a
store that cannot take them (a full disk, a read-only or locked database) loses them from the
attribution report and the impressions, with a warning in the log; every request is answered
all the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.local.context import EngineContext
from services.local.runtime.answer_log import Answer
from services.local.runtime.attribution_report import group_has


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
    engine.answers.add(
        Answer(
            recommendation_id=rid,
            group_arn=group,
            issued={
                "recommendation_id": rid,
                "group_arn": group,
                "source_arn": source,
                "version_arn": version,
                "ts": now,
                "num_items": len(ids),
            }
            if attributed
            else None,
            shown={"recommendation_id": rid, "group_arn": group, "item_ids": list(ids), "ts": now}
            if tracked
            else None,
        )
    )
