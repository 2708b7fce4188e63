"""Personalize dataset schemas: parse the Avro JSON CreateSchema receives and check it.

Personalize accepts a flat Avro ``record`` whose fields are primitive types (string, int, long,
float, double, boolean), optionally in a union with ``"null"``. String fields carry the
Personalize-specific attributes ``"categorical": true`` or (Items only) ``"textual": true``.
Unknown top-level and field attributes are ignored, as Avro allows arbitrary properties.

Two steps, because CreateSchema does not know the dataset type yet: ``parse_schema`` checks the
Avro shape; ``check_schema_for_dataset`` applies the per-dataset rules when CreateDataset
attaches the schema.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from services.local.data import json_text
from services.local.rules.data_limits import (
    MAX_INTERACTIONS_METADATA,
    MAX_ITEMS_METADATA,
    MAX_TEXTUAL_FIELDS,
    MAX_USERS_METADATA,
)

MAX_SCHEMA_CHARS = 20_000
PRIMITIVE_TYPES = frozenset({"string", "int", "long", "float", "double", "boolean"})
NUMERIC_TYPES = frozenset({"int", "long", "float", "double"})
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Canonical dataset type names, keyed by their upper-case spelling (CreateDataset is
# case-insensitive about datasetType).
DATASET_TYPES = {
    "INTERACTIONS": "Interactions",
    "ITEMS": "Items",
    "USERS": "Users",
    "ACTIONS": "Actions",
    "ACTION_INTERACTIONS": "Action_Interactions",
}
# Next-Best-Action's datasets ("Actions dataset schema requirements", "Action interactions
# dataset schema requirements"); a domain dataset group has none of them.
ACTION_DATASET_TYPES = frozenset({"Actions", "Action_Interactions"})

# Reserved Interactions columns; everything else in an Interactions schema is metadata.
INTERACTIONS_RESERVED = frozenset(
    {
        "USER_ID",
        "ITEM_ID",
        "TIMESTAMP",
        "EVENT_TYPE",
        "EVENT_VALUE",
        "IMPRESSION",
        "RECOMMENDATION_ID",
        "EVENT_ATTRIBUTION_SOURCE",
    }
)
# Actions: "Your schema must have a minimum one metadata field" and "You can add up to 10
# columns" besides ACTION_ID (developer guide, "Actions dataset schema requirements (custom)")
MAX_ACTIONS_METADATA = 10


class SchemaError(ValueError):
    """The schema is not valid Personalize Avro, or does not fit the dataset type."""


@dataclass(frozen=True)
class Field:
    """One schema field: a CSV column of the dataset."""

    name: str
    type: str  # one of PRIMITIVE_TYPES
    nullable: bool = False
    categorical: bool = False
    textual: bool = False
    # "itemName": true marks the Items column holding each item's title (Semantic-Similarity
    # and theme generation read it; developer guide, "Semantic-Similarity recipe")
    item_name: bool = False


@dataclass(frozen=True)
class AvroSchema:
    """A parsed Personalize schema; ``fields`` keep the order of the JSON."""

    name: str
    fields: tuple[Field, ...]
    namespace: str | None = None

    @property
    def field_names(self) -> tuple[str, ...]:
        """Field names in schema order."""
        return tuple(f.name for f in self.fields)

    def get(self, name: str) -> Field | None:
        """The field called ``name`` (case-sensitive), or None."""
        for f in self.fields:
            if f.name == name:
                return f
        return None


def parse_schema(text: str) -> AvroSchema:
    """Parse a CreateSchema ``schema`` string.

    Raises:
        SchemaError: invalid JSON, or not a flat record of supported primitive fields.
    """
    if not isinstance(text, str) or not text.strip():
        raise SchemaError("schema is empty; expected an Avro record as a JSON string")
    if len(text) > MAX_SCHEMA_CHARS:
        raise SchemaError(f"schema is {len(text)} characters long; the limit is {MAX_SCHEMA_CHARS}")
    try:
        doc = json_text.loads(text)
    except json.JSONDecodeError as err:
        raise SchemaError(
            f"schema is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from err
    if not isinstance(doc, dict):
        raise SchemaError("schema must be a JSON object describing an Avro record")
    if doc.get("type") != "record":
        raise SchemaError(f'schema "type" must be "record", got {json.dumps(doc.get("type"))}')
    name = doc.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise SchemaError(
            f'schema "name" must be an Avro name ([A-Za-z_][A-Za-z0-9_]*), got {json.dumps(name)}'
        )
    namespace = doc.get("namespace")
    if namespace is not None and not (
        isinstance(namespace, str) and all(_NAME_RE.match(p) for p in namespace.split("."))
    ):
        raise SchemaError(
            f'schema "namespace" must be dotted Avro names, got {json.dumps(namespace)}'
        )
    raw_fields = doc.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise SchemaError('schema "fields" must be a non-empty list of field objects')
    fields: list[Field] = []
    seen: set[str] = set()
    for pos, raw in enumerate(raw_fields, start=1):
        field = _parse_field(raw, pos)
        if field.name in seen:
            raise SchemaError(f"field {field.name!r} is defined twice")
        seen.add(field.name)
        fields.append(field)
    return AvroSchema(name=name, fields=tuple(fields), namespace=namespace)


def _parse_field(raw: Any, pos: int) -> Field:
    if not isinstance(raw, dict):
        raise SchemaError(f"field #{pos} must be a JSON object with a name and a type")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise SchemaError(
            f"field #{pos}: name must be an Avro name ([A-Za-z_][A-Za-z0-9_]*), "
            f"got {json.dumps(name)}"
        )
    if "type" not in raw:
        raise SchemaError(f"field {name!r} has no type")
    type_, nullable = _parse_type(raw["type"], name)
    flags: dict[str, bool] = {}
    for attr in ("categorical", "textual", "itemName"):
        value = raw.get(attr, False)
        if not isinstance(value, bool):
            raise SchemaError(f"field {name!r}: {attr!r} must be true or false, got {value!r}")
        if value and type_ != "string":
            raise SchemaError(
                f"field {name!r}: {attr!r} applies only to string fields, not {type_}"
            )
        flags[attr] = value
    if flags["categorical"] and flags["textual"]:
        raise SchemaError(f"field {name!r} cannot be both categorical and textual")
    return Field(name, type_, nullable, flags["categorical"], flags["textual"], flags["itemName"])


def _parse_type(raw: Any, name: str) -> tuple[str, bool]:
    """Return (primitive type, nullable) for a field's Avro type."""
    if isinstance(raw, list):
        non_null = [t for t in raw if t != "null"]
        if len(raw) != 2 or len(non_null) != 1:
            raise SchemaError(
                f'field {name!r}: a union must be "null" plus one type, e.g. ["null", "string"]; '
                f"got {json.dumps(raw)}"
            )
        type_, _ = _parse_type(non_null[0], name)
        return type_, True
    if isinstance(raw, dict):
        # {"type": "string"} is a legal Avro spelling of a primitive; complex types are not.
        inner = raw.get("type")
        if inner in PRIMITIVE_TYPES:
            return str(inner), False
        raise SchemaError(
            f"field {name!r}: type {json.dumps(inner)} is not supported; Personalize schemas are "
            "flat (no arrays, maps, enums or nested records); join multiple values with '|' "
            "in a categorical string instead"
        )
    if raw in PRIMITIVE_TYPES:
        return str(raw), False
    if isinstance(raw, str) and raw.lower() in PRIMITIVE_TYPES:
        raise SchemaError(f"field {name!r}: type {raw!r} must be lower-case: {raw.lower()!r}")
    if raw == "null":
        raise SchemaError(f'field {name!r}: type "null" alone is not allowed; use ["null", <type>]')
    raise SchemaError(
        f"field {name!r}: type {json.dumps(raw)} is not supported; use one of "
        + ", ".join(sorted(PRIMITIVE_TYPES))
    )


