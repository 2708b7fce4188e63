"""The Avro schema Personalize needs for a prepared file, from its mapping.

Types follow Personalize's dataset schema rules (developer guide, "Creating schema JSON
files"): USER_ID/ITEM_ID/EVENT_TYPE string, TIMESTAMP/CREATION_TIMESTAMP long, EVENT_VALUE
float; metadata fields nullable, categorical and textual strings flagged as such.
"""

from __future__ import annotations

from typing import Any

from services.personalize.models import SchemaField
from services.personalize.schema_avro import avro_record

from .mapping import FieldMap, Mapping

_AVRO = {
    "id": "string",
    "timestamp": "long",
    "event_type": "string",
    "string": "string",
    "categorical": "string",
    "textual": "string",
    "boolean": "boolean",
    "float": "float",
    "double": "double",
    "int": "int",
    "long": "long",
}


def _field(spec: FieldMap, required: bool) -> SchemaField:
    kind = spec.kind
    return SchemaField(
        spec.name, _AVRO[kind], not required, kind == "categorical", kind == "textual"
    )


def avro_schema(mapping: Mapping) -> dict[str, Any]:
    """The schema as a dict (``json.dumps`` it for CreateSchema's ``schema`` string).

    Reserved fields are non-null (rows without them are rejected by the conversion);
    metadata fields and CREATION_TIMESTAMP may be null (empty in the CSV).
    """
    fields = [
        _field(f, f.kind in ("id", "event_type") or f.name in ("TIMESTAMP", "EVENT_VALUE"))
        for f in mapping.fields
    ]
    return avro_record(mapping.dataset_type.title(), fields)
