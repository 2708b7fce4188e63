"""One user's latest bulk-imported interactions, found in milliseconds.

GetRecommendations needs a user's latest events (filters on Interactions, promotions, the
model's history). Streamed events are an indexed SQL query; bulk rows are in files that
keep each user's rows together, oldest first, so each file is loaded once per data
version into Arrow arrays with the row where each user starts, and a user's history is then
a slice.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from services.local.data.storage.bulk import BulkStore, plain_strings

Event = tuple[str, str, int]  # (ITEM_ID, EVENT_TYPE, TIMESTAMP)
_COLUMNS = ("USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE")


@dataclass(frozen=True)
class _File:
    """One interactions file's columns and where each user's rows start."""

    starts: dict[str, tuple[int, int]]  # USER_ID -> (first row, row count)
    items: pa.Array
    event_types: pa.Array
    timestamps: np.ndarray
    latest: int

    @classmethod
    def load(cls, table: pa.Table) -> _File:
        table = plain_strings(table)
        users = table.column("USER_ID").combine_chunks()
        n = len(users)
        if n == 0:
            return cls({}, pa.array([], pa.string()), pa.array([], pa.string()), np.empty(0), 0)
        change = pc.not_equal(users.slice(1), users.slice(0, n - 1))
        first = np.r_[0, np.asarray(pc.indices_nonzero(change)) + 1]
        counts = np.diff(np.r_[first, n])
        names = users.take(pa.array(first)).to_pylist()
        ts = table.column("TIMESTAMP").to_numpy()
        return cls(
            starts=dict(zip(names, zip(first.tolist(), counts.tolist(), strict=True), strict=True)),
            items=table.column("ITEM_ID").combine_chunks(),
            event_types=table.column("EVENT_TYPE").combine_chunks(),
            timestamps=ts,
            latest=int(ts.max()),
        )

    def latest_of(self, user_id: str, limit: int) -> list[Event]:
        hit = self.starts.get(user_id)
        if hit is None:
            return []
        start, count = hit
        take = min(count, limit)
        begin = start + count - take
        return list(
            zip(
                self.items.slice(begin, take).to_pylist(),
                self.event_types.slice(begin, take).to_pylist(),
                self.timestamps[begin : begin + take].tolist(),
                strict=True,
            )
        )


class BulkHistories:
    """Per dataset group, the loaded bulk interaction files (reloaded when they change)."""

    def __init__(self, db: sa.Engine, bulk: BulkStore) -> None:
        self._db = db
        self._bulk = bulk
        self._groups: dict[str, tuple[int, list[_File]]] = {}
        # group -> (the files it was computed from, each item's oldest bulk TIMESTAMP)
        self._first: dict[str, tuple[list[_File], pd.Series]] = {}
        self._lock = threading.Lock()

    def _files(
        self, group: str, retries: int = 3, conn: sa.Connection | None = None
    ) -> list[_File]:
        if conn is None:
            with self._db.connect() as own:
                return self._files(group, retries, own)
        version = self._bulk.version(conn, group)
        cached = self._groups.get(group)
        if cached is not None and cached[0] == version:
            return cached[1]
        paths = self._bulk.files(conn, group, "Interactions")
        with self._lock:  # one loader per process; others wait rather than load twice
            cached = self._groups.get(group)
            if cached is not None and cached[0] == version:
                return cached[1]
            try:
                files = [
                    _File.load(
                        self._bulk.read_file(p, group, "Interactions", _COLUMNS, retry=retries > 1)
                    )
                    for p in paths
                ]
            except FileNotFoundError:
                files = None  # a FULL import replaced them meanwhile: list again
            if files is not None:
                self._groups[group] = (version, files)
                return files
        return self._files(group, retries - 1, conn)

    def latest(
        self, group: str, user_id: str, limit: int, conn: sa.Connection | None = None
    ) -> list[Event]:
        """The user's latest ``limit`` bulk interactions, oldest first; ``conn``: a read
        connection of the caller's to ask which files are current on (else one of its own).

        Raises:
            StorageFault: an interactions file of the group is corrupt or missing.
        """
        files = self._files(group, conn=conn)
        events: list[Event] = []
        for f in files:
            events += f.latest_of(user_id, limit)
        if len(files) > 1:
            events.sort(key=lambda e: e[2])  # stable: a later file wins a tie
        return events[-limit:]

    def latest_timestamp(self, group: str) -> int | None:
        """The newest bulk interaction's TIMESTAMP, or None without bulk data."""
        files = [f for f in self._files(group) if f.starts]
        return max(f.latest for f in files) if files else None

    def first_timestamps(self, group: str) -> pd.Series:
        """Each item's oldest bulk interaction TIMESTAMP (ITEM_ID → epoch seconds; empty
        without bulk data), computed once per data version: exploration takes it as the
        creation time of an item without a CREATION_TIMESTAMP.

        Raises:
            StorageFault: an interactions file of the group is corrupt or missing.
        """
        files = self._files(group)
        cached = self._first.get(group)
        if cached is not None and cached[0] is files:
            return cached[1]
        parts = [
            pa.table({"ITEM_ID": f.items, "TIMESTAMP": f.timestamps})
            .group_by("ITEM_ID")
            .aggregate([("TIMESTAMP", "min")])
            .to_pandas()
            for f in files
            if len(f.items)
        ]
        if parts:
            joined = pd.concat(parts, ignore_index=True)
            first = joined.groupby("ITEM_ID", sort=False)["TIMESTAMP_min"].min()
        else:
            first = pd.Series(dtype=np.int64)
        self._first[group] = (files, first)
        return first