def normalize_dataset_type(dataset_type: str) -> str:
    """Canonical spelling (Interactions, Items, Users, Actions, Action_Interactions) of a
    case-insensitive dataset type."""
    key = str(dataset_type).upper()
    if key in DATASET_TYPES:
        return DATASET_TYPES[key]
    raise SchemaError(
        f"unknown dataset type {dataset_type!r}; expected one of "
        + ", ".join(DATASET_TYPES.values())
    )


def check_schema_for_dataset(schema: AvroSchema, dataset_type: str) -> None:
    """Check that ``schema`` can back a dataset of ``dataset_type`` (case-insensitive).

    Raises:
        SchemaError: with the first rule the schema breaks.
    """
    kind = normalize_dataset_type(dataset_type)
    if kind == "Interactions":
        _require(schema, kind, "USER_ID", {"string"})
        _require(schema, kind, "ITEM_ID", {"string"})
        _require(schema, kind, "TIMESTAMP", {"long"})
        _optional(schema, kind, "EVENT_TYPE", {"string"})
        event_type = schema.get("EVENT_TYPE")
        if event_type is not None and event_type.categorical:
            raise SchemaError('Interactions field EVENT_TYPE must not be "categorical"')
        _optional(schema, kind, "EVENT_VALUE", {"float", "double"})
        for name in ("IMPRESSION", "RECOMMENDATION_ID", "EVENT_ATTRIBUTION_SOURCE"):
            _optional(schema, kind, name, {"string"})
        for f in schema.fields:
            if f.textual:
                raise SchemaError(f"field {f.name!r}: textual fields are allowed only in Items")
        metadata = [f.name for f in schema.fields if f.name not in INTERACTIONS_RESERVED]
        _limit(kind, metadata, MAX_INTERACTIONS_METADATA)
    elif kind == "Items":
        _require(schema, kind, "ITEM_ID", {"string"})
        _optional(schema, kind, "CREATION_TIMESTAMP", {"long"})
        metadata = [f.name for f in schema.fields if f.name != "ITEM_ID"]
        _at_least_one(kind, "ITEM_ID", metadata)
        _limit(kind, metadata, MAX_ITEMS_METADATA)
        textual = [f.name for f in schema.fields if f.textual]
        if len(textual) > MAX_TEXTUAL_FIELDS:
            raise SchemaError(
                f"Items schema has {len(textual)} textual fields ({', '.join(textual)}); "
                f"the limit is {MAX_TEXTUAL_FIELDS}"
            )
    elif kind == "Actions":
        _require(schema, kind, "ACTION_ID", {"string"})
        _optional(schema, kind, "VALUE", NUMERIC_TYPES)
        for name in ("CREATION_TIMESTAMP", "ACTION_EXPIRATION_TIMESTAMP"):
            _optional(schema, kind, name, {"long"})
        _optional(schema, kind, "REPEAT_FREQUENCY", {"int", "long"})
        _no_textual(schema)
        metadata = [f.name for f in schema.fields if f.name != "ACTION_ID"]
        _at_least_one(kind, "ACTION_ID", metadata)
        _limit(kind, metadata, MAX_ACTIONS_METADATA)
    elif kind == "Action_Interactions":
        for name in ("USER_ID", "ACTION_ID", "EVENT_TYPE"):
            _require(schema, kind, name, {"string"})
        _require(schema, kind, "TIMESTAMP", {"long"})
        _no_textual(schema)
    else:
        _require(schema, kind, "USER_ID", {"string"})
        for f in schema.fields:
            if f.textual:
                raise SchemaError(f"field {f.name!r}: textual fields are allowed only in Items")
        metadata = [f.name for f in schema.fields if f.name != "USER_ID"]
        _at_least_one(kind, "USER_ID", metadata)
        _limit(kind, metadata, MAX_USERS_METADATA)


