"""The Avro schema Personalize needs for a prepared file, from its mapping.

Types follow Personalize's dataset schema rules (developer guide, "Creating schema JSON
files"): USER_ID/ITEM_ID/EVENT_TYPE string, TIMESTAMP/CREATION_TIMESTAMP long, EVENT_VALUE
float; metadata fields nullable, categorical and textual strings flagged as such.
"""

from __future__ import annotations

from typing import Any

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


def _field(spec: FieldMap, required: bool) -> dict[str, Any]:
    avro = _AVRO[spec.kind]
    out: dict[str, Any] = {"name": spec.name, "type": avro if required else ["null", avro]}
    if spec.kind == "categorical":
        out["categorical"] = True
    if spec.kind == "textual":
        out["textual"] = True
    return out


def avro_schema(mapping: Mapping) -> dict[str, Any]:
    """The schema as a dict (``json.dumps`` it for CreateSchema's ``schema`` string).

    Reserved fields are non-null (rows without them are rejected by the conversion);
    metadata fields and CREATION_TIMESTAMP may be null (empty in the CSV).
    """
    fields = [
        _field(f, f.kind in ("id", "event_type") or f.name in ("TIMESTAMP", "EVENT_VALUE"))
        for f in mapping.fields
    ]
    return {
        "type": "record",
        "name": mapping.dataset_type.title(),
        "namespace": "com.amazonaws.personalize.schema",
        "fields": fields,
        "version": "1.0",
    }
