"""CreateSchema, DescribeSchema, ListSchemas, DeleteSchema."""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.control.describe_list_delete import ResourceSpec, operations
from services.local.control.quotas import MAX_SCHEMAS, check_region_quota
from services.local.data.schemas import SchemaError, parse_schema
from services.local.data.storage.resources import Resources
from services.local.errors import InvalidInput, ResourceInUse

_SUMMARY = ("name", "schemaArn", "creationDateTime", "lastUpdatedDateTime", "domain")


def create_schema(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    try:
        parse_schema(params["schema"])
    except SchemaError as err:
        raise InvalidInput(f"Invalid schema: {err}") from err
    arn = engine.arns.make("schema", params["name"])
    with engine.tx() as res:
        check_region_quota(res, "schema", MAX_SCHEMAS)
        now = res.now
        doc = {
            "name": params["name"],
            "schemaArn": arn,
            "schema": params["schema"],
            "creationDateTime": now,
            "lastUpdatedDateTime": now,
        }
        if params.get("domain"):
            doc["domain"] = params["domain"]
        res.create(arn, "schema", params["name"], doc)
    return {"schemaArn": arn}


def _before_delete(engine: EngineContext, res: Resources, arn: str, doc: dict[str, Any]) -> None:
    users = [d["datasetArn"] for d in res.all("dataset") if d.get("schemaArn") == arn]
    if users:
        raise ResourceInUse(f"Schema {arn} is used by dataset {users[0]}; delete it first.")


SPEC = ResourceSpec(
    kind="schema",
    summary=_SUMMARY,
    on_delete=_before_delete,
)

OPERATIONS = operations(SPEC, "Schema", create=create_schema)
