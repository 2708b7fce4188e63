"""CreateFilter, DescribeFilter, ListFilters, DeleteFilter."""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control.datasets import group_schemas
from services.local.control.describe_list_delete import operations
from services.local.control.groups import active_group_of, create_in_group, group_scoped
from services.local.control.quotas import (
    MAX_FILTER_FIELDS_PER_GROUP,
    MAX_FILTERS_PER_GROUP,
    check_group_quota,
)
from services.local.data.storage.resources import waiting
from services.local.errors import InvalidInput, LimitExceeded
from services.local.filters.expression import (
    FilterExpression,
    FilterExpressionError,
    filter_fields,
)
from services.local.filters.parse import parse_filter
from services.local.filters.schema_check import check_against_schemas

_SUMMARY = (
    "name",
    "filterArn",
    "creationDateTime",
    "lastUpdatedDateTime",
    "datasetGroupArn",
    "failureReason",
    "status",
)


def create_filter(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    """Create a filter whose expression parses and fits the group's schemas.

    Raises:
        InvalidInput: (HTTP 400) a malformed expression, or one the group's schemas cannot
            serve (``filters.schema_check``: missing dataset or field, boolean or textual
            field, bad parameter use); refused synchronously, nothing is created.
        ResourceInUse: the dataset group is not ACTIVE.
        LimitExceeded: the group already has its 10 filters, or the new filter would bring the
            distinct dataset fields its filters read above 10. Both are per-group quotas of
            the developer guide, so they get the quota error botocore models for CreateFilter,
            as the filter count does.
    """
    try:
        parsed = parse_filter(params["filterExpression"])
    except FilterExpressionError as err:
        raise InvalidInput(f"Invalid filterExpression: {err}") from err
    arn = engine.arns.make("filter", params["name"])
    with engine.tx() as res:
        group = active_group_of(res, params["datasetGroupArn"])
        try:
            check_against_schemas(parsed, group_schemas(res, group["datasetGroupArn"]))
        except FilterExpressionError as err:
            raise InvalidInput(f"Invalid filterExpression: {err}") from err
        check_group_quota(res, "filter", group["datasetGroupArn"], MAX_FILTERS_PER_GROUP)
        existing = res.all("filter", group=group["datasetGroupArn"])
        _check_group_fields(parsed, existing)
        doc = {
            "name": params["name"],
            "filterArn": arn,
            "datasetGroupArn": group["datasetGroupArn"],
            "filterExpression": params["filterExpression"],
        }
        doc.update(waiting(res.now, engine.lifecycle_seconds))
        create_in_group(res, group, "filter", arn, params["name"], doc, params.get("tags"))
    return {"filterArn": arn}


def _check_group_fields(parsed: FilterExpression, existing: list[dict[str, Any]]) -> None:
    used: set[str] = set()
    for doc in existing:
        used |= filter_fields(parse_filter(doc["filterExpression"]))
    new = filter_fields(parsed) - used
    if len(used) + len(new) > MAX_FILTER_FIELDS_PER_GROUP:
        raise LimitExceeded(
            f"The filter adds {len(new)} dataset field(s) ({', '.join(sorted(new))}) to the "
            f"{len(used)} the group's filters already read; a dataset group's filters may read "
            f"at most {MAX_FILTER_FIELDS_PER_GROUP} distinct fields."
        )


SPEC = group_scoped(
    kind="filter",
    list_key="Filters",
    summary=_SUMMARY,
)

OPERATIONS = operations(SPEC, "Filter", create=create_filter)
