"""An experiment's events on AWS, read back through Personalize's own dataset export.

Personalize has no call that answers the events a shop sent with PutEvents; its way to get
them back is a dataset export job of the Interactions dataset with ``ingestionMode`` PUT
("data that you imported incrementally (using the console, PutEvents, PutUsers and PutItems
operations)"): API reference "CreateDatasetExportJob"
(https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetExportJob.html) and
developer guide "Exporting the training data in a dataset to Amazon S3"
(https://docs.aws.amazon.com/personalize/latest/dg/export-data.html). botocore's shape
``CreateDatasetExportJobRequest`` requires jobName (``^[a-zA-Z0-9][a-zA-Z0-9\\-_]*``, at most
63), datasetArn, roleArn (the role Personalize writes to S3 with) and
``jobOutput.s3DataDestination.path``; ingestionMode is BULK | PUT | ALL (default PUT). The job
runs CREATE PENDING → CREATE IN_PROGRESS → ACTIVE | CREATE FAILED and writes CSV files with a
header under the path; every object whose key starts with ``<path><jobName>`` is read.

An export has the schema's fields only. It never has the PutEvents ``sessionId`` (no dataset
has a session column), and RECOMMENDATION_ID, EVENT_ATTRIBUTION_SOURCE, EVENT_VALUE and
IMPRESSION only when the Interactions schema has them; IMPRESSION holds the events' explicit
impressions (item IDs joined by ``|``), not the lists Personalize derives from a
recommendationId, which no call returns: the outcomes needing a missing column are unknown
(``outcomes.arm_outcomes``'s ``unknown``), never 0. Prices come from a second export, of the
Items dataset with ALL (imported and PutItems rows), when the group has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import pandas as pd

from services.datasets.snapshot import Location, ObjectStore, read_csv_parts, split_uri
from services.errors import ServiceError
from services.experiments.outcomes import EVENT_COLUMNS, NEEDS_IMPRESSION, NEEDS_SESSION
from services.experiments.records import Experiment
from services.personalize.models import Dataset, DatasetExportJob, is_failed, is_terminal

EVENTS_MODE, ITEMS_MODE = "PUT", "ALL"
# export column -> events frame column (outcomes.EVENT_COLUMNS), for those that may be missing
OPTIONAL = {
    "EVENT_VALUE": "EVENT_VALUE",
    "RECOMMENDATION_ID": "RECOMMENDATION_ID",
    "EVENT_ATTRIBUTION_SOURCE": "SOURCE",
}
REQUIRED = ("USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE")


class ExportCalls(Protocol):
    """What this module needs of ``PersonalizeService``."""

    def create_dataset_export_job(
        self, name: str, dataset_arn: str, output_path: str, role_arn: str, ingestion_mode: str
    ) -> str: ...

    def list_dataset_export_jobs(self, dataset_arn: str) -> list[DatasetExportJob]: ...

    def describe_dataset_export_job(self, arn: str) -> DatasetExportJob: ...


@dataclass(frozen=True)
class EventExport:
    """One read-back of an experiment's events: the Interactions export (``events``) and the
    Items export for prices (``items``; None when the group has no Items dataset)."""

    events: DatasetExportJob
    items: DatasetExportJob | None

    @property
    def jobs(self) -> tuple[DatasetExportJob, ...]:
        return (self.events,) if self.items is None else (self.events, self.items)

    @property
    def status(self) -> str:
        """A failed job's status, else a running job's, else ACTIVE."""
        for job in self.jobs:
            if is_failed(job.status):
                return job.status
        for job in self.jobs:
            if not is_terminal(job.status):
                return job.status
        return "ACTIVE"

    @property
    def done(self) -> bool:
        return is_terminal(self.status)

    @property
    def failure(self) -> str | None:
        """Why the read-back failed (the first failed job's failureReason), or None."""
        for job in self.jobs:
            if is_terminal(job.status) and job.status != "ACTIVE":
                return job.failure_reason or job.status
        return None


@dataclass(frozen=True)
class ExportedEvents:
    """The events as ``outcomes.arm_outcomes`` takes them (EVENT_COLUMNS), item ID → price,
    and the EVENT_COLUMNS the export did not have (``unknown``)."""

    events: pd.DataFrame
    prices: dict[str, float]
    unknown: frozenset[str]


def _prefix(experiment: Experiment, kind: str) -> str:
    # the experiment's ID, not its name: a job name may not hold the dots a name may
    return f"exp{experiment.id}-{kind}-"


def _dataset(datasets: Sequence[Dataset], kind: str) -> Dataset | None:
    return next((d for d in datasets if d.dataset_type.upper() == kind.upper()), None)


def output_folder(where: Location) -> str:
    """Where the page suggests the exports go: ``s3://BUCKET/personalize-dashboard/exports/
    experiments/`` on AWS (a folder of the local engine's ``exports`` bucket locally)."""
    return where.uri("exports", "experiments", "")


def checked_output(path: str) -> str:
    """``path`` as a folder URI (a ``/`` added at the end).

    Raises:
        ValueError: not ``s3://BUCKET/…``, or longer than the model's 256 characters.
    """
    path = path.strip()
    split_uri(path)
    folder = path if path.endswith("/") else path + "/"
    if len(folder) > 256:
        raise ValueError(f"the output path has {len(folder)} characters; at most 256")
    return folder


def start_event_export(
    service: ExportCalls,
    experiment: Experiment,
    datasets: Sequence[Dataset],
    output_path: str,
    role_arn: str,
    now: datetime,
) -> tuple[str, str | None]:
    """Start the Interactions export (PUT) and, when the group has Items, the Items export
    (ALL) into ``output_path``; returns their ARNs (events, items or None).

    Raises:
        ValueError: ``output_path`` is not an ``s3://`` folder (``checked_output``).
        ServiceError: the group has no Interactions dataset, or Personalize refused a job
            (e.g. ResourceInUseException while a dataset is not ACTIVE, LimitExceeded).
    """
    folder = checked_output(output_path)
    interactions = _dataset(datasets, "Interactions")
    if interactions is None:
        raise ServiceError("The dataset group has no Interactions dataset: no events to read.")
    stamp = now.strftime("%Y%m%d%H%M%S")
    events = service.create_dataset_export_job(
        _prefix(experiment, "events") + stamp, interactions.arn, folder, role_arn, EVENTS_MODE
    )
    items = _dataset(datasets, "Items")
    if items is None:
        return events, None
    return events, service.create_dataset_export_job(
        _prefix(experiment, "items") + stamp, items.arn, folder, role_arn, ITEMS_MODE
    )


def latest_event_export(
    service: ExportCalls, experiment: Experiment, datasets: Sequence[Dataset]
) -> EventExport | None:
    """The newest read-back started for ``experiment`` (found by its job names, so every
    session and viewer sees the same one), or None when none was started.

    Raises:
        ServiceError: Personalize could not be read.
    """
    interactions = _dataset(datasets, "Interactions")
    if interactions is None:
        return None
    prefix = _prefix(experiment, "events")
    listed = service.list_dataset_export_jobs(interactions.arn)
    newest = next((j for j in listed if j.name.startswith(prefix)), None)
    if newest is None:
        return None
    events = service.describe_dataset_export_job(newest.arn)
    items_dataset = _dataset(datasets, "Items")
    items = None
    if items_dataset is not None:
        name = _prefix(experiment, "items") + newest.name[len(prefix) :]
        found = next(
            (j for j in service.list_dataset_export_jobs(items_dataset.arn) if j.name == name),
            None,
        )
        items = service.describe_dataset_export_job(found.arn) if found else None
    return EventExport(events, items)


def _files(objects: ObjectStore, job: DatasetExportJob) -> pd.DataFrame:
    if not job.output_path:
        raise ServiceError(f"Export job {job.name} names no output path.")
    return read_csv_parts(objects, job.output_path + job.name)


def read_exported_events(objects: ObjectStore, export: EventExport) -> ExportedEvents:
    """The finished read-back's events (EVENT_COLUMNS, by TIMESTAMP as exported), prices
    (items with a numeric PRICE) and the columns it lacked: always SESSION_ID, and each of
    EVENT_VALUE, RECOMMENDATION_ID, SOURCE (EVENT_ATTRIBUTION_SOURCE), IMPRESSION the schema
    lacks.

    Raises:
        ServiceError: the read-back is not ACTIVE, the files cannot be read, or the export
            lacks a column every outcome needs (EVENT_TYPE, when the schema has none).
    """
    if export.status != "ACTIVE":
        raise ServiceError(f"The export is {export.status}, not ACTIVE: nothing to read yet.")
    raw = _files(objects, export.events)
    if raw.empty and not len(raw.columns):  # no part file: no PutEvents data at all
        raw = pd.DataFrame(columns=list(REQUIRED))
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise ServiceError(
            f"The Interactions export has no {', '.join(missing)} column: without the event "
            "type, conversions cannot be told from other events."
        )
    events = pd.DataFrame(
        {
            "USER_ID": raw["USER_ID"].astype(str),
            "SESSION_ID": pd.Series(pd.NA, index=raw.index, dtype="object"),
            "ITEM_ID": raw["ITEM_ID"].astype(str),
            "TIMESTAMP": pd.to_numeric(raw["TIMESTAMP"], errors="coerce"),
            "EVENT_TYPE": raw["EVENT_TYPE"].fillna("").astype(str),
        }
    )
    unknown = {NEEDS_SESSION}
    for column, name in OPTIONAL.items():
        if column in raw.columns:
            events[name] = raw[column]
        else:
            events[name] = pd.Series(pd.NA, index=raw.index, dtype="object")
            unknown.add(name)
    if "IMPRESSION" in raw.columns:
        events[NEEDS_IMPRESSION] = [
            tuple(v.split("|")) if isinstance(v, str) and v else None  # read as text
            for v in raw["IMPRESSION"]
        ]
    else:
        events[NEEDS_IMPRESSION] = pd.Series(None, index=raw.index, dtype="object")
        unknown.add(NEEDS_IMPRESSION)
    prices: dict[str, float] = {}
    if export.items is not None:
        items = _files(objects, export.items)
        if "PRICE" in items.columns and "ITEM_ID" in items.columns:
            price = pd.to_numeric(items["PRICE"], errors="coerce")
            known = price.notna()
            ids = items.loc[known, "ITEM_ID"].astype(str)
            prices = dict(zip(ids, price[known].astype(float), strict=True))
    return ExportedEvents(events[list(EVENT_COLUMNS)], prices, frozenset(unknown))
