"""The rule of which interactions count once (services.local.rules.repeated_events), on small
frames whose expected counts are worked out by hand in the comments."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from services.local.rules.repeated_events import (
    distinct_events,
    mostly_stored,
    stored_again,
    without_repeats,
)

ROWS = pd.DataFrame(
    {
        "USER_ID": ["u1", "u1", "u1", "u2", "u1"],
        "ITEM_ID": ["a", "a", "a", "a", "b"],
        "TIMESTAMP": [100, 100, 101, 100, 100],
        "EVENT_TYPE": ["view", "buy", "view", "view", "view"],
    }
)


def test_a_row_repeating_user_item_and_time_counts_once_whatever_its_event_type() -> None:
    # rows 0 and 1 share u1, a, 100 (the event type differs, as Personalize's key ignores it);
    # row 2 differs in time, row 3 in user, row 4 in item: 4 distinct events, the first kept
    kept = without_repeats(ROWS)
    assert kept.index.tolist() == [0, 2, 3, 4]
    assert kept.loc[0, "EVENT_TYPE"] == "view"
    assert distinct_events(ROWS) == 4
    assert distinct_events(ROWS.iloc[0:0]) == 0


def test_rows_stored_again_are_counted_across_dictionary_and_plain_columns() -> None:
    stored = pa.table(
        {
            "USER_ID": pa.array(["u1", "u2"]).dictionary_encode(),  # as an import holds it
            "ITEM_ID": ["a", "a"],
            "TIMESTAMP": pa.array([100, 100], pa.int64()),
            "EVENT_TYPE": ["view", "view"],
        }
    )
    new = pa.Table.from_pandas(without_repeats(ROWS), preserve_index=False)
    # of the 4 distinct new rows, (u1, a, 100) and (u2, a, 100) are stored: 2
    assert stored_again(new, stored) == 2
    assert stored_again(new, stored.slice(0, 0)) == 0
    assert stored_again(new.slice(0, 0), stored) == 0


def test_mostly_stored_starts_at_half_the_rows() -> None:
    assert mostly_stored(1472, 1472) and mostly_stored(500, 1000)
    assert not mostly_stored(499, 1000) and not mostly_stored(0, 0)
