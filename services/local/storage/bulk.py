"""Bulk-imported dataset rows as Parquet files, made visible by one short SQL transaction.

An import writes its validated rows to a new Parquet file first, outside any transaction
(``stage``); only when the file is complete does the import's one short write transaction
register it (``commit``), replacing the group's earlier files of that dataset type for a FULL
import. So a multi-million-row import holds SQLite's write lock for milliseconds, readers never
wait on it, and a failed import leaves nothing visible (its staged file is discarded).

Layout: ``$PERSONALIZE_DATA_DIR/bulk/<group>/<dataset type>/<uuid>.parquet``. Interactions
files hold each user's rows together, oldest first, so one user's history is a contiguous
slice. Rows streamed with PutEvents/PutItems/PutUsers stay in SQL (small writes); readers
combine both.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlalchemy as sa

from services.local import tables as t

DATASET_TYPES = ("Interactions", "Items", "Users")
ID_COLUMN = {"Items": "ITEM_ID", "Users": "USER_ID"}
_RETRIES = 3  # a FULL import may replace the files a reader just listed; list again


@dataclass(frozen=True)
class StagedFile:
    """A complete Parquet file not yet visible to readers."""

    group_arn: str
    dataset_type: str
    path: Path
    rows: int


class BulkStore:
    """The Parquet half of the engine's dataset storage (see module doc)."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "bulk"

    # -- writing ---------------------------------------------------------------------------
    def stage(self, group_arn: str, dataset_type: str, frame: pd.DataFrame) -> StagedFile:
        """Write ``frame`` (an import's validated rows) to a new, unregistered Parquet file."""
        table = _dictionary_encoded(pa.Table.from_pandas(frame, preserve_index=False))
        if dataset_type == "Interactions":
            table = table.take(_by_user_then_time(table))
        folder = self.root / _folder(group_arn) / dataset_type.lower()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}.parquet"
        part = path.with_suffix(".part")
        pq.write_table(table, part, compression="zstd")
        os.replace(part, path)
        return StagedFile(group_arn, dataset_type, path, table.num_rows)

    def discard(self, staged: StagedFile) -> None:
        """Delete a staged file that will not be committed."""
        staged.path.unlink(missing_ok=True)

    def commit(self, conn: sa.Connection, staged: StagedFile, *, full: bool) -> list[Path]:
        """Register ``staged`` in the caller's transaction; FULL unregisters earlier files.

        Returns the files it unregistered: delete them with ``remove`` once the transaction
        has committed.
        """
        replaced: list[Path] = []
        if full:
            replaced = self._unregister(conn, staged.group_arn, staged.dataset_type)
        conn.execute(
            sa.insert(t.bulk_files).values(
                group_arn=staged.group_arn,
                dataset_type=staged.dataset_type,
                path=str(staged.path.relative_to(self.root)),
                rows=staged.rows,
                created=time.time(),
            )
        )
        return replaced

    def drop(
        self, conn: sa.Connection, group_arn: str, dataset_type: str | None = None
    ) -> list[Path]:
        """Unregister a group's files (of one dataset type, or all); ``remove`` them after."""
        out: list[Path] = []
        for kind in (dataset_type,) if dataset_type else DATASET_TYPES:
            out += self._unregister(conn, group_arn, kind)
        return out

    def sweep(self, db: sa.Engine, group_arn: str, dataset_type: str | None = None) -> None:
        """Delete a group's files that are no longer registered (after a delete committed).

        Only for a dataset (or group) that can have no import in progress: a staged file is
        unregistered too until its import commits.
        """
        with db.connect() as conn:
            for kind in (dataset_type,) if dataset_type else DATASET_TYPES:
                folder = self.root / _folder(group_arn) / kind.lower()
                if not folder.is_dir():
                    continue
                keep = set(self.files(conn, group_arn, kind))
                self.remove([p for p in folder.glob("*.parquet") if p not in keep])

    @staticmethod
    def remove(paths: Sequence[Path]) -> None:
        """Delete unregistered files (a reader still holding one open keeps its data)."""
        for path in paths:
            path.unlink(missing_ok=True)

    def _unregister(self, conn: sa.Connection, group_arn: str, dataset_type: str) -> list[Path]:
        where = (t.bulk_files.c.group_arn == group_arn) & (
            t.bulk_files.c.dataset_type == dataset_type
        )
        paths = [self.root / p for p in conn.scalars(sa.select(t.bulk_files.c.path).where(where))]
        conn.execute(sa.delete(t.bulk_files).where(where))
        return paths

    # -- reading ---------------------------------------------------------------------------
    def files(self, conn: sa.Connection, group_arn: str, dataset_type: str) -> list[Path]:
        """The registered files, oldest first."""
        rows = conn.execute(
            sa.select(t.bulk_files.c.path)
            .where(
                t.bulk_files.c.group_arn == group_arn,
                t.bulk_files.c.dataset_type == dataset_type,
            )
            .order_by(t.bulk_files.c.id)
        )
        return [self.root / r.path for r in rows]

    def count(self, conn: sa.Connection, group_arn: str, dataset_type: str) -> int:
        """Bulk rows of a dataset (for Items/Users an ID imported twice counts twice)."""
        total = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(t.bulk_files.c.rows), 0)).where(
                t.bulk_files.c.group_arn == group_arn,
                t.bulk_files.c.dataset_type == dataset_type,
            )
        ).scalar_one()
        return int(total)

    def version(self, conn: sa.Connection, group_arn: str) -> int:
        """Changes whenever a group's set of files changes (0 without files).

        Derived from the files' unique names, not their ids: SQLite may give a new row the id
        of the row a FULL import (or a data deletion) just removed.
        """
        paths = sorted(
            conn.scalars(
                sa.select(t.bulk_files.c.path).where(t.bulk_files.c.group_arn == group_arn)
            )
        )
        if not paths:
            return 0
        return int.from_bytes(hashlib.sha256("\n".join(paths).encode()).digest()[:8], "big")

    def read(
        self,
        db: sa.Engine,
        group_arn: str,
        dataset_type: str,
        columns: Sequence[str] | None = None,
    ) -> pa.Table | None:
        """Every bulk row of a dataset as one table, or None if nothing was imported.

        Items/Users keep the last row of each ID (INCREMENTAL imports upsert). ``db`` should be
        the engine's read-only database: listing the files is a plain read transaction.

        Raises:
            FileNotFoundError: the files kept being replaced while being read.
        """
        for attempt in range(_RETRIES):
            with db.connect() as conn:
                paths = self.files(conn, group_arn, dataset_type)
            if not paths:
                return None
            try:
                parts = [
                    pq.read_table(p, columns=list(columns) if columns else None) for p in paths
                ]
            except FileNotFoundError:
                if attempt == _RETRIES - 1:
                    raise
                continue
            table = plain_strings(pa.concat_tables(parts, promote_options="permissive"))
            key = ID_COLUMN.get(dataset_type)
            if key is not None and len(parts) > 1:
                table = _last_per_id(table, key)
            return table
        return None


