"""The local engine's record, per import job, of the rows it stored and how many of them the
dataset already held (``_importedRows`` / ``_repeatedRows`` on the job, written by
services.local.jobs.tasks.imports). Personalize reports no such figure: on AWS and over HTTP
nobody records it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.config import Settings
from services.datasets.local_engine.documents import documents

if TYPE_CHECKING:
    from services.local.engine import LocalEngine


@dataclass(frozen=True)
class ImportRepeats:
    """An import job's ``rows`` stored, ``repeated`` of them already in the dataset (or in an
    earlier file of the same job)."""

    rows: int
    repeated: int


RepeatsSource = Callable[[Sequence[str]], Mapping[str, ImportRepeats]]


def import_repeats_source(settings: Settings) -> RepeatsSource | None:
    """Where import jobs' repeat counts are read: the in-process engine, else None."""
    if settings.is_local and not settings.endpoint_url:
        from services.local.engine import get_engine

        engine = get_engine(settings)
        return lambda arns: local_import_repeats(engine, arns)
    return None


def local_import_repeats(engine: LocalEngine, job_arns: Sequence[str]) -> dict[str, ImportRepeats]:
    """``ImportRepeats`` of each of ``job_arns`` that recorded one (an Interactions import
    that completed; not one from before the engine kept the count).

    Raises:
        ServiceError: the engine's database could not be read.
    """
    from services.local.data.storage.stored_repeats import IMPORTED_ROWS, REPEATED_ROWS

    return {
        arn: ImportRepeats(int(doc[IMPORTED_ROWS]), int(doc[REPEATED_ROWS]))
        for arn, doc in documents(engine, job_arns, "import jobs").items()
        if IMPORTED_ROWS in doc and REPEATED_ROWS in doc
    }