def _no_textual(schema: AvroSchema) -> None:
    for f in schema.fields:
        if f.textual:
            raise SchemaError(f"field {f.name!r}: textual fields are allowed only in Items")


def _require(schema: AvroSchema, kind: str, name: str, types: set[str] | frozenset[str]) -> None:
    field = schema.get(name)
    if field is None:
        hint = _case_hint(schema, name)
        raise SchemaError(f"{kind} schema needs a {name} field of type {_or(types)}{hint}")
    _check_type(field, kind, types)
    if field.nullable:
        raise SchemaError(f"{kind} field {name} must not be nullable")


def _optional(schema: AvroSchema, kind: str, name: str, types: set[str] | frozenset[str]) -> None:
    field = schema.get(name)
    if field is not None:
        _check_type(field, kind, types)


def _check_type(field: Field, kind: str, types: set[str] | frozenset[str]) -> None:
    if field.type not in types:
        raise SchemaError(
            f"{kind} field {field.name} must be of type {_or(types)}, not {field.type}"
        )


def _at_least_one(kind: str, id_field: str, metadata: list[str]) -> None:
    if not metadata:
        raise SchemaError(f"{kind} schema needs {id_field} and at least one metadata field")


def _limit(kind: str, metadata: list[str], limit: int) -> None:
    if len(metadata) > limit:
        raise SchemaError(
            f"{kind} schema has {len(metadata)} metadata fields; the limit is {limit}"
        )


def _case_hint(schema: AvroSchema, name: str) -> str:
    for f in schema.fields:
        if f.name.upper() == name:
            return f" (found {f.name!r}: field names are case-sensitive)"
    close = difflib.get_close_matches(name, schema.field_names, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _or(types: set[str] | frozenset[str]) -> str:
    return " or ".join(sorted(types))
