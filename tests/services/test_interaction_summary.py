"""The data checks' summary of a group's interactions: counts, newest PutEvents, recent users."""

from __future__ import annotations

import pandas as pd

from services.datasets.interaction_summary import (
    RECENT_USERS,
    InteractionSummary,
    summary_of_activity,
    summary_of_frames,
)


def frame(rows: list[tuple[str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["USER_ID", "TIMESTAMP"]).assign(ITEM_ID="i1")


def test_counts_users_with_two_or_more_across_bulk_and_put() -> None:
    bulk = frame([("a", 1), ("a", 2), ("b", 3), ("c", 4), ("c", 5), ("c", 6), ("d", 7)])
    put = frame([("d", 50), ("e", 40)])
    summary = summary_of_frames(bulk, put)
    # a (2), c (3) and d (1 bulk + 1 streamed) have two or more; b and e one each
    assert (summary.counts.interactions, summary.counts.users_with_two) == (9, 3)
    assert summary.latest_put == 50
    # latest interaction first: d (50), e (40), c (6), b (3), a (2)
    assert summary.recent_users == ("d", "e", "c", "b", "a")


def test_ties_go_by_user_id_and_the_list_is_capped() -> None:
    bulk = frame([(f"u{n:03d}", 100) for n in range(RECENT_USERS + 5)])
    summary = summary_of_frames(bulk, pd.DataFrame())
    assert summary.recent_users == tuple(f"u{n:03d}" for n in range(RECENT_USERS))
    assert summary.latest_put is None


def test_no_interactions_is_an_empty_summary() -> None:
    assert summary_of_frames(pd.DataFrame(), pd.DataFrame()) == InteractionSummary()
    assert summary_of_activity([], 12) == InteractionSummary(latest_put=12)
