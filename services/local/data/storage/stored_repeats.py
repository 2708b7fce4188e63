"""How many rows of an Interactions import the dataset already holds (``rules.repeated_events``).

An INCREMENTAL import appends its rows as AWS does, even those that repeat a stored row
(CreateDatasetImportJob ``importMode``: INCREMENTAL "append[s] the new records"). The import
job counts them so the dataset's distinct events are known without reading every row again:
rows stored less the rows each registered import found already there.

The count reads only what can match: a stored row repeats a new one only at the same
TIMESTAMP, so each registered file's TIMESTAMP column (integers, cheap) is read first and its
ID columns only when some of its times are among the import's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from services.local.data.storage import tables as t
from services.local.data.storage.bulk import BulkStore
from services.local.data.storage.faults import StorageFault
from services.local.rules.repeated_events import (
    REPEAT_KEY,
    key_table,
    stored_again,
    without_repeats,
)

INTERACTIONS = "Interactions"
# On an import job's document, beside ``_datasetSize`` (not part of the Describe shape): the
# rows it stored and how many of them repeat a row stored before (``already_stored``).
IMPORTED_ROWS, REPEATED_ROWS = "_importedRows", "_repeatedRows"


def already_stored(
    db: sa.Engine,
    bulk: BulkStore,
    group_arn: str,
    tables: Sequence[pa.Table],
    *,
    incremental: bool,
) -> int:
    """Rows of an import that repeat a row stored before it or a row of an earlier file of
    the same import (by ``REPEAT_KEY``).

    Args:
        db: the engine's read-only database (the files are listed in a plain read).
        bulk: the engine's bulk store.
        group_arn: the dataset group.
        tables: the import's rows, one table per source file in order, each free of repeats
            within itself (as ``read_dataset_csv`` returns them).
        incremental: an INCREMENTAL import (compared with the registered files); a FULL one
            replaces them and is compared only within itself.

    Returns:
        The number of repeated rows (0 for an empty import). A registered file that cannot
        be read is left out of the count: the count never fails an import.
    """
    if not tables or not any(t.num_rows for t in tables):
        return 0
    if incremental and len(tables) == 1 and _stored_copy(db, bulk, group_arn, tables[0]):
        return tables[0].num_rows
    seen = [_stored_candidates(db, bulk, group_arn, tables)] if incremental else []
    repeated = 0
    for i, table in enumerate(tables):
        if seen:
            repeated += stored_again(table, pa.concat_tables(seen))
        if i + 1 < len(tables):  # the last file's keys are compared with nothing after it
            seen.append(key_table(table))
    return repeated


def _stored_copy(db: sa.Engine, bulk: BulkStore, group_arn: str, table: pa.Table) -> bool:
    """Whether an earlier import stored exactly ``table``'s events in its order (the same file
    imported again: the import keeps a file's rows in one order, so the copy is found by
    comparing columns, without hashing any ID: a fraction of the join's time)."""
    with db.connect() as conn:
        by_job: dict[int | Path, list[Path]] = {}
        for path, job in zip(
            bulk.files(conn, group_arn, INTERACTIONS),
            bulk.owners(conn, group_arn, INTERACTIONS),
            strict=True,
        ):
            # a job's parts in the order written; a file written outside a job on its own
            by_job.setdefault(path if job is None else job, []).append(path)

    def column(paths: list[Path], name: str) -> pa.ChunkedArray:
        parts = [bulk.read_file(p, group_arn, INTERACTIONS, [name], retry=True) for p in paths]
        return pa.chunked_array([c for part in parts for c in part.column(name).chunks])

    keys = key_table(table)
    for paths in by_job.values():
        try:
            if not column(paths, "TIMESTAMP").equals(keys.column("TIMESTAMP")):
                continue
            parts = [
                bulk.read_file(p, group_arn, INTERACTIONS, list(REPEAT_KEY), retry=True)
                for p in paths
            ]
            if key_table(pa.concat_tables(parts)).equals(keys):
                return True
        except (FileNotFoundError, StorageFault):
            continue
    return False


