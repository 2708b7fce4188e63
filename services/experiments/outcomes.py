"""Per arm of an experiment: users, sessions, recommendation lists acted on, impressions and
click-through rate (``services.experiments.impressions``), clicks, conversions and revenue, from
the events the shop sent with PutEvents since the experiment started.

Users are placed in arms by the split rule itself (``assignment.assign``), so every event of a
user counts for the user's arm, whether or not it came through a recommendation: the split
randomises users, and per-user outcomes compared that way are unbiased. The arm each event
says it came from (its ``metricAttribution.eventAttributionSource``) is checked against the
rule: events that name another arm mean the shop's backend does not split as the rule says.

Where the events come from a dataset export (AWS mode, ``services.experiments.exported``) some
columns may be missing altogether (an export has only the schema's fields, and never the
session). The figures that need a missing column are None, never 0: "unknown", not "none".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from services.experiments.assignment import assign
from services.experiments.impressions import IMPRESSION, ArmImpressions, arm_impressions
from services.experiments.records import Experiment
from services.experiments.stats import ArmSample

# The columns an events frame has (one row per PutEvents event; TIMESTAMP in epoch seconds,
# SOURCE the event's eventAttributionSource or empty, IMPRESSION the items the event's user was
# shown as a tuple of item IDs or None: its explicit impression, else its recommendationId's).
EVENT_COLUMNS = (
    "USER_ID",
    "SESSION_ID",
    "ITEM_ID",
    "TIMESTAMP",
    "EVENT_TYPE",
    "EVENT_VALUE",
    "RECOMMENDATION_ID",
    "SOURCE",
    IMPRESSION,
)
DAY = 86_400
# What each figure needs besides users and conversions (which need only the user, time and type)
NEEDS_SESSION = "SESSION_ID"  # sessions, revenue per session
NEEDS_LIST = "RECOMMENDATION_ID"  # lists acted on, clicks on a recommended item
NEEDS_SOURCE = "SOURCE"  # events filed under another arm
NEEDS_VALUE = "EVENT_VALUE"  # revenue, when no item has a price either
NEEDS_IMPRESSION = IMPRESSION  # impressions, items shown, clicks on them, click-through rate


@dataclass(frozen=True)
class ArmOutcome:
    """One arm's totals. ``lists_acted_on``: distinct recommendation lists its users acted on
    (PutEvents carries a list only with an event on it, so a list nobody acted on is not
    counted: this is not the number of impressions, and clicks can exceed it); ``clicks``:
    click events on a recommended item (one with a recommendationId); ``impressions``: the
    lists shown, items shown, clicks on a shown item and the click-through rate
    (``services.experiments.impressions``; ``lists`` 0: no event carried impression data);
    ``conversions``: every conversion event; ``revenue``:
    their eventValue, else the item's price (currency units);
    ``converted``/``revenue_per_user``: the per-user samples the intervals are built on;
    ``mislabelled``: events whose eventAttributionSource names another arm of the experiment.
    None: the events lack the column the figure needs (unknown, not zero)."""

    name: str
    users: int
    sessions: int | None
    lists_acted_on: int | None
    clicks: int | None
    conversions: int
    revenue: float | None
    converted: ArmSample
    revenue_per_user: ArmSample
    mislabelled: int | None
    impressions: ArmImpressions | None = None

    @property
    def users_converted(self) -> int:
        """Users with at least one conversion: the numerator of ``conversion_rate``."""
        return round(self.converted.total)

    @property
    def conversion_rate(self) -> float:
        """Users with at least one conversion ÷ users (0 for no users); not conversions ÷
        users, since one user can convert many times."""
        return self.converted.mean

    @property
    def revenue_per_session(self) -> float | None:
        if self.revenue is None or self.sessions is None:
            return None
        return self.revenue / self.sessions if self.sessions else 0.0


@dataclass(frozen=True)
class Outcomes:
    """Every arm's outcome (in the experiment's arm order), the days it has run, and the
    columns (EVENT_COLUMNS names) the events lacked, so figures needing them are None."""

    arms: tuple[ArmOutcome, ...]
    days: float
    unknown: frozenset[str] = frozenset()

    @property
    def revenue_known(self) -> bool:
        """Whether revenue could be counted: per-arm revenue is not None."""
        return all(a.revenue is not None for a in self.arms)

    @property
    def users(self) -> int:
        return sum(a.users for a in self.arms)

    @property
    def users_per_day(self) -> float:
        """New users a day so far (0 before a day of data: nothing to extrapolate from)."""
        return self.users / self.days if self.days >= 1 else 0.0


def arm_outcomes(
    experiment: Experiment,
    events: pd.DataFrame,
    prices: Mapping[str, float],
    now: datetime,
    unknown: frozenset[str] = frozenset(),
) -> Outcomes:
    """Each arm's outcome from ``events`` (EVENT_COLUMNS) at or after the start and (when
    stopped) before the stop; ``prices`` maps an item ID to its price (items without one and
    without an eventValue add no revenue). ``unknown`` names the EVENT_COLUMNS the source
    could not give (their values in ``events`` are ignored): the figures needing them are
    None, and revenue too when EVENT_VALUE is unknown and no item has a price.

    Event times are whole epoch seconds (the interactions dataset's TIMESTAMP is a long), the
    start is not: the window opens at the start's second, so that events sent in the same
    second as the start count."""
    start = math.floor(experiment.started.timestamp())
    end = (experiment.stopped or now).timestamp()
    frame = events.loc[(events["TIMESTAMP"] >= start) & (events["TIMESTAMP"] < end)].copy()
    split = experiment.split
    users = frame["USER_ID"].astype(str).unique()
    arm_of = {u: assign(experiment.name, u, split) for u in users}
    frame["ARM"] = frame["USER_ID"].astype(str).map(arm_of)
    conversions = frame["EVENT_TYPE"] == experiment.conversion_event
    value = pd.to_numeric(frame["EVENT_VALUE"], errors="coerce")
    price = frame["ITEM_ID"].astype(str).map(prices).astype("float64")
    frame["REVENUE"] = np.where(conversions, value.fillna(price).fillna(0.0), 0.0)
    frame["CONVERSION"] = conversions
    recommended = frame["RECOMMENDATION_ID"].fillna("").astype(str) != ""
    source = frame["SOURCE"].fillna("").astype(str)
    names = {a.name for a in experiment.arms}
    no_revenue = NEEDS_VALUE in unknown and not prices

    def known(column: str, value: int) -> int | None:
        return None if column in unknown else value

    out = []
    for arm in experiment.arms:
        rows = frame.loc[frame["ARM"] == arm.name]
        per_user = rows.groupby("USER_ID").agg(
            converted=("CONVERSION", "max"), revenue=("REVENUE", "sum")
        )
        src = source[rows.index]
        rec = recommended[rows.index]
        out.append(
            ArmOutcome(
                name=arm.name,
                users=len(per_user),
                sessions=known(
                    NEEDS_SESSION, int(rows[["USER_ID", "SESSION_ID"]].drop_duplicates().shape[0])
                ),
                lists_acted_on=known(NEEDS_LIST, int(rows.loc[rec, "RECOMMENDATION_ID"].nunique())),
                clicks=known(
                    NEEDS_LIST, int((rec & (rows["EVENT_TYPE"] == experiment.click_event)).sum())
                ),
                conversions=int(rows["CONVERSION"].sum()),
                revenue=None if no_revenue else float(rows["REVENUE"].sum()),
                converted=ArmSample.of(per_user["converted"].astype("float64").to_numpy()),
                revenue_per_user=ArmSample.of(per_user["revenue"].to_numpy(dtype="float64")),
                mislabelled=known(NEEDS_SOURCE, int((src.isin(names) & (src != arm.name)).sum())),
                impressions=None
                if NEEDS_IMPRESSION in unknown
                else arm_impressions(rows, experiment.click_event),
            )
        )
    return Outcomes(tuple(out), max(0.0, (end - start) / DAY), frozenset(unknown))
