"""CreateFilter, DescribeFilter, ListFilters, DeleteFilter."""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control._common import MAX_FILTERS_PER_GROUP, group_of
from services.local.errors import InvalidInput, LimitExceeded, ResourceInUse
from services.local.filters.expression import FilterExpressionError
from services.local.filters.parse import parse_filter
from services.local.resources import ACTIVE, expect_kind, page, summary, waiting

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
    try:
        parse_filter(params["filterExpression"])
    except FilterExpressionError as err:
        raise InvalidInput(f"Invalid filterExpression: {err}") from err
    arn = engine.arns.make("filter", params["name"])
    with engine.tx() as res:
        group = group_of(res, params["datasetGroupArn"])
        if group["status"] != ACTIVE:
            raise ResourceInUse(f"Dataset group {group['name']} is {group['status']}.")
        if res.count("filter", group=group["datasetGroupArn"]) >= MAX_FILTERS_PER_GROUP:
            raise LimitExceeded(f"The dataset group already has {MAX_FILTERS_PER_GROUP} filters.")
        doc = {
            "name": params["name"],
            "filterArn": arn,
            "datasetGroupArn": group["datasetGroupArn"],
            "filterExpression": params["filterExpression"],
        }
        doc.update(waiting(res.now, engine.lifecycle_seconds))
        res.create(
            arn,
            "filter",
            params["name"],
            doc,
            parent=group["datasetGroupArn"],
            group=group["datasetGroupArn"],
        )
    return {"filterArn": arn}


def describe_filter(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    expect_kind(params["filterArn"], "filter", "filterArn")
    with engine.tx() as res:
        return {"filter": res.get(params["filterArn"], "filter")}


def list_filters(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    group = params.get("datasetGroupArn")
    with engine.tx() as res:
        if group:
            group_of(res, group)
        docs = [summary(d, _SUMMARY) for d in res.all("filter", group=group)]
    chunk, token = page(docs, params, f"filters:{group}")
    return {"Filters": chunk, "nextToken": token}


def delete_filter(engine: EngineContext, params: dict[str, Any]) -> None:
    expect_kind(params["filterArn"], "filter", "filterArn")
    with engine.tx() as res:
        res.get(params["filterArn"], "filter")
        res.remove(params["filterArn"])


OPERATIONS = {
    "CreateFilter": create_filter,
    "DescribeFilter": describe_filter,
    "ListFilters": list_filters,
    "DeleteFilter": delete_filter,
}
