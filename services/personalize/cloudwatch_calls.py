"""The two CloudWatch reads the dashboard makes (ListMetrics, GetMetricData), paginated, with
AWS's refusals turned into the errors pages show.

CloudWatch API reference: GetMetricData takes at most 500 MetricDataQueries a call
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html);
both operations page with NextToken (boto3 paginators ``list_metrics`` and
``get_metric_data``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.errors import AccessDenied, BackendUnavailable, ServiceError

QUERIES_PER_CALL = 500  # GetMetricData's limit on MetricDataQueries
# Every Personalize metric's namespace ("CloudWatch metrics for Amazon Personalize",
# https://docs.aws.amazon.com/personalize/latest/dg/cloudwatch-metrics.html).
NAMESPACE = "AWS/Personalize"


def sum_query(
    query_id: str, metric: str, dimensions: Sequence[Mapping[str, str]], period: int
) -> dict[str, Any]:
    """One GetMetricData ``MetricDataQuery``: the Sum of the Personalize metric ``metric``
    with ``dimensions`` (``[{"Name": …, "Value": …}]``) over ``period``-second periods, its
    results returned under ``query_id`` (CloudWatch API reference, MetricDataQuery and
    MetricStat)."""
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dimensions},
            "Period": period,
            "Stat": "Sum",
        },
        "ReturnData": True,
    }


def _call(operation: str, why: str, fn: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    try:
        return fn()
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        if code in ("AccessDenied", "AccessDeniedException"):
            raise AccessDenied(
                f"AWS denied cloudwatch:{operation}: the dashboard's role needs it to {why} "
                "(docs/aws.md, viewer policy).",
                code=code,
                operation=operation,
            ) from err
        raise ServiceError(
            f"CloudWatch refused {operation} ({code}).", code=code, operation=operation
        ) from err
    except BotoCoreError as err:
        raise BackendUnavailable(f"Could not reach CloudWatch: {err}") from err


def metric_data(
    client: Any,
    queries: Sequence[dict[str, Any]],
    start: datetime,
    end: datetime,
    why: str,
) -> list[dict[str, Any]]:
    """Every ``MetricDataResults`` entry of ``queries`` over ``[start, end)``, oldest first,
    in calls of at most 500 queries. ``why`` finishes "the dashboard's role needs it to …".

    Raises:
        AccessDenied: the role may not call GetMetricData.
        ServiceError: CloudWatch refused the request.
        BackendUnavailable: CloudWatch could not be reached.
    """
    results: list[dict[str, Any]] = []
    for first in range(0, len(queries), QUERIES_PER_CALL):
        batch = list(queries[first : first + QUERIES_PER_CALL])

        def pages(batch: list[dict[str, Any]] = batch) -> list[dict[str, Any]]:
            paginator = client.get_paginator("get_metric_data")
            answers = paginator.paginate(
                MetricDataQueries=batch, StartTime=start, EndTime=end, ScanBy="TimestampAscending"
            )
            return [r for page in answers for r in page.get("MetricDataResults", [])]

        results += _call("GetMetricData", why, pages)
    return results


def list_metrics(client: Any, namespace: str, metric_name: str, why: str) -> list[dict[str, Any]]:
    """Every metric (``{Namespace, MetricName, Dimensions}``) CloudWatch holds under
    ``namespace`` and ``metric_name``, whatever its dimensions. Raises like ``metric_data``."""

    def pages() -> list[dict[str, Any]]:
        paginator = client.get_paginator("list_metrics")
        answers = paginator.paginate(Namespace=namespace, MetricName=metric_name)
        return [m for page in answers for m in page.get("Metrics", [])]

    return _call("ListMetrics", why, pages)