def _stored_candidates(
    db: sa.Engine, bulk: BulkStore, group_arn: str, tables: Sequence[pa.Table]
) -> pa.Table:
    """The key columns of the stored rows whose TIMESTAMP is one of the import's."""
    times = pc.unique(pa.chunked_array([t.column("TIMESTAMP") for t in tables]).combine_chunks())
    with db.connect() as conn:
        paths = bulk.files(conn, group_arn, INTERACTIONS)
    parts = []
    for path in paths:
        try:
            stamps = bulk.read_file(path, group_arn, INTERACTIONS, ["TIMESTAMP"], retry=True)
            match = pc.is_in(stamps.column("TIMESTAMP"), value_set=times)
            if not pc.any(match).as_py():
                continue
            rows = bulk.read_file(path, group_arn, INTERACTIONS, list(REPEAT_KEY), retry=True)
        except (FileNotFoundError, StorageFault):
            continue  # replaced by a FULL import meanwhile, or damaged: not this job's fault
        parts.append(key_table(rows.filter(match)))
    return pa.concat_tables(parts) if parts else key_table(tables[0].slice(0, 0))


def distinct_interactions(db: sa.Engine, bulk: BulkStore, group_arn: str, put: pd.DataFrame) -> int:
    """How many of a group's interactions training counts: the bulk rows less the repeats
    each registered import recorded, plus the streamed events ``put`` (an export frame) that
    repeat neither each other nor a bulk row.

    A file whose job recorded no count (imported by an earlier version of the engine, or
    rewritten by a data deletion job) makes the bulk rows counted in full, once.

    Raises:
        StorageFault: a bulk file is corrupt or missing.
    """
    recorded = _recorded_repeats(db, bulk, group_arn)
    if recorded is None:
        return _counted_in_full(db, bulk, group_arn, put)
    with db.connect() as conn:
        rows = bulk.count(conn, group_arn, INTERACTIONS)
    distinct = rows - recorded
    if len(put):
        events = pa.Table.from_pandas(
            without_repeats(put.loc[:, list(REPEAT_KEY)]), preserve_index=False
        )
        distinct += events.num_rows - already_stored(
            db, bulk, group_arn, [events], incremental=True
        )
    return distinct


def _recorded_repeats(db: sa.Engine, bulk: BulkStore, group_arn: str) -> int | None:
    """The sum of ``REPEATED_ROWS`` over the jobs that wrote the registered Interactions
    files, or None when one of them recorded none."""
    with db.connect() as conn:
        owners = set(bulk.owners(conn, group_arn, INTERACTIONS))
        if not owners:
            return 0
        if None in owners:
            return None
        docs = conn.execute(
            sa.select(t.resources.c.doc)
            .join(t.jobs, t.jobs.c.arn == t.resources.c.arn)
            .where(t.jobs.c.id.in_([o for o in owners if o is not None]))
        ).scalars()
        counts = [doc.get(REPEATED_ROWS) for doc in docs]
    if len(counts) != len(owners) or any(c is None for c in counts):
        return None
    return sum(int(c) for c in counts)


def _counted_in_full(db: sa.Engine, bulk: BulkStore, group_arn: str, put: pd.DataFrame) -> int:
    """``distinct_interactions`` by reading every key (seconds at millions of rows)."""
    stored = bulk.read(db, group_arn, INTERACTIONS, list(REPEAT_KEY))
    parts = [key_table(stored)] if stored is not None and stored.num_rows else []
    if len(put):
        parts.append(key_table(pa.Table.from_pandas(put.loc[:, list(REPEAT_KEY)])))
    if not parts:
        return 0
    return pa.concat_tables(parts).group_by(list(REPEAT_KEY)).aggregate([]).num_rows
