"""The distinct events of a Personalize interactions CSV, to compare with what a dataset holds
before importing it (``rules.repeated_events``)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from services.local.rules.repeated_events import REPEAT_KEY


def distinct_file_events(path: Path) -> pa.Table | None:
    """The file's ``REPEAT_KEY`` columns, one row per distinct event (as the import job keeps
    the file's rows: a row repeating an earlier one is dropped), or None when the file has
    not those columns as a checked interactions CSV has them (the readiness check says why).

    Reads only those three columns.
    """
    types = {"USER_ID": pa.string(), "ITEM_ID": pa.string(), "TIMESTAMP": pa.int64()}
    try:
        table = pa_csv.read_csv(
            path,
            convert_options=pa_csv.ConvertOptions(
                include_columns=list(REPEAT_KEY), column_types=types
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError, OSError):
        return None
    return table.group_by(list(REPEAT_KEY)).aggregate([])
