"""The local engine's record of the bytes each import job read (``_datasetSize`` on the job,
written by services.local.jobs.tasks.imports): what CloudWatch's DatasetSize reports on AWS
(services.costs.ingestion)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from services.config import Settings
from services.costs.ingestion import ImportedJob
from services.errors import ServiceError


class EngineSizes:
    """``SizeSource`` over the local engine (a job counts in the window it completed in)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def sizes(
        self, jobs: Sequence[ImportedJob], start: datetime, end: datetime
    ) -> Mapping[str, int]:
        from services.local.engine import get_engine

        engine = get_engine(self._settings, start_worker=not self._settings.endpoint_url)
        found: dict[str, int] = {}
        try:
            with engine.reading() as res:
                for job in jobs:
                    doc = res.find(job.job_arn)
                    if doc is None or "_datasetSize" not in doc:
                        continue
                    done = float(doc.get("lastUpdatedDateTime") or 0)
                    if start.timestamp() <= done < end.timestamp():
                        found[job.job_arn] = int(doc["_datasetSize"])
        except SQLAlchemyError as err:
            raise ServiceError(f"Could not read the engine's import jobs: {err}") from err
        return found
