"""A group's data for the pages, from the in-process local engine's storage, as small reads.

``GroupData`` over export frames holds every interaction as a pandas frame: on the seed shop
(3,000,000 interactions) that is seconds to build and a large part of the dashboard's memory,
while the pages draw aggregates. ``StorageGroupData`` answers the same properties from the
engine's bulk Parquet files, reading only the columns each one needs and aggregating them with
pyarrow: volume (TIMESTAMP, EVENT_TYPE), the long tail (ITEM_ID), user activity (USER_ID,
TIMESTAMP), a few users' latest items (the runtime's per-user history index). Streamed events
and items are SQL rows and stay frames. The full frame is built only if something asks for
``interactions``, which no page does.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import union_categoricals

from services.datasets.group_data import GroupData, long_tail_of_counts, time_bin
from services.datasets.interaction_summary import combined_activity
from services.errors import ServiceError
from services.i18n import N_

if TYPE_CHECKING:
    from services.local.engine import LocalEngine


@contextmanager
def storage_read() -> Iterator[None]:
    """Reads of the engine's files, whose faults (a bulk file that is corrupt or missing, a
    damaged model) reach the pages as ``ServiceError`` with the engine's message: what is
    wrong, the file relative to the data directory, and what to do."""
    from services.local.data.storage.faults import StorageFault

    try:
        yield
    except StorageFault as err:
        raise ServiceError(err.message, code=err.code) from err


def bulk_columns(engine: LocalEngine, group_arn: str, columns: Sequence[str]) -> pa.Table | None:
    """Some columns of the group's bulk interactions (None without any).

    Raises:
        ServiceError: a file is corrupt or missing.
    """
    with storage_read():
        return engine.bulk.read(engine.read_db, group_arn, "Interactions", list(columns))


def bulk_activity(engine: LocalEngine, group_arn: str) -> pd.DataFrame | None:
    """``user``, ``count``, ``latest`` of the bulk interactions, one row per user (pyarrow
    group_by over two columns), or None without bulk interactions."""
    table = bulk_columns(engine, group_arn, ["USER_ID", "TIMESTAMP"])
    if table is None or not table.num_rows:
        return None
    per_user = table.group_by("USER_ID").aggregate([("TIMESTAMP", "count"), ("TIMESTAMP", "max")])
    return pa.table(
        {
            "user": per_user.column("USER_ID"),
            "count": per_user.column("TIMESTAMP_count"),
            "latest": per_user.column("TIMESTAMP_max"),
        }
    ).to_pandas()


@dataclass(frozen=True)
class StorageGroupData(GroupData):
    """``GroupData`` whose interaction views are aggregates read from storage (module doc).

    ``put`` (streamed events) and ``items`` are frames as in ``GroupData``; ``bulk`` stays
    empty.
    """

    engine: Any = None  # the LocalEngine (Any: a dataclass field, not an import at run time)
    group_arn: str = ""

    read_by = N_("from the local engine's storage")

    @functools.cached_property
    def interactions(self) -> pd.DataFrame:
        """Every interaction as one frame: built on demand only (seconds at seed scale)."""
        from services.local.data.storage.frames import export_frame

        with storage_read():
            return export_frame(
                self.engine.read_db,
                self.engine.bulk,
                self.group_arn,
                "Interactions",
                ("bulk", "put"),
            )

    @functools.cached_property
    def interaction_count(self) -> int:
        """Bulk rows (from the files' registered row counts) plus streamed events."""
        with self.engine.read_db.connect() as conn:
            bulk = self.engine.bulk.count(conn, self.group_arn, "Interactions")
        return bulk + len(self.put)

    @functools.cached_property
    def distinct_interaction_count(self) -> int:
        """``GroupData.distinct_interaction_count`` from the repeats each import job recorded
        (``stored_repeats``): no read of the bulk IDs, save the files whose times the
        streamed events share."""
        from services.local.data.storage.stored_repeats import distinct_interactions

        with storage_read():
            return distinct_interactions(
                self.engine.read_db, self.engine.bulk, self.group_arn, self.put
            )

    def stored_again(self, events: pa.Table) -> int:
        """``GroupData.stored_again`` as the import job counts it (``stored_repeats``): the
        bulk files' IDs are read only where their times are among the events'."""
        from services.local.data.storage.stored_repeats import already_stored

        return already_stored(
            self.engine.read_db, self.engine.bulk, self.group_arn, [events], incremental=True
        )

    @functools.cached_property
    def volume(self) -> tuple[pd.DataFrame, str]:
        """``group_data.volume_counts`` of every interaction, from TIMESTAMP and EVENT_TYPE."""
        ts_parts, type_parts = [], []
        table = bulk_columns(self.engine, self.group_arn, ["TIMESTAMP", "EVENT_TYPE"])
        if table is not None and table.num_rows:
            events = pc.fill_null(table.column("EVENT_TYPE").combine_chunks(), "")
            codes = pc.dictionary_encode(events)
            ts_parts.append(table.column("TIMESTAMP").to_numpy())
            type_parts.append(
                pd.Categorical.from_codes(codes.indices.to_numpy(), codes.dictionary.to_pylist())
            )
        if len(self.put):
            ts = pd.to_numeric(self.put["TIMESTAMP"], errors="coerce")
            ok = ts.notna().to_numpy()
            ts_parts.append(ts[ok].astype("int64").to_numpy())
            type_parts.append(
                pd.Categorical(self.put["EVENT_TYPE"][ok].fillna("(none)").astype(str))
            )
        if not ts_parts:
            empty = pd.DataFrame({"time": [], "EVENT_TYPE": [], "interactions": []})
            return empty, "hour"
        ts = np.concatenate(ts_parts)
        step, unit = time_bin(int(ts.max() - ts.min()) if len(ts) else 0)
        types = union_categoricals(type_parts)
        frame = pd.DataFrame({"time": (ts // step) * step, "EVENT_TYPE": types})
        counts = (
            frame.groupby(["time", "EVENT_TYPE"], observed=True)
            .size()
            .rename("interactions")
            .reset_index()
        )
        counts["EVENT_TYPE"] = counts["EVENT_TYPE"].astype(str)
        counts = counts.sort_values(["time", "EVENT_TYPE"], kind="stable").reset_index(drop=True)
        counts["time"] = pd.to_datetime(counts["time"], unit="s", utc=True)
        return counts, unit

    @functools.cached_property
    def long_tail(self) -> pd.DataFrame:
        """``group_data.long_tail`` from ITEM_ID counts (ties: item ID order), counted and
        ordered by pyarrow: at millions of items a sort of Python strings took seconds."""
        parts = []
        table = bulk_columns(self.engine, self.group_arn, ["ITEM_ID"])
        if table is not None and table.num_rows:
            counted = pc.value_counts(table.column("ITEM_ID"))
            parts.append(_item_counts(counted.field("values"), counted.field("counts")))
        if len(self.put):
            put = self.put["ITEM_ID"].astype(str).value_counts()
            parts.append(_item_counts(pa.array(put.index, pa.string()), pa.array(put.to_numpy())))
        if not parts:
            return long_tail_of_counts(pd.Series([], dtype="int64"))
        counts = pa.concat_tables(parts)
        if len(parts) > 1:  # an item both imported and streamed: one row, its counts added
            summed = counts.group_by("item").aggregate([("n", "sum")])
            counts = pa.table({"item": summed.column("item"), "n": summed.column("n_sum")})
        order = pc.sort_indices(counts, [("n", "descending"), ("item", "ascending")])
        counts = counts.take(order)
        return long_tail_of_counts(
            pd.Series(
                counts.column("n").to_numpy(),
                index=counts.column("item").to_pandas(),
                dtype="int64",
            )
        )

    @functools.cached_property
    def user_activity(self) -> pd.DataFrame:
        """``inspection.user_activity`` of every interaction (sorted by user ID)."""
        activities = [bulk_activity(self.engine, self.group_arn)]
        if len(self.put):
            put = self.put.assign(USER_ID=self.put["USER_ID"].astype(str))
            grouped = put.groupby("USER_ID")["TIMESTAMP"]
            activities.append(
                pd.DataFrame({"count": grouped.size(), "latest": grouped.max()})
                .rename_axis("user")
                .reset_index()
            )
        return combined_activity([a for a in activities if a is not None])

    def recent_history(self, users: Sequence[str], k: int = 5) -> dict[str, list[str]]:
        """Each user's latest ``k`` items, newest first, from the runtime's history index
        (the one GetRecommendations reads), not a scan of every interaction."""
        from services.local.runtime.scoring import user_history

        out = {}
        with storage_read():
            for user in users:
                rows = user_history(self.engine, self.group_arn, user).rows
                out[user] = [item for item, _, _ in reversed(rows[-k:])]
        return out


def _item_counts(items: pa.Array, counts: pa.Array) -> pa.Table:
    """(item as string, n as int64) rows for ``long_tail``'s count."""
    return pa.table({"item": pc.cast(items, pa.string()), "n": pc.cast(counts, pa.int64())})
