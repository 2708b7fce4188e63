"""The work of a data deletion job: remove the listed users' data from a dataset group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, delete, select

from services.local.context import EngineContext
from services.local.control.data_deletion import COMPLETED, FAILED, IN_PROGRESS, PENDING
from services.local.data.storage import tables as t
from services.local.data.storage.bulk import StagedFile
from services.local.data.storage.locations import resolve_location
from services.local.data.storage.resources import Resources
from services.local.data.storage.versions import bump_data_version
from services.local.errors import EngineError
from services.local.jobs.context import JobContext

_CHUNK = 500
_STAGINGS = 5  # attempts at staging before the job fails: other writers kept changing the data


def read_user_ids(paths: list[Path]) -> list[str]:
    """USER_ID values of the CSV files (header required); ValueError without that column."""
    users: list[str] = []
    for path in paths:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "USER_ID" not in frame.columns:
            raise ValueError(
                f"{path.name} has no USER_ID column (found {', '.join(frame.columns)})"
            )
        users.extend(u for u in frame["USER_ID"].str.strip() if u)
    return sorted(set(users))


def run_data_deletion(engine: EngineContext, arn: str, ctx: JobContext) -> None:
    """Delete the users' interactions and Users rows in one transaction; COMPLETED or FAILED."""
    with engine.tx() as res:
        doc = res.find(arn)
        if doc is None or doc["status"] != PENDING:
            return
        doc.update(status=IN_PROGRESS, lastUpdatedDateTime=res.now)
        res.save(arn, doc)
    group = doc["datasetGroupArn"]
    try:
        users = read_user_ids(resolve_location(engine, doc["dataSource"]["dataLocation"]))
    except (EngineError, OSError, ValueError, pd.errors.ParserError) as err:
        _fail(engine, arn, doc, getattr(err, "message", None) or str(err))
        return
    # Bulk rows live in files: rewrite the affected files without those users first (outside
    # the transaction), then swap them in with the SQL deletes in one short transaction. A group
    # may have up to 5 deletion jobs PENDING (quotas.py) and several processes may run jobs, so
    # another deletion or an import can register new files while these are staged; swapping
    # in files staged from the older ones would bring back what that job removed or drop what
    # it added. The swap therefore happens only if the group's files are still those read, and
    # the staging starts again otherwise.
    for _ in range(_STAGINGS):
        with engine.read_db.connect() as conn:
            read = _registered(conn, group)
        staged, dropped = _stage_without(engine, group, users, ctx.job_id)
        replaced: list[Path] = []
        try:
            with engine.tx() as res:
                current = _registered(res.conn, group) == read
                if current:
                    for file in staged:
                        replaced += engine.bulk.commit(res.conn, file, full=True)
                    deleted = dropped + _delete_streamed(res, group, users)
                    bump_data_version(res, group)
                    doc.update(status=COMPLETED, numDeleted=deleted, lastUpdatedDateTime=res.now)
                    res.save(arn, doc)
        except Exception:
            for file in staged:
                engine.bulk.discard(file)
            raise
        if current:
            engine.bulk.remove(replaced)
            return
        for file in staged:
            engine.bulk.discard(file)
    _fail(
        engine,
        arn,
        doc,
        f"The dataset group's data changed {_STAGINGS} times while this job rewrote it "
        "(imports or other deletion jobs ran at the same time); nothing was deleted. Create "
        "the job again.",
    )


def _fail(engine: EngineContext, arn: str, doc: dict[str, Any], reason: str) -> None:
    with engine.tx() as res:
        doc.update(status=FAILED, failureReason=reason, lastUpdatedDateTime=res.now)
        res.save(arn, doc)


def _registered(conn: Connection, group: str) -> list[str]:
    """The paths of the group's registered bulk files, which change when a job swaps files in
    (each staged file has a name of its own; SQLite may give a new row a deleted row's id)."""
    query = select(t.bulk_files.c.path).where(t.bulk_files.c.group_arn == group)
    return sorted(conn.execute(query).scalars())


def _stage_without(
    engine: EngineContext, group: str, users: list[str], job: int
) -> tuple[list[StagedFile], int]:
    """New bulk files of the group's bulk Interactions and Users without ``users``, for the
    dataset types that had any of their rows; and how many rows they drop."""
    staged: list[StagedFile] = []
    dropped = 0
    wanted = pa.array(users, type=pa.string())
    try:
        for kind in ("Interactions", "Users"):
            table = engine.bulk.read(engine.read_db, group, kind)
            if table is None:
                continue
            mask = pc.is_in(table["USER_ID"], value_set=wanted)
            hits = int(pc.sum(mask).as_py() or 0)
            if hits:
                kept = table.filter(pc.invert(mask))
                staged.append(engine.bulk.stage(group, kind, kept, job=job))
                dropped += hits
    except BaseException:
        for file in staged:  # the Users file failed after the Interactions one was written
            engine.bulk.discard(file)
        raise
    return staged, dropped


def _delete_streamed(res: Resources, group: str, users: list[str]) -> int:
    """Delete the users' PutEvents/PutUsers rows (SQL); returns how many went."""
    deleted = 0
    for start in range(0, len(users), _CHUNK):
        chunk = users[start : start + _CHUNK]
        for table in (t.interactions, t.users):
            result = res.conn.execute(
                delete(table).where(table.c.group_arn == group, table.c.user_id.in_(chunk))
            )
            deleted += int(result.rowcount or 0)
    return deleted
