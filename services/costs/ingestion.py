"""How much data the account ingested lately, for the per-GB ingestion line of the cost
section.

Personalize bills ingestion per GB (pricing page, see ``pricing``) and publishes each import
job's size as the CloudWatch metric ``DatasetSize`` (namespace ``AWS/Personalize``, unit
Bytes, dimensions ``DatasetGroupArn``, ``DatasetArn``, ``DatasetImportJobArn``: "CloudWatch
metrics for Amazon Personalize",
https://docs.aws.amazon.com/personalize/latest/dg/cloudwatch-metrics.html). The local engine
keeps the bytes each import job read. Streamed data (PutEvents, PutItems, PutUsers) is billed
too but has no size metric, so it is not counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from services.personalize.cloudwatch_calls import metric_data, sum_query

INGESTION_DAYS = 30  # the look-back of the ingestion line: about a month of imports


@dataclass(frozen=True)
class ImportedJob:
    """One dataset import job, with the ARNs CloudWatch's DatasetSize is dimensioned by."""

    group_arn: str
    dataset_arn: str
    job_arn: str


class SizeSource(Protocol):
    """Import job sizes: CloudWatch on AWS, the engine's own record locally."""

    def sizes(
        self, jobs: Sequence[ImportedJob], start: datetime, end: datetime
    ) -> Mapping[str, int]:
        """Bytes imported per job ARN in ``[start, end)`` (jobs without a figure are left
        out). Raises ServiceError when the figures cannot be read."""
        ...


def size_queries(jobs: Sequence[ImportedJob]) -> list[dict[str, Any]]:
    """One DatasetSize Sum query a job, one-day periods, with ids ``s<index>``."""
    return [
        sum_query(
            f"s{i}",
            "DatasetSize",
            [
                {"Name": "DatasetGroupArn", "Value": job.group_arn},
                {"Name": "DatasetArn", "Value": job.dataset_arn},
                {"Name": "DatasetImportJobArn", "Value": job.job_arn},
            ],
            86_400,
        )
        for i, job in enumerate(jobs)
    ]


class CloudWatchSizes:
    """``SizeSource`` over a boto3 ``cloudwatch`` client: DatasetSize, Sum, one-day periods."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def sizes(
        self, jobs: Sequence[ImportedJob], start: datetime, end: datetime
    ) -> Mapping[str, int]:
        queries = size_queries(jobs)
        found: dict[str, int] = {}
        for result in metric_data(self._client, queries, start, end, "show data ingestion"):
            if result["Values"]:
                found[jobs[int(result["Id"][1:])].job_arn] = round(sum(result["Values"]))
        return found


def ingested_bytes(
    source: SizeSource, jobs: Sequence[ImportedJob], start: datetime, end: datetime
) -> int:
    """Bytes imported by ``jobs`` in ``[start, end)``; 0 without jobs."""
    return sum(source.sizes(jobs, start, end).values()) if jobs else 0
