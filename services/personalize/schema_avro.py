"""A dataset's schema (as the facade parsed it) back as Personalize Avro JSON."""

from __future__ import annotations

from typing import Any

from services.personalize.models import Schema


def avro(schema: Schema) -> dict[str, Any]:
    """The Avro record Personalize stored, so a readiness check uses the real field types."""
    fields = []
    for f in schema.fields:
        field: dict[str, Any] = {"name": f.name, "type": ["null", f.type] if f.nullable else f.type}
        if f.categorical:
            field["categorical"] = True
        if f.textual:
            field["textual"] = True
        fields.append(field)
    return {
        "type": "record",
        "name": "Dataset",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": fields,
        "version": "1.0",
    }
