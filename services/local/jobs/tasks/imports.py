"""The dataset import job: read and check its files, write them to bulk files, then make them
visible in one short transaction (a bad file imports nothing)."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import delete, select

from services.local.context import EngineContext
from services.local.data.imports.importer import ImportFailed, read_dataset_csv
from services.local.data.schemas import parse_schema
from services.local.data.storage import tables as t
from services.local.data.storage.faults import StorageFault
from services.local.data.storage.locations import resolve_location
from services.local.data.storage.resources import ACTIVE, FAILED, Resources
from services.local.data.storage.stored_repeats import (
    IMPORTED_ROWS,
    REPEATED_ROWS,
    already_stored,
)
from services.local.data.storage.versions import bump_data_version
from services.local.errors import EngineError
from services.local.jobs.context import JobContext
from services.local.jobs.outputs import discard, move
from services.local.jobs.tasks.import_memory import import_memory
from services.local.jobs.tasks.lifecycle import end_job, start_job
from services.local.rules.data_limits import MIN_IMPORT_INTERACTIONS
from services.local.rules.repeated_events import mostly_stored
from services.local.runtime.attribution_report import import_report

_log = logging.getLogger(__name__)


def run_import(engine: EngineContext, arn: str, ctx: JobContext) -> None:
    """Read and check one import job's files; stage them as bulk files outside any transaction,
    then register them, the job's ACTIVE status and the data version in one short one."""
    with import_memory():  # mimalloc, no huge pages for numpy (see import_memory)
        _run_import(engine, arn, ctx)


def _run_import(engine: EngineContext, arn: str, ctx: JobContext) -> None:
    """``run_import`` (see there)."""
    doc = start_job(engine, arn)
    if doc is None:
        return
    with engine.reading() as res:
        dataset = res.get(doc["datasetArn"], "dataset")
        schema = parse_schema(res.get(dataset["schemaArn"], "schema")["schema"])
    kind = dataset["datasetType"]
    try:
        files = resolve_location(engine, doc["dataSource"]["dataLocation"])
        size = sum(Path(path).stat().st_size for path in files)
        tables = [read_dataset_csv(path, schema, kind).table for path in files]
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        if kind == "Interactions" and table.num_rows < MIN_IMPORT_INTERACTIONS:
            raise ImportFailed(
                f"the file has {table.num_rows} interaction records; Personalize imports at "
                f"least {MIN_IMPORT_INTERACTIONS} per job"
            )
    except (ImportFailed, EngineError, OSError) as err:
        message = getattr(err, "message", None) or str(err)
        end_job(
            engine,
            arn,
            FAILED,
            f"{Path(files[-1]).name if 'files' in locals() else ''}: {message}".lstrip(": "),
        )
        return
    group = dataset["datasetGroupArn"]
    counts = {}
    if kind == "Interactions":
        repeated = already_stored(
            engine.read_db, engine.bulk, group, tables, incremental=doc["importMode"] != "FULL"
        )
        counts = {IMPORTED_ROWS: table.num_rows, REPEATED_ROWS: repeated}
        if mostly_stored(repeated, table.num_rows):
            _log.warning(
                "import %s: %d of its %d interactions repeat rows already stored (imported again?)",
                arn,
                repeated,
                table.num_rows,
            )
    # The rows go to a bulk file first, outside any transaction; one short transaction
    # then makes it visible, so readers and other writers never wait on a big import.
    try:  # a large Interactions file is written as one file per core, at once
        staged = engine.bulk.stage_parts(
            group, kind, table, job=ctx.job_id, grouped=len(files) == 1
        )
    except StorageFault as err:  # a full disk or a folder not writable: nothing was kept
        end_job(engine, arn, FAILED, err.message)
        return
    # The report is in S3 when the job is ACTIVE ("When the job completes, you can find the
    # metrics in your Amazon S3 bucket"): written first, put in place in the transaction that
    # registers the rows (so only while the job is this worker's), removed if that fails.
    report: tuple[Path, Path] | None = None
    placed: Path | None = None
    try:
        if kind == "Interactions" and doc.get("publishAttributionMetricsToS3"):
            report = _stage_attribution(engine, ctx, arn, group, table, doc["importMode"])
        with engine.tx() as res:
            replaced = engine.bulk.commit(res.conn, staged[0], full=doc["importMode"] == "FULL")
            for part in staged[1:]:
                engine.bulk.commit(res.conn, part, full=False)
            if kind in _PUT_TABLES:
                _drop_put_rows(res, group, kind, table)
            job = res.find(arn)
            if job is not None:
                # the bytes read, for the cost section's per-GB ingestion (AWS publishes
                # the same figure as CloudWatch's DatasetSize); not part of the Describe shape
                job.update(status=ACTIVE, lastUpdatedDateTime=res.now, _datasetSize=size, **counts)
                res.save(arn, job)
            ds = res.find(dataset["datasetArn"])
            if ds is not None:
                ds["lastUpdatedDateTime"] = res.now
                res.save(dataset["datasetArn"], ds)
            bump_data_version(res, group)
            if report is not None:
                placed = _place_attribution(arn, *report)
    except BaseException:
        for part in staged:
            engine.bulk.discard(part)
        if placed is not None:
            placed.unlink(missing_ok=True)
        raise
    finally:
        if report is not None:
            discard(report[0])  # unless placed
    engine.bulk.remove(replaced)


