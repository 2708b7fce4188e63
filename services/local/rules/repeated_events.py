"""Which interactions count once: the rule training, the import job and the Data page share.

Personalize keeps one of two interaction events "with exactly the same timestamp and
identical properties" (developer guide, "Importing individual records into an Amazon
Personalize dataset", https://docs.aws.amazon.com/personalize/latest/dg/incremental-data-updates.html,
and "Importing training data into Amazon Personalize datasets", import-data.html), and drops
duplicate (USER_ID, ITEM_ID, TIMESTAMP) rows of bulk data (shared/reference/PERSONALIZE.md,
"Bulk data"). The engine's rule is that key, ``REPEAT_KEY``: a row repeating an earlier row's
USER_ID, ITEM_ID and TIMESTAMP counts once (the first is kept). The import drops such rows
within one file; training drops them across everything the dataset holds.

An INCREMENTAL import appends: CreateDatasetImportJob, ``importMode`` (API reference; botocore
shape ``ImportMode``): "Specify INCREMENTAL to append the new records to the existing data in
your dataset. Amazon Personalize replaces any record with the same ID with the new one."
Interactions have no record ID, so a file imported again is stored again: the dataset holds
its rows twice (and its ingestion is billed twice) while training counts them once. The engine
stores them as AWS does; the import job records how many of its rows were already stored, and
the Data page warns when they are most of the file (``MOSTLY_STORED``).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

REPEAT_KEY = ("USER_ID", "ITEM_ID", "TIMESTAMP")
# An INCREMENTAL import of which at least this share of rows was already stored is most
# likely a file sent again (a broken export or scheduler), not new events: the pages warn.
MOSTLY_STORED = 0.5


def without_repeats(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` less the rows that repeat an earlier row's ``REPEAT_KEY`` (first kept)."""
    return frame.drop_duplicates(subset=list(REPEAT_KEY))


def distinct_events(frame: pd.DataFrame) -> int:
    """How many rows of ``frame`` (with the ``REPEAT_KEY`` columns) training counts."""
    if frame.empty:
        return 0
    return len(without_repeats(frame.loc[:, list(REPEAT_KEY)]))


def key_table(table: pa.Table) -> pa.Table:
    """The ``REPEAT_KEY`` columns of ``table`` as plain strings and int64 times, so keys from
    files with different dictionaries (or none) compare equal."""
    columns = {}
    for name in REPEAT_KEY:
        column = table.column(name)
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        columns[name] = pc.cast(column, pa.int64() if name == "TIMESTAMP" else pa.string())
    return pa.table(columns)


def stored_again(new: pa.Table, stored: pa.Table) -> int:
    """How many rows of ``new`` repeat a row of ``stored`` (by ``REPEAT_KEY``).

    Args:
        new: rows being added, free of repeats among themselves (as an import keeps a file).
        stored: rows already there (any columns beyond the key are ignored).

    Returns:
        The count of ``new`` rows whose key is among ``stored``'s (0 when either is empty).
    """
    if not new.num_rows or not stored.num_rows:
        return 0
    # a semi join keeps each new row once however often ``stored`` has its key, so the
    # stored keys need no distinct pass first (which took longer than the join itself)
    keys = list(REPEAT_KEY)
    return key_table(new).join(key_table(stored), keys, join_type="left semi").num_rows


def mostly_stored(repeated: int, rows: int) -> bool:
    """Whether an import of ``rows`` rows, ``repeated`` of them already stored, is mostly a
    file sent again (``MOSTLY_STORED``)."""
    return rows > 0 and repeated / rows >= MOSTLY_STORED
