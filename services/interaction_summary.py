"""What the data checks need of a group's interactions, without the interactions themselves.

Personalize's training minimums (interactions, users with two or more), the newest PutEvents
event and the most recently active users are a few numbers and IDs. The in-process local
engine computes them from two columns of its bulk files and one SQL aggregate
(``services.local_snapshots``), so the Overview never loads millions of rows; on AWS they come
from the export-job frames the Data page shares (``summary_of_frames``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from services.alerts import DataCounts
from services.inspection import user_activity

RECENT_USERS = 25  # most recently active users kept; the checks probe the first ten


@dataclass(frozen=True)
class InteractionSummary:
    """Counts, the newest PutEvents TIMESTAMP and the most recently active users of a group.

    ``recent_users``: latest interaction first, ties by user ID (as ``sample_users``'s
    "most_recent"), at most ``RECENT_USERS``. ``latest_put``: epoch seconds, None when no
    event was ever streamed.
    """

    counts: DataCounts = DataCounts(0, 0)
    recent_users: tuple[str, ...] = ()
    latest_put: int | None = None


def summary_of_activity(
    activities: Sequence[pd.DataFrame], latest_put: int | None
) -> InteractionSummary:
    """Combine per-user activity frames (``user``, ``count``, ``latest``; a user may appear in
    several, e.g. bulk and streamed) into a summary."""
    frames = [a for a in activities if len(a)]
    if not frames:
        return InteractionSummary(latest_put=latest_put)
    both = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    per_user = both.groupby("user", sort=False).agg(
        count=("count", "sum"), latest=("latest", "max")
    )
    counts = per_user["count"].to_numpy()
    recent = (
        per_user.reset_index()
        .sort_values(["latest", "user"], ascending=[False, True], kind="stable")["user"]
        .head(RECENT_USERS)
    )
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