def _stage_attribution(
    engine: EngineContext, ctx: JobContext, arn: str, group: str, table: pa.Table, mode: str
) -> tuple[Path, Path] | None:
    """The import's attribution report, as AWS writes it for such a job, written to this
    attempt's partial file (``outputs``), and the file it goes to; None when the group has no
    attribution with a path. A report that cannot be written is logged: it never fails the
    import of the rows themselves.

    Raises:
        ClaimLost: the job is no longer this worker's.
    """
    staged = None
    try:
        found = import_report(engine, group, table, mode)
        if found is None:
            return None
        frame, out = found
        staged = ctx.partial_file(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(staged, index=False)
    except (OSError, ImportFailed) as err:
        if staged is not None:
            discard(staged)
        _log.warning("import %s: attribution report not written: %s", arn, err)
        return None
    return staged, out


def _place_attribution(arn: str, staged: Path, out: Path) -> Path | None:
    """Put the staged report in place (in the caller's claim-fenced transaction); a report
    that cannot be renamed is logged and left out, as one that cannot be written."""
    try:
        move(staged, out, "the attribution report")
    except StorageFault as err:
        _log.warning("import %s: attribution report not written: %s", arn, err.message)
        return None
    return out


# dataset type → (SQL table of its streamed records, ID column, CSV ID column)
_PUT_TABLES = {
    "Items": (t.items, "item_id", "ITEM_ID"),
    "Users": (t.users, "user_id", "USER_ID"),
    "Actions": (t.actions, "action_id", "ACTION_ID"),
}


def _drop_put_rows(res: Resources, group: str, kind: str, imported: pa.Table) -> None:
    """PutItems/PutUsers/PutActions rows give way to a later import of the same IDs (latest
    wins)."""
    table, name, csv_id = _PUT_TABLES[kind]
    column = getattr(table.c, name)
    put = sorted(
        res.conn.scalars(select(column).where(table.c.group_arn == group, table.c.source == "put"))
    )
    if not put:
        return
    ids_column = imported.column(csv_id)
    put_ids = pa.array(put, pa.string())
    ids = put_ids.filter(pc.is_in(put_ids, value_set=ids_column.combine_chunks())).to_pylist()
    for start in range(0, len(ids), 500):
        res.conn.execute(
            delete(table).where(table.c.group_arn == group, column.in_(ids[start : start + 500]))
        )
