"""A PutEvents event's impression: the items the user was shown when they acted.

Developer guide, "Recording item interaction events with impressions data"
(https://docs.aws.amazon.com/personalize/latest/dg/putevents-including-impressions-data.html)
and API reference ``Event`` (botocore ``personalize-events`` shape ``Event``):

- *implicit*: "include the recommendationId in your PutEvents request and Amazon Personalize
  derives the implicit impressions based on your recommendation data": the items of the list
  GetRecommendations or GetPersonalizedRanking answered with that ID;
- *explicit*: ``impression``, "A list of item IDs that represents the sequence of items you
  have shown the user" (shape ``Impression``: 1 to 25 item IDs of 1 to 256 characters, checked
  by the service model like every request member, ``services.local.wire.validation``);
- "If you include both, Amazon Personalize uses the explicit impressions by default."

The engine keeps both: an event's row holds its explicit impression as the Interactions
dataset's IMPRESSION field writes it (item IDs joined by ``|``, in ``extra``) and its
``recommendation_id``; ``tables.shown_lists`` holds the items of every list the runtime
answered while the group had an event tracker (``services.local.runtime.answers``). An ID the
engine did not answer (another group's, or one answered before the group had a tracker) names
no list: such an event has no implicit impression.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from services.local.data.storage import tables as t

EXPLICIT, IMPLICIT = "explicit", "implicit"
FIELD = "IMPRESSION"  # the Interactions schema's field, and the key in a row's ``extra``
SEPARATOR = "|"  # the IMPRESSION field's separator between item IDs


@dataclass(frozen=True)
class Impression:
    """The items an event's user was shown, in order, and where that came from (``EXPLICIT``:
    the event's ``impression``; ``IMPLICIT``: the list its recommendationId names)."""

    items: tuple[str, ...]
    kind: str


def field_value(items: Iterable[str]) -> str:
    """``impression`` as the IMPRESSION field holds it: ``"i1|i2|i3"``."""
    return SEPARATOR.join(items)


def explicit_items(extra: Mapping[str, Any] | None) -> tuple[str, ...] | None:
    """The explicit impression a stored row kept (None: the event sent none)."""
    text = (extra or {}).get(FIELD)
    if not text:
        return None
    return tuple(str(text).split(SEPARATOR))


def impression_of(
    explicit: tuple[str, ...] | None, listed: tuple[str, ...] | None
) -> Impression | None:
    """The event's impression: its explicit one when it sent one, else the items of the list
    its recommendationId names (``listed``), else None (no impression data)."""
    if explicit:
        return Impression(explicit, EXPLICIT)
    if listed:
        return Impression(listed, IMPLICIT)
    return None


def shown_lists(
    conn: Connection, group: str, recommendation_ids: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """The items of each list the engine answered in ``group`` among ``recommendation_ids``
    (IDs it did not answer there are absent)."""
    wanted = sorted({r for r in recommendation_ids if r})
    found: dict[str, tuple[str, ...]] = {}
    c = t.shown_lists.c
    for start in range(0, len(wanted), 500):  # keep each IN list within SQLite's limits
        chunk = wanted[start : start + 500]
        rows = conn.execute(
            select(c.recommendation_id, c.item_ids).where(
                c.group_arn == group, c.recommendation_id.in_(chunk)
            )
        )
        found.update((r.recommendation_id, tuple(r.item_ids)) for r in rows)
    return found
