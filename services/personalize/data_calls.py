"""The facade's calls on a group's data: dataset groups, schemas, datasets, import and export
jobs, event trackers and filters (the Personalize control plane's data half).
"""

from __future__ import annotations

from services.personalize import wire
from services.personalize.calls import Calls, compact, newest_first
from services.personalize.models import (
    Dataset,
    DatasetExportJob,
    DatasetGroup,
    EventTracker,
    Filter,
    ImportJob,
    Schema,
)


class DataCalls(Calls):
    """List, describe and start work on dataset groups and the data in them."""

    # --- dataset groups, schemas, datasets, imports -----------------------------------------

    def list_dataset_groups(self) -> list[DatasetGroup]:
        return self._list("list_dataset_groups", "datasetGroups", wire.dataset_group)

    def describe_dataset_group(self, arn: str) -> DatasetGroup:
        resp = self._call(self._p, "describe_dataset_group", arn, datasetGroupArn=arn)
        return wire.dataset_group(resp["datasetGroup"])

    def list_schemas(self) -> list[Schema]:
        return self._list("list_schemas", "schemas", wire.schema)

    def describe_schema(self, arn: str) -> Schema:
        """The schema with its fields parsed from the Avro JSON."""
        return wire.schema(self._call(self._p, "describe_schema", arn, schemaArn=arn)["schema"])

    def list_datasets(self, dataset_group_arn: str) -> list[Dataset]:
        return self._list(
            "list_datasets",
            "datasets",
            wire.dataset,
            dataset_group_arn,
            datasetGroupArn=dataset_group_arn,
        )

    def describe_dataset(self, arn: str) -> Dataset:
        return wire.dataset(self._call(self._p, "describe_dataset", arn, datasetArn=arn)["dataset"])

    def list_import_jobs(self, dataset_arn: str) -> list[ImportJob]:
        """Import jobs of one dataset, newest first."""
        jobs = self._list(
            "list_dataset_import_jobs",
            "datasetImportJobs",
            wire.import_job,
            dataset_arn,
            datasetArn=dataset_arn,
        )
        return newest_first(jobs)

    def describe_import_job(self, arn: str) -> ImportJob:
        resp = self._call(self._p, "describe_dataset_import_job", arn, datasetImportJobArn=arn)
        return wire.import_job(resp["datasetImportJob"])

    def create_dataset_import_job(
        self,
        name: str,
        dataset_arn: str,
        data_location: str,
        *,
        role_arn: str | None = None,
        import_mode: str = "FULL",
    ) -> str:
        """Start importing ``data_location`` (``s3://bucket/key``; the local engine reads it from
        ``<data_dir>/s3/bucket/key``) into a dataset; returns the job ARN."""
        if import_mode not in ("FULL", "INCREMENTAL"):
            raise ValueError(f"import_mode must be 'FULL' or 'INCREMENTAL', not {import_mode!r}")
        resp = self._call(
            self._p,
            "create_dataset_import_job",
            name,
            "Import job",
            **compact(
                jobName=name,
                datasetArn=dataset_arn,
                dataSource={"dataLocation": data_location},
                roleArn=role_arn,
                importMode=import_mode,
            ),
        )
        arn: str = resp["datasetImportJobArn"]
        return arn

    # --- event trackers, filters, recipes ---------------------------------------------------

    def list_event_trackers(self, dataset_group_arn: str) -> list[EventTracker]:
        return self._list(
            "list_event_trackers",
            "eventTrackers",
            wire.event_tracker,
            dataset_group_arn,
            datasetGroupArn=dataset_group_arn,
        )

    def describe_event_tracker(self, arn: str) -> EventTracker:
        resp = self._call(self._p, "describe_event_tracker", arn, eventTrackerArn=arn)
        return wire.event_tracker(resp["eventTracker"])

    def list_filters(self, dataset_group_arn: str) -> list[Filter]:
        return self._list(
            "list_filters",
            "Filters",
            wire.filter_,
            dataset_group_arn,
            datasetGroupArn=dataset_group_arn,
        )

    def describe_filter(self, arn: str) -> Filter:
        return wire.filter_(self._call(self._p, "describe_filter", arn, filterArn=arn)["filter"])

    def create_filter(self, name: str, dataset_group_arn: str, expression: str) -> str:
        """CreateFilter; returns the filter's ARN (CREATE PENDING until it is ACTIVE).

        Raises ServiceError with the service's own text for an expression it refuses
        (InvalidInputException), a name in use, or the group's 10-filter quota.
        """
        resp = self._call(
            self._p,
            "create_filter",
            name,
            "Filter",
            name=name,
            datasetGroupArn=dataset_group_arn,
            filterExpression=expression,
        )
        arn: str = resp["filterArn"]
        return arn

    # --- dataset export (reading data back) -------------------------------------------------

    def create_dataset_export_job(
        self,
        name: str,
        dataset_arn: str,
        output_path: str,
        role_arn: str,
        ingestion_mode: str = "ALL",
    ) -> str:
        """Start exporting a dataset as CSV to ``output_path`` (``s3://bucket/prefix/``); the
        files land under ``<output_path><name>/``. Returns the job ARN."""
        if ingestion_mode not in ("BULK", "PUT", "ALL"):
            raise ValueError(f"ingestion_mode must be BULK, PUT or ALL, not {ingestion_mode!r}")
        resp = self._call(
            self._p,
            "create_dataset_export_job",
            name,
            "Export job",
            jobName=name,
            datasetArn=dataset_arn,
            ingestionMode=ingestion_mode,
            roleArn=role_arn,
            jobOutput={"s3DataDestination": {"path": output_path}},
        )
        arn: str = resp["datasetExportJobArn"]
        return arn

    def describe_dataset_export_job(self, arn: str) -> DatasetExportJob:
        resp = self._call(self._p, "describe_dataset_export_job", arn, datasetExportJobArn=arn)
        return wire.dataset_export_job(resp["datasetExportJob"])
