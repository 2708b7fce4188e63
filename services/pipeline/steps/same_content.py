"""A night's file whose content was imported before into the same dataset.

Personalize drops duplicate (USER_ID, ITEM_ID, TIMESTAMP) rows of bulk interactions data when
it trains (/work/shared/reference/PERSONALIZE.md, "Bulk data"; CreateDatasetImportJob's
INCREMENTAL mode appends: API reference, ``importMode``), so importing the same file again
INCREMENTAL adds nothing to a model but doubles the rows the dataset holds and bills the
ingestion again; FULL replaces the data with the same data. Either way a scheduler that sends
yesterday's file again is usually a broken export, so the check step warns and names the run
that imported that content first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from services.pipeline.runs.records import SUCCEEDED, RefreshRun

_CHUNK = 1 << 20


def content_hash(paths: Iterable[Path]) -> str:
    """SHA-256 (hex) of the files' bytes, in order: what the import job reads."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def imported_before(runs: Iterable[RefreshRun], run_id: int, key: str, sha256: str) -> int | None:
    """The newest other run whose check step ``key`` saw ``sha256`` and whose import of it
    succeeded; None when no such run is among them."""
    import_key = key.replace("check:", "import:", 1)
    for run in runs:
        if run.id == run_id:
            continue
        check, imported = run.step(key), run.step(import_key)
        if (
            check is not None
            and check.detail.get("sha256") == sha256
            and imported is not None
            and imported.status == SUCCEEDED
        ):
            return run.id
    return None