def _folder(group_arn: str) -> str:
    """A file-system-safe, stable folder name for a dataset group."""
    name = group_arn.rsplit("/", 1)[-1]
    digest = hashlib.sha256(group_arn.encode()).hexdigest()[:12]
    return f"{name}-{digest}"


def _last_per_id(table: pa.Table, key: str) -> pa.Table:
    """Rows of ``table`` keeping the last occurrence of each ``key``, in table order."""
    ids = table.column(key).to_numpy(zero_copy_only=False)
    earlier = pd.Index(ids).duplicated(keep="last")
    return table.filter(pa.array(~earlier))


def _dictionary_encoded(table: pa.Table) -> pa.Table:
    """String columns as dictionaries: IDs repeat, so files shrink and sorting moves ints."""
    for i, name in enumerate(table.column_names):
        column = table.column(i)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            table = table.set_column(i, name, pc.dictionary_encode(column).combine_chunks())
    return table


def _by_user_then_time(table: pa.Table) -> np.ndarray:
    """Row order that makes each user's rows contiguous, oldest first (stable for ties).

    Users are grouped by their dictionary code, not sorted by name: a reader only needs each
    user's rows together, and integer sorting is many times faster than sorting strings.
    """
    users = table.column("USER_ID")
    codes = (users.chunk(0).indices if users.num_chunks else pa.array([], pa.int32())).to_numpy()
    ts = table.column("TIMESTAMP").to_numpy()
    return np.lexsort((ts, codes))


def plain_strings(table: pa.Table) -> pa.Table:
    """Dictionary columns back to plain strings (readers get the types the import checked)."""
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(field.type.value_type))
    return table
