"""CreateSchema, DescribeSchema, ListSchemas, DeleteSchema."""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext
from services.local.errors import InvalidInput, ResourceInUse
from services.local.resources import expect_kind, page, summary
from services.local.schemas import SchemaError, parse_schema

_SUMMARY = ("name", "schemaArn", "creationDateTime", "lastUpdatedDateTime", "domain")


def create_schema(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    try:
        parse_schema(params["schema"])
    except SchemaError as err:
        raise InvalidInput(f"Invalid schema: {err}") from err
    arn = engine.arns.make("schema", params["name"])
    with engine.tx() as res:
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


def describe_schema(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    expect_kind(params["schemaArn"], "schema", "schemaArn")
    with engine.tx() as res:
        return {"schema": res.get(params["schemaArn"], "schema")}


def list_schemas(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any]:
    with engine.tx() as res:
        docs = [summary(d, _SUMMARY) for d in res.all("schema")]
    chunk, token = page(docs, params, "schemas")
    return {"schemas": chunk, "nextToken": token}


def delete_schema(engine: EngineContext, params: dict[str, Any]) -> None:
    arn = params["schemaArn"]
    expect_kind(arn, "schema", "schemaArn")
    with engine.tx() as res:
        res.get(arn, "schema")
        users = [d["datasetArn"] for d in res.all("dataset") if d.get("schemaArn") == arn]
        if users:
            raise ResourceInUse(f"Schema {arn} is used by dataset {users[0]}; delete it first.")
        res.remove(arn)


OPERATIONS = {
    "CreateSchema": create_schema,
    "DescribeSchema": describe_schema,
    "ListSchemas": list_schemas,
    "DeleteSchema": delete_schema,
}
