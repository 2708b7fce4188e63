"""What counting distinct events costs at scale: the Data page's count and the import's record.

Run: nice -n 10 .venv/bin/python bench/distinct_events.py [--events 30000000] [--night 1472]

Builds, in a temporary folder, a group's bulk Interactions as the engine stores them: a FULL
import of half the events and an INCREMENTAL import of the same half again (the trial's
"same file twice", at ``--events`` rows in all), each a Parquet file registered with its job
and the repeats that job recorded, written by the engine's own BulkStore. Users: events / 30,
items: 200,000, times: a year of seconds. Then times, in this process, one after the other:

- baseline ``volume``: what the Data page's Interactions tab already reads and aggregates
  (``StorageGroupData.volume``: TIMESTAMP and EVENT_TYPE of every row), same run;
- baseline ``long tail``: the tab's other read (``StorageGroupData.long_tail``: ITEM_ID counts);
- ``distinct (page)``: ``stored_repeats.distinct_interactions`` with 60 streamed events
  (the recorded repeats, and the streamed events compared with the bulk rows at their times);
- ``distinct (full read)``: the same count by reading every key (``_counted_in_full``: what
  imports recorded before this change fall back to);
- ``import record, new night``: ``already_stored`` of a night of ``--night`` new events;
- ``import record, the half again``: ``already_stored`` of the whole half imported again, in
  the order the import keeps a file (found as a stored copy, by comparing columns), then of
  the same events in another order (found by joining keys: the cost of any overlap).

Prints wall seconds and the ratio to the ``volume`` baseline. Needs about 6 GiB of memory at
30,000,000 events.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.datasets.local_engine.group_data import StorageGroupData  # noqa: E402
from services.local.data.storage import tables as t  # noqa: E402
from services.local.data.storage.bulk import BulkStore  # noqa: E402
from services.local.data.storage.stored_repeats import (  # noqa: E402
    INTERACTIONS,
    REPEATED_ROWS,
    _counted_in_full,
    already_stored,
    distinct_interactions,
)

GROUP = "arn:aws:personalize:us-east-1:000000000000:dataset-group/bench"
START = 1_700_000_000


def events(n: int, seed: int, start: int = START) -> pa.Table:
    """``n`` interactions: users in runs (as an export lists them), items and times at random."""
    rng = np.random.default_rng(seed)
    users = rng.integers(0, max(1, n // 30), n)
    times = start + rng.integers(0, 365 * 86_400, n)
    order = np.lexsort((times, users))  # each user's rows oldest first, as an import keeps them
    users, times = users[order], times[order]
    return pa.table(
        {
            "USER_ID": pc.binary_join_element_wise(
                "user-", pc.cast(pa.array(users), pa.string()), ""
            ),
            "ITEM_ID": pc.binary_join_element_wise(
                "item-", pc.cast(pa.array(rng.integers(0, 200_000, n)), pa.string()), ""
            ),
            "TIMESTAMP": pa.array(times, pa.int64()),
            "EVENT_TYPE": pa.array(rng.choice(["view", "cart", "buy"], n)).dictionary_encode(),
            "EVENT_VALUE": pa.nulls(n, pa.float64()),
        }
    )


class Engine:
    """What ``StorageGroupData`` and ``stored_repeats`` use of an engine."""

    def __init__(self, folder: Path) -> None:
        self.read_db = sa.create_engine(f"sqlite:///{folder / 'engine.db'}")
        t.metadata.create_all(self.read_db)
        self.bulk = BulkStore(folder)

    def register(self, job: int, table: pa.Table, repeated: int, *, full: bool) -> None:
        staged = self.bulk.stage(GROUP, INTERACTIONS, table, job=job)
        arn = f"{GROUP}-import-{job}"
        with self.read_db.begin() as conn:
            self.bulk.commit(conn, staged, full=full)
            conn.execute(
                sa.insert(t.jobs).values(
                    id=job, kind="import", arn=arn, state="done", attempts=1, created=0.0
                )
            )
            conn.execute(
                sa.insert(t.resources).values(
                    arn=arn,
                    kind="datasetImportJob",
                    name=f"import-{job}",
                    created=0.0,
                    seq=job,
                    doc={REPEATED_ROWS: repeated},
                )
            )


def timed(label: str, fn: Callable[[], object], rows: list[tuple[str, float, object]]) -> None:
    start = time.perf_counter()
    value = fn()
    rows.append((label, time.perf_counter() - start, value))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30_000_000)
    parser.add_argument("--night", type=int, default=1472)
    args = parser.parse_args()
    half = args.events // 2
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(Path(tmp))
        build = time.perf_counter()
        table = events(half, seed=1)
        # the import keeps a file free of repeats within itself: so does the bench's half
        keys = table.group_by(["USER_ID", "ITEM_ID", "TIMESTAMP"]).aggregate([]).num_rows
        engine.register(1, table, 0, full=True)
        engine.register(2, table, keys, full=False)
        print(f"built {2 * half:,} stored events in {time.perf_counter() - build:.1f} s")
        now = int(time.time())
        put = pd.DataFrame(
            {
                "USER_ID": [f"user-{k}" for k in range(60)],
                "ITEM_ID": [f"item-{k}" for k in range(60)],
                "TIMESTAMP": [now - k for k in range(60)],
                "EVENT_TYPE": "view",
            }
        )
        night = events(args.night, seed=2, start=START + 366 * 86_400)
        data = StorageGroupData(put=put, has_interactions=True, engine=engine, group_arn=GROUP)
        db, bulk = engine.read_db, engine.bulk
        rows: list[tuple[str, float, object]] = []
        timed("baseline: volume (TIMESTAMP, EVENT_TYPE)", lambda: len(data.volume[0]), rows)
        timed("baseline: long tail (ITEM_ID)", lambda: len(data.long_tail), rows)
        timed("distinct (page)", lambda: distinct_interactions(db, bulk, GROUP, put), rows)
        timed("distinct (full read)", lambda: _counted_in_full(db, bulk, GROUP, put), rows)
        timed(
            f"import record, new night of {args.night:,}",
            lambda: already_stored(db, bulk, GROUP, [night], incremental=True),
            rows,
        )
        timed(
            f"import record, the {half:,} again",
            lambda: already_stored(db, bulk, GROUP, [table], incremental=True),
            rows,
        )
        shuffled = table.take(np.random.default_rng(3).permutation(half))
        timed(
            "  … the same events in another order",
            lambda: already_stored(db, bulk, GROUP, [shuffled], incremental=True),
            rows,
        )
    base = rows[0][1]
    print(f"\n{'what':<44} {'seconds':>8} {'× volume':>9}  value")
    for label, seconds, value in rows:
        shown = f"{value:,}" if isinstance(value, int) else value
        print(f"{label:<44} {seconds:>8.2f} {seconds / base:>9.2f}  {shown}")


if __name__ == "__main__":
    main()
