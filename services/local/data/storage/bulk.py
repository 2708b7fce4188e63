"""Bulk-imported dataset rows as files, made visible by one short SQL transaction.

An import writes its validated rows to a new file first, outside any transaction
(``stage``); only when the file is complete does the import's one short write transaction
register it (``commit``), replacing the group's earlier files of that dataset type for a FULL
import. So a multi-million-row import holds SQLite's write lock for milliseconds, readers never
wait on it, and a failed import leaves nothing visible (its staged file is discarded).

Layout: ``$PERSONALIZE_DATA_DIR/bulk/<group>/<dataset type>/job<id>-<uuid>.<suffix>``, where
``<id>`` is the job that wrote it (a file written outside a job has no prefix). Interactions
files hold each user's rows together, oldest first, so one user's history is a contiguous
slice.

Interactions are written as Arrow IPC files (``.arrow``, Feather v2, buffers uncompressed):
writing one is a copy of the table's buffers and reading one back a copy into memory, where
Parquet encodes and compresses every value both ways. On 6,000,000 interactions
(``bench/bulk_formats.py``, docs/benchmarks.md, issue #24) the write took 0.14 s of CPU instead
of 0.59, the write plus a whole read, the training frame and the first history lookup 1.38 s
instead of 2.86, for files six times larger (238 MiB instead of 39). Items, Users and
the rest stay Parquet (not measured in IPC). Files of either format are read, so a data
directory written before keeps its Interactions in Parquet until they are imported again.

Rows streamed with PutEvents/PutItems/PutUsers stay in SQL (small writes); readers combine
both.

A process that dies between writing a file and registering it leaves an orphan: ``sweep``
deletes every unregistered file whose job is not running (an engine sweeps when it starts and
when it recovers the jobs of a dead worker), so a running import's file is never touched.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import sqlalchemy as sa

from services.local.data.imports.rows import (
    by_user_then_time,
    dictionary_codes,
    is_grouped_by_user,
    last_per_key,
)
from services.local.data.storage import tables as t
from services.local.data.storage.faults import StorageFault, unreadable, write_fault

_log = logging.getLogger(__name__)

DATASET_TYPES = ("Interactions", "Items", "Users", "Actions", "Action_Interactions")
ID_COLUMN = {"Items": "ITEM_ID", "Users": "USER_ID", "Actions": "ACTION_ID"}
_RETRIES = 3  # a FULL import may replace the files a reader just listed; list again
_OWNER = re.compile(r"^job(\d+)-")
_ARROW, _PARQUET = ".arrow", ".parquet"
_SUFFIXES = (_PARQUET, _ARROW, ".part")
# the dataset types written as Arrow IPC (see the module doc); the others are written as Parquet
ARROW_TYPES = frozenset({"Interactions"})
_IDS = frozenset({"USER_ID", "ITEM_ID", "ACTION_ID"})  # stored without a dictionary
# an Interactions import of at least twice this many rows is written as one file per core
PART_ROWS = 1_000_000


# built once: GetRecommendations asks for a group's version on every request, and building the
# expression costs more than running it
_GROUP_PATHS = sa.select(t.bulk_files.c.path).where(
    t.bulk_files.c.group_arn == sa.bindparam("group")
)


@dataclass(frozen=True)
class StagedFile:
    """A complete bulk file not yet visible to readers."""

    group_arn: str
    dataset_type: str
    path: Path
    rows: int


class BulkStore:
    """The file half of the engine's dataset storage (see module doc)."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "bulk"

    # -- writing ---------------------------------------------------------------------------
    def stage(
        self,
        group_arn: str,
        dataset_type: str,
        table: pa.Table,
        *,
        job: int | None = None,
        grouped: bool = False,
    ) -> StagedFile:
        """Write ``table`` (validated rows) to a new, unregistered bulk file (Arrow IPC for
        Interactions, Parquet for the other dataset types).

        Args:
            group_arn: the dataset group.
            dataset_type: Interactions, Items or Users.
            table: the rows; Interactions need USER_ID (strings or dictionary) and an int64
                TIMESTAMP without nulls, and are written grouped by user, oldest first.
            job: the id of the job writing it (jobs table); ``sweep`` keeps the file while
                that job runs. None only where no engine can sweep concurrently (tests).
            grouped: Interactions rows already in the order they are kept (see
                ``stage_parts``), written without being checked again.

        Raises:
            StorageFault: the file cannot be written (a full disk, a folder that is not
                writable); nothing of it is left behind.
        """
        if dataset_type == "Interactions" and not grouped:
            table = _grouped_by_user(table)
        return self._write(group_arn, dataset_type, table, job)

    def _write(
        self, group_arn: str, dataset_type: str, table: pa.Table, job: int | None
    ) -> StagedFile:
        """``stage`` of rows already in the order they are kept (see ``stage``)."""
        folder = self.root / _folder(group_arn) / dataset_type.lower()
        prefix = f"job{job}-" if job is not None else ""
        suffix = _ARROW if dataset_type in ARROW_TYPES else _PARQUET
        path = folder / f"{prefix}{uuid.uuid4().hex}{suffix}"
        part = path.with_suffix(".part")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            table = _stored(table)
            if suffix == _ARROW:
                _write_arrow(table, part)
            else:
                pq.write_table(table, part, **_parquet_options(table.schema))
            os.replace(part, path)
        except OSError as err:
            part.unlink(missing_ok=True)
            raise write_fault(err, part, f"the {dataset_type} rows") from err
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        return StagedFile(group_arn, dataset_type, path, table.num_rows)

    def stage_parts(
        self,
        group_arn: str,
        dataset_type: str,
        table: pa.Table,
        *,
        job: int | None = None,
        parts: int | None = None,
        grouped: bool = False,
    ) -> list[StagedFile]:
        """``stage`` for a large Interactions table: ``parts`` files (by default one per core
        when the table has at least ``PART_ROWS`` rows per file, else one), written at once,
        each holding whole users (a user's history stays one slice of one file). Any other
        table is one file.

        ``grouped``: the caller vouches that the Interactions rows are in the order they are
        kept, as one ``read_dataset_csv`` delivers them (USER_ID dictionary-encoded, codes
        ascending, each user's rows oldest first), so they are written without being checked
        again (a pass over every row's user and time, 0.1 s of CPU for 6,000,000 rows).

        Raises:
            StorageFault: a file cannot be written; none of the files is left behind.
        """
        if parts is None:
            parts = min(os.cpu_count() or 1, table.num_rows // PART_ROWS)
        if dataset_type != "Interactions" or parts < 2 or table.num_rows < 2:
            return [self.stage(group_arn, dataset_type, table, job=job, grouped=grouped)]
        if not grouped:
            table = _grouped_by_user(table)
        _, codes = dictionary_codes(table.column("USER_ID"))
        n = table.num_rows
        # each part starts where a user does (codes ascend once grouped)
        starts = np.searchsorted(codes, codes[[n * k // parts for k in range(1, parts)]])
        cuts = [0, *sorted({int(c) for c in starts if 0 < c < n}), n]
        slices = [table.slice(a, b - a) for a, b in zip(cuts, cuts[1:], strict=False)]
        # The slices of the grouped table are grouped: each is written without checking again.
        with ThreadPoolExecutor(max_workers=len(slices)) as pool:  # the writer frees the GIL
            futures = [
                pool.submit(self._write, group_arn, dataset_type, part, job) for part in slices
            ]
        staged, failed = [], None
        for future in futures:
            try:
                staged.append(future.result())
            except BaseException as err:  # noqa: BLE001 (re-raised below, after clean-up)
                failed = failed or err
        if failed is not None:
            for done in staged:
                self.discard(done)
            raise failed
        return staged

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

    def sweep(
        self, db: sa.Engine, group_arn: str | None = None, dataset_type: str | None = None
    ) -> list[Path]:
        """Delete unregistered files that no running job is writing; returns them.

        They are orphans of an import that crashed or failed, files a FULL import or a delete
        unregistered (if their process died before removing them), or half-written ``.part``
        files. Of one group (and dataset type), or of every group. ``db`` should be the
        read-only database (one snapshot for both queries).
        """
        if group_arn is None:
            folders = [self.root]
        else:
            kinds = (dataset_type,) if dataset_type else DATASET_TYPES
            folders = [self.root / _folder(group_arn) / kind.lower() for kind in kinds]
        # Listed before the snapshot is taken: a job that registers or starts after it cannot
        # have files in the list that the snapshot calls unowned.
        found = [
            p for folder in folders if folder.is_dir() for p in folder.rglob("*")
            if p.suffix in _SUFFIXES
        ]  # fmt: skip
        if not found:
            return []
        with db.begin() as conn:
            running = set(conn.scalars(sa.select(t.jobs.c.id).where(t.jobs.c.state == "running")))
            registered = {self.root / p for p in conn.scalars(sa.select(t.bulk_files.c.path))}
        orphans = [p for p in found if p not in registered and _owner(p) not in running]
        self.remove(orphans)
        return orphans

    @staticmethod
    def remove(paths: Sequence[Path]) -> None:
        """Delete unregistered files (a reader still holding one open keeps its data).

        A file that cannot be deleted now (its folder is not writable) is only logged: it is
        unregistered, so no reader sees it, and ``sweep`` deletes it later.
        """
        for path in paths:
            try:
                path.unlink(missing_ok=True)
            except OSError as err:
                _log.warning("could not delete unregistered bulk file %s: %s", path, err)

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

    def owners(self, conn: sa.Connection, group_arn: str, dataset_type: str) -> list[int | None]:
        """The job that wrote each registered file, oldest file first (None: written outside
        a job)."""
        return [_owner(path) for path in self.files(conn, group_arn, dataset_type)]

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
        paths = sorted(conn.scalars(_GROUP_PATHS, {"group": group_arn}))
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
            StorageFault: a file is corrupt, unreadable, or missing (still listed after the
                files were listed again, so not merely replaced by a FULL import meanwhile).
        """
        for attempt in range(_RETRIES):
            with db.connect() as conn:
                paths = self.files(conn, group_arn, dataset_type)
            if not paths:
                return None
            retry = attempt < _RETRIES - 1
            try:
                parts = [
                    self.read_file(p, group_arn, dataset_type, columns, retry=retry) for p in paths
                ]
            except FileNotFoundError:
                continue
            # each file on its own: files written before IDs were stored as plain strings
            # hold USER_ID as a dictionary, which a concatenation will not merge with strings
            parts = [plain_strings(part) for part in parts]
            table = pa.concat_tables(parts, promote_options="permissive")
            key = ID_COLUMN.get(dataset_type)
            if key is not None and len(parts) > 1:
                keep = last_per_key(table.column(key))
                if keep is not None:
                    table = table.filter(pa.array(keep))
            return table
        return None

    def check(self, db: sa.Engine, group_arn: str) -> None:
        """Make sure every registered file of a group is there and ends in a valid footer
        (Parquet's, or an Arrow IPC file's).

        Reads only each file's footer (milliseconds), so a reader that will read slices of
        the files later learns of a truncated, empty or missing file before it starts.
        Damage inside a file that keeps its footer shows only when that part is read.

        Raises:
            StorageFault: a file is missing, unreadable or has no valid footer.
        """
        with db.connect() as conn:
            listed = conn.execute(
                sa.select(t.bulk_files.c.path, t.bulk_files.c.dataset_type).where(
                    t.bulk_files.c.group_arn == group_arn
                )
            ).all()
        for row in listed:
            path = self.root / row.path
            try:
                _read_footer(path)
            except FileNotFoundError:
                with db.connect() as conn:  # a FULL import may have replaced it meanwhile
                    still = conn.execute(
                        sa.select(t.bulk_files.c.id).where(t.bulk_files.c.path == row.path)
                    ).first()
                if still is not None:
                    raise self.unreadable(path, group_arn, row.dataset_type) from None
            except (OSError, pa.ArrowException) as err:
                raise self.unreadable(path, group_arn, row.dataset_type, err) from err

    def read_file(
        self,
        path: Path,
        group_arn: str,
        dataset_type: str,
        columns: Sequence[str] | None = None,
        *,
        retry: bool = False,
    ) -> pa.Table:
        """One registered file of a group's dataset (Arrow IPC or Parquet, by its suffix).

        Raises:
            FileNotFoundError: the file is gone and ``retry`` is set (list the files again:
                a FULL import may have replaced it).
            StorageFault: the file is corrupt, unreadable, or gone (``retry`` unset).
        """
        try:
            if path.suffix == _ARROW:
                return _read_arrow(path, columns)
            return pq.read_table(path, columns=list(columns) if columns else None)
        except FileNotFoundError:
            if retry:
                raise
            raise self.unreadable(path, group_arn, dataset_type) from None
        except (OSError, pa.ArrowException) as err:
            raise self.unreadable(path, group_arn, dataset_type, err) from err

    def unreadable(
        self, path: Path, group_arn: str, dataset_type: str, err: BaseException | None = None
    ) -> StorageFault:
        """The fault of a registered file that cannot be read (its remedy: a FULL import)."""
        return unreadable(
            path,
            self.root.parent,
            "bulk file",
            f"import the {dataset_type} dataset of dataset group {group_arn.rsplit('/', 1)[-1]} "
            "again with importMode FULL, which replaces its bulk files",
            err,
        )


def _folder(group_arn: str) -> str:
    """A file-system-safe, stable folder name for a dataset group."""
    name = group_arn.rsplit("/", 1)[-1]
    digest = hashlib.sha256(group_arn.encode()).hexdigest()[:12]
    return f"{name}-{digest}"


def _owner(path: Path) -> int | None:
    """The id of the job that wrote ``path`` (None for a file written outside a job)."""
    match = _OWNER.match(path.name)
    return int(match.group(1)) if match else None


def _stored(table: pa.Table) -> pa.Table:
    """``table`` as a bulk file holds it: ID columns as plain strings (see ``_parquet_options``);
    other columns as they are."""
    for i, field in enumerate(table.schema):
        if field.name in _IDS and pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(field.type.value_type))
    return table


def _write_arrow(table: pa.Table, path: Path) -> None:
    """``table`` as an Arrow IPC file (Feather v2), one record batch per chunk, uncompressed.

    Uncompressed because the write is then a copy: for 6,000,000 interactions LZ4 (109 MiB
    instead of 238) took 0.36 s of CPU and zstd level 1 (65 MiB) 0.46 s against 0.14 s, and
    their reads cost more too (``bench/bulk_formats.py``).
    """
    with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _read_arrow(path: Path, columns: Sequence[str] | None) -> pa.Table:
    """The columns of an Arrow IPC bulk file, read into memory and fully validated.

    Not memory-mapped: a file cut short while a reader holds its pages would end the process
    with SIGBUS. Validated in full (string offsets within their data, valid UTF-8, dictionary
    indices within the dictionary; 0.05 s of CPU for 6,000,000 interactions): an IPC file
    carries no checksum, and a damaged offset would otherwise make a later read run past its
    buffer instead of failing here.

    Raises:
        pyarrow.ArrowInvalid: the file is truncated, damaged or lacks a column.
        OSError: it cannot be read.
    """
    table = feather.read_table(
        str(path), columns=list(columns) if columns else None, memory_map=False
    )
    table.validate(full=True)
    return table


def _read_footer(path: Path) -> None:
    """Read a bulk file's footer only (raises as ``_read_arrow`` or ``pq.read_metadata``)."""
    if path.suffix == _ARROW:
        with pa.OSFile(str(path)) as source:
            ipc.open_file(source)
    else:
        pq.read_metadata(path)


def _parquet_options(schema: pa.Schema) -> dict[str, object]:
    """How a bulk file is written: measured on 3M interactions, about half the CPU time of
    pyarrow's defaults for a file of the same size and read speed.

    IDs are written as plain strings without a Parquet dictionary: a row group of an
    Interactions file holds hundreds of thousands of users, whose dictionary page overflows
    Parquet's 1 MiB limit, so the writer hashed every ID only to fall back to plain values, and
    a reader of a USER_ID stored as an Arrow dictionary hashed them again to rebuild it. A
    user's rows are adjacent, so zstd packs the repeated USER_IDs anyway. On 6,000,000
    interactions: the write 0.81 s of CPU instead of 1.33 s, the file 38 MiB instead of 45, a
    whole read 0.69 s instead of 1.27 s.

    Integers are delta-packed and not compressed: zstd found nothing more in the packed
    TIMESTAMPs of 6,000,000 interactions (17.6 MiB either way) and took 0.035 s of CPU to do
    so. No column has statistics: no reader filters row groups by them.
    """
    text = [f.name for f in schema if _is_text(f.type) and f.name not in _IDS]
    packed = [f.name for f in schema if pa.types.is_integer(f.type)]
    return {
        "compression": {f.name: "none" if f.name in packed else "zstd" for f in schema},
        "compression_level": {f.name: 1 for f in schema if f.name not in packed},
        # Other strings repeat (event types, categories); timestamps rarely do, so a dictionary
        # attempt on them is wasted work, while deltas of nearby times are small.
        "use_dictionary": text,
        "column_encoding": dict.fromkeys(packed, "DELTA_BINARY_PACKED"),
        "write_statistics": False,
    }


def _is_text(type_: pa.DataType) -> bool:
    if pa.types.is_dictionary(type_):
        type_ = type_.value_type
    return pa.types.is_string(type_) or pa.types.is_large_string(type_)


def _grouped_by_user(table: pa.Table) -> pa.Table:
    """Interactions with each user's rows together, oldest first (file order among ties).

    Users are grouped by dictionary code, not sorted by name: a reader only needs each
    user's rows together, and integer sorting is many times faster.
    """
    users, codes = dictionary_codes(table.column("USER_ID"))
    table = table.set_column(table.schema.get_field_index("USER_ID"), "USER_ID", users)
    timestamps = table.column("TIMESTAMP").to_numpy()
    if is_grouped_by_user(codes, timestamps):  # as imports deliver them
        return table
    return table.take(pa.array(by_user_then_time(codes, timestamps)))


def plain_strings(table: pa.Table) -> pa.Table:
    """Dictionary columns back to plain strings (readers get the types the import checked)."""
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(field.type.value_type))
    return table
