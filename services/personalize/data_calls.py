"""The facade's calls on a group's data: dataset groups, schemas, datasets, import and export
jobs, event trackers and filters (the Personalize control plane's data half).
"""

from __future__ import annotations

from services.personalize import wire
from services.personalize.calls import Calls, newest_first, require_one_of
from services.personalize.models import (
    Dataset,
    DatasetExportJob,
    DatasetGroup,
    EventTracker,
    Filter,
    ImportJob,
    Schema,
)

# CreateDatasetImportJob's importMode (API reference: ImportMode, FULL | INCREMENTAL).
IMPORT_MODES = ("FULL", "INCREMENTAL")


class DataCalls(Calls):
    """List, describe and start work on dataset groups and the data in them."""

    # --- dataset groups, schemas, datasets, imports -----------------------------------------

    def list_dataset_groups(self) -> list[DatasetGroup]:
        return self._list_of("datasetGroup", wire.dataset_group)

    def describe_dataset_group(self, arn: str) -> DatasetGroup:
        return self._describe("datasetGroup", wire.dataset_group, arn)

    def create_dataset_group(self, name: str, domain: str | None = None) -> str:
        """CreateDatasetGroup; returns its ARN (CREATE PENDING until ACTIVE). ``domain``:
        None (custom resources) or ECOMMERCE / VIDEO_ON_DEMAND (the service model's Domain
        enum). Raises ServiceError: ResourceAlreadyExists for a taken name,
        LimitExceeded at the account's dataset group quota."""
        return self._start(
            "create_dataset_group",
            "datasetGroupArn",
            name,
            "DatasetGroup",
            name=name,
            domain=domain,
        )

    def create_dataset(
        self, name: str, dataset_group_arn: str, dataset_type: str, schema_arn: str
    ) -> str:
        """CreateDataset of ``dataset_type`` (Interactions, Items, Users…) with a schema;
        returns its ARN. Raises ServiceError: ResourceAlreadyExists for a taken name or a
        type the group already has, InvalidInput for a schema that does not fit the type,
        ResourceInUse while the group is not ACTIVE."""
        return self._start(
            "create_dataset",
            "datasetArn",
            name,
            "Dataset",
            name=name,
            datasetGroupArn=dataset_group_arn,
            datasetType=dataset_type,
            schemaArn=schema_arn,
        )

    def create_schema(self, name: str, schema: str, domain: str | None = None) -> str:
        """CreateSchema from Avro JSON text; returns its ARN. Raises ServiceError:
        InvalidInput with the service's text for Avro it refuses, ResourceAlreadyExists for
        a taken name."""
        return self._start(
            "create_schema", "schemaArn", name, "Schema", name=name, schema=schema, domain=domain
        )

    def list_schemas(self) -> list[Schema]:
        return self._list_of("schema", wire.schema)

    def describe_schema(self, arn: str) -> Schema:
        """The schema with its fields parsed from the Avro JSON."""
        return self._describe("schema", wire.schema, arn)

    def list_datasets(self, dataset_group_arn: str) -> list[Dataset]:
        return self._list_of("dataset", wire.dataset, datasetGroupArn=dataset_group_arn)

    def describe_dataset(self, arn: str) -> Dataset:
        return self._describe("dataset", wire.dataset, arn)

    def list_import_jobs(self, dataset_arn: str) -> list[ImportJob]:
        """Import jobs of one dataset, newest first."""
        jobs = self._list_of("datasetImportJob", wire.import_job, datasetArn=dataset_arn)
        return newest_first(jobs)

    def describe_import_job(self, arn: str) -> ImportJob:
        return self._describe("datasetImportJob", wire.import_job, arn)

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
        require_one_of("import_mode", import_mode, IMPORT_MODES)
        return self._start(
            "create_dataset_import_job",
            "datasetImportJobArn",
            name,
            "Import job",
            jobName=name,
            datasetArn=dataset_arn,
            dataSource={"dataLocation": data_location},
            roleArn=role_arn,
            importMode=import_mode,
        )

    # --- event trackers, filters, recipes ---------------------------------------------------

    def list_event_trackers(self, dataset_group_arn: str) -> list[EventTracker]:
        return self._list_of("eventTracker", wire.event_tracker, datasetGroupArn=dataset_group_arn)

    def describe_event_tracker(self, arn: str) -> EventTracker:
        return self._describe("eventTracker", wire.event_tracker, arn)

    def list_filters(self, dataset_group_arn: str) -> list[Filter]:
        return self._list_of(
            "filter", wire.filter_, key="Filters", datasetGroupArn=dataset_group_arn
        )

    def describe_filter(self, arn: str) -> Filter:
        return self._describe("filter", wire.filter_, arn)

    def create_filter(self, name: str, dataset_group_arn: str, expression: str) -> str:
        """CreateFilter; returns the filter's ARN (CREATE PENDING until it is ACTIVE).

        Raises ServiceError with the service's own text for an expression it refuses
        (InvalidInputException), a name in use, or the group's 10-filter quota.
        """
        return self._start(
            "create_filter",
            "filterArn",
            name,
            "Filter",
            name=name,
            datasetGroupArn=dataset_group_arn,
            filterExpression=expression,
        )

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
        return self._start(
            "create_dataset_export_job",
            "datasetExportJobArn",
            name,
            "Export job",
            jobName=name,
            datasetArn=dataset_arn,
            ingestionMode=ingestion_mode,
            roleArn=role_arn,
            jobOutput={"s3DataDestination": {"path": output_path}},
        )

    def list_dataset_export_jobs(self, dataset_arn: str) -> list[DatasetExportJob]:
        """Export jobs of one dataset, newest first (ListDatasetExportJobs gives each job's
        name, status and times; DescribeDatasetExportJob adds its mode and output path)."""
        jobs = self._list_of("datasetExportJob", wire.dataset_export_job, datasetArn=dataset_arn)
        return newest_first(jobs)

    def describe_dataset_export_job(self, arn: str) -> DatasetExportJob:
        return self._describe("datasetExportJob", wire.dataset_export_job, arn)
