"""Personalize schemas as Avro JSON: one record form for every schema the dashboard writes
(the facade's parsed schema back, a prepared file's, the demo's).

Developer guide, "Creating schema JSON files": a record in the namespace
``com.amazonaws.personalize.schema``, version 1.0; a field that may be empty has the type
``["null", <type>]``; categorical and textual strings are flagged so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.personalize.models import Schema, SchemaField

NAMESPACE = "com.amazonaws.personalize.schema"


def avro_record(name: str, fields: Iterable[SchemaField]) -> dict[str, Any]:
    """The schema record ``name`` with ``fields`` (``json.dumps`` it for CreateSchema)."""
    return {
        "type": "record",
        "name": name,
        "namespace": NAMESPACE,
        "fields": [_avro_field(f) for f in fields],
        "version": "1.0",
    }


def _avro_field(f: SchemaField) -> dict[str, Any]:
    flags = (("categorical", f.categorical), ("textual", f.textual))
    return {
        "name": f.name,
        "type": ["null", f.type] if f.nullable else f.type,
        **{flag: True for flag, on in flags if on},
    }


def avro(schema: Schema) -> dict[str, Any]:
    """The Avro record Personalize stored, so a readiness check uses the real field types."""
    return avro_record("Dataset", schema.fields)
