"""What the data checks need of a group's interactions, without the interactions themselves.

Personalize's training minimums (interactions, users with two or more), the newest PutEvents
event and the most recently active users are a few numbers and IDs. The in-process local
engine computes them from two columns of its bulk files and one SQL aggregate
(``services.datasets.local_engine.snapshots``), so the Overview never loads millions of rows; on AWS
they come
from the export-job frames the Data page shares (``summary_of_frames``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from services.evaluation.inspection import SAMPLE_HOW, sample_active_users, user_activity
from services.workspace.alerts import DataCounts

# Most recently active users kept (the default sample's order, ``inspection.SAMPLE_HOW``); the
# identical-lists check asks the first ``inspection.SAMPLE_USERS``.
RECENT_USERS = 25


@dataclass(frozen=True)
class InteractionSummary:
    """Counts, the newest PutEvents TIMESTAMP and the most recently active users of a group.

    ``recent_users``: latest interaction first, ties by user ID (the default sample's order,
    ``inspection.SAMPLE_HOW``), at most ``RECENT_USERS``. ``latest_put``: epoch seconds, None
    when no event was ever streamed.
    """

    counts: DataCounts = DataCounts(0, 0)
    recent_users: tuple[str, ...] = ()
    latest_put: int | None = None


def combined_activity(activities: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Per-user activity frames (``user``, ``count``, ``latest``) added up into one, sorted by
    user ID like ``inspection.user_activity``."""
    frames = [a for a in activities if len(a)]
    if not frames:
        return pd.DataFrame({"user": pd.Series([], dtype=object), "count": [], "latest": []})
    both = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    both = both.astype({"user": str})
    per_user = both.groupby("user", sort=True).agg(count=("count", "sum"), latest=("latest", "max"))
    return per_user.reset_index()


def summary_of_activity(
    activities: Sequence[pd.DataFrame], latest_put: int | None
) -> InteractionSummary:
    """Combine per-user activity frames (``user``, ``count``, ``latest``; a user may appear in
    several, e.g. bulk and streamed) into a summary."""
    per_user = combined_activity(activities)
    if not len(per_user):
        return InteractionSummary(latest_put=latest_put)
    counts = per_user["count"].to_numpy()
    recent = sample_active_users(per_user, RECENT_USERS, SAMPLE_HOW)
    return InteractionSummary(
        DataCounts(int(counts.sum()), int((counts >= 2).sum())),
        tuple(str(u) for u in recent),
        latest_put,
    )


def summary_of_frames(bulk: pd.DataFrame, put: pd.DataFrame) -> InteractionSummary:
    """The summary of exported interactions (BULK and PUT frames, as export jobs give them)."""
    latest_put = None
    if not put.empty and "TIMESTAMP" in put.columns:
        latest_put = int(pd.to_numeric(put["TIMESTAMP"]).max())
    activities = [user_activity(f) for f in (bulk, put) if not f.empty and "USER_ID" in f]
    return summary_of_activity(activities, latest_put)
