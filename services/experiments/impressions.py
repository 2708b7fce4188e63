"""Per arm: the recommendation lists its users were shown, and how many of them got a click.

What Personalize knows of what a user was shown comes with PutEvents ("Recording item
interaction events with impressions data",
https://docs.aws.amazon.com/personalize/latest/dg/putevents-including-impressions-data.html):
an event's ``impression`` (explicit: the item IDs shown) or its ``recommendationId`` (implicit:
the list GetRecommendations answered with that ID); with both, the explicit one counts. The
events frame's IMPRESSION column holds that, resolved (``services.local.data.impressions`` on
the local engine; on AWS a dataset export has only the explicit ones, and only when the
Interactions schema has the IMPRESSION field). Metric attributions report neither.

Definitions (one arm's events in the experiment's window, the same window every other figure
uses):

- a *shown list* (an impression): one distinct (user, session, items shown) among the events
  that carry an impression. Events of a session that carry the same list count it once, so an
  event sent with its recommendationId and one sent with the same items as ``impression``
  name one list; the same items shown twice in one session count once, as no event tells the
  two showings apart. Without sessions (a dataset export) the session is left out.
- *items shown*: the shown lists' items, summed (a list of 10 items is 10 items shown).
- *clicks on a shown item*: events of the experiment's click type, by the list's user in the
  list's session, at or after the list's first event, on one of its items. A click on an
  item two lists showed counts for both lists, and once among the clicks.
- *click-through rate*: shown lists with at least one click on a shown item, divided by shown
  lists. A list shown and never acted on reaches Personalize only if an event of its session
  names it, so the rate is over the lists the shop reported, not every list it displayed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

IMPRESSION = "IMPRESSION"  # the events frame's column: a tuple of item IDs, or None


@dataclass(frozen=True)
class ArmImpressions:
    """One arm's impression figures (see the module's definitions); ``lists`` 0 means the
    arm's events carried no impression data at all."""

    lists: int
    items: int
    clicks: int
    clicked_lists: int

    @property
    def click_through_rate(self) -> float | None:
        """Clicked shown lists / shown lists; None without a shown list (unknown, not 0)."""
        return self.clicked_lists / self.lists if self.lists else None


def arm_impressions(rows: pd.DataFrame, click_event: str) -> ArmImpressions:
    """The figures of one arm's events ``rows`` (``outcomes.EVENT_COLUMNS``, already in the
    experiment's window); ``click_event`` is the experiment's click event type."""
    # Plain arrays, matched in Python: a pandas filter per shown list cost about 1 ms each, 5 s
    # of an Experiments page run at 2,500 lists; iterating pandas' Arrow strings cost more than
    # the matching itself.
    users = rows["USER_ID"].astype(str).to_numpy(dtype=object)
    sessions = rows["SESSION_ID"].to_numpy(dtype=object, na_value=None)
    sessions = np.array(["" if s is None else str(s) for s in sessions], dtype=object)
    shown_at = rows[IMPRESSION].notna().to_numpy()
    if not shown_at.any():
        return ArmImpressions(0, 0, 0, 0)
    times = rows["TIMESTAMP"].astype("int64").to_numpy()
    lists: dict[tuple[str, str, tuple[str, ...]], int] = {}  # key -> first seen (epoch s)
    for user, sess, items, ts in zip(
        users[shown_at],
        sessions[shown_at],
        rows[IMPRESSION].to_numpy(dtype=object)[shown_at],
        times[shown_at].tolist(),
        strict=True,
    ):
        key = (user, sess, tuple(items))
        lists[key] = min(ts, lists.get(key, ts))
    click = (rows["EVENT_TYPE"] == click_event).to_numpy()
    by_visit: dict[tuple[str, str], list[tuple[object, str, int]]] = {}
    for label, user, sess, item, ts in zip(
        rows.index[click],
        users[click],
        sessions[click],
        rows["ITEM_ID"].astype(str).to_numpy(dtype=object)[click],
        times[click].tolist(),
        strict=True,
    ):
        by_visit.setdefault((user, sess), []).append((label, item, ts))
    counted: set[object] = set()  # clicks (row labels) on a shown item
    clicked = 0
    for (user, sess, items), first in lists.items():
        shown_items = set(items)
        hits = [
            label
            for label, item, ts in by_visit.get((user, sess), ())
            if item in shown_items and ts >= first
        ]
        if hits:
            clicked += 1
            counted.update(hits)
    return ArmImpressions(
        lists=len(lists),
        items=sum(len(items) for _u, _s, items in lists),
        clicks=len(counted),
        clicked_lists=clicked,
    )
