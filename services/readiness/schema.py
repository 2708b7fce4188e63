"""Personalize Avro schemas: parse one, or use the defaults; match a CSV header to it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .report import Finding

TYPES = ("string", "int", "long", "float", "double", "boolean")
# Reserved Interactions columns (PERSONALIZE.md section 5); they never count as metadata.
INTERACTIONS_RESERVED = (
    "USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE", "IMPRESSION",
    "RECOMMENDATION_ID", "EVENT_ATTRIBUTION_SOURCE",
)  # fmt: skip
ID_COLUMN = {"interactions": "USER_ID", "items": "ITEM_ID", "users": "USER_ID"}


@dataclass(frozen=True)
class Field:
    """One schema field."""

    name: str
    type: str
    nullable: bool
    categorical: bool = False
    textual: bool = False

    @property
    def kind(self) -> str:
        """What the value checker should expect: a type, categorical, textual or infer."""
        if self.type == "string":
            if self.textual:
                return "textual"
            return "categorical" if self.categorical else "string"
        return self.type


@dataclass(frozen=True)
class DatasetSchema:
    """Fields in CSV-header order. `explicit` is False for Personalize's defaults."""

    dataset_type: str
    fields: tuple[Field, ...]
    explicit: bool

    def get(self, name: str) -> Field | None:
        """The field with this exact name, or None."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def required(self) -> tuple[str, ...]:
        """Names that must be present as CSV columns."""
        if not self.explicit:
            return {"interactions": ("USER_ID", "ITEM_ID", "TIMESTAMP")}.get(
                self.dataset_type, (ID_COLUMN[self.dataset_type],)
            )
        return tuple(f.name for f in self.fields if not f.nullable)


def default_schema(dataset_type: str) -> DatasetSchema:
    """Personalize's defaults: the required and reserved fields of the dataset type."""
    if dataset_type == "interactions":
        fields = (
            Field("USER_ID", "string", False),
            Field("ITEM_ID", "string", False),
            Field("TIMESTAMP", "long", False),
            Field("EVENT_TYPE", "string", True),
            Field("EVENT_VALUE", "float", True),
            Field("IMPRESSION", "string", True),
            Field("RECOMMENDATION_ID", "string", True),
            Field("EVENT_ATTRIBUTION_SOURCE", "string", True),
        )
    elif dataset_type == "items":
        fields = (Field("ITEM_ID", "string", False), Field("CREATION_TIMESTAMP", "long", True))
    else:
        fields = (Field("USER_ID", "string", False),)
    return DatasetSchema(dataset_type, fields, explicit=False)


def _bad(detail: str) -> Finding:
    return Finding(
        "schema_invalid",
        "error",
        "The schema is not a valid Personalize schema",
        detail,
        "Fix the schema JSON: a flat Avro record whose fields have types string, int, long, "
        'float, double or boolean (optionally in a union with "null").',
    )


def _field(raw: Any) -> Field | str:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
        return f"field {raw!r} has no name"
    name, t = raw["name"], raw.get("type")
    nullable = False
    if isinstance(t, list):
        nullable = "null" in t
        rest = [x for x in t if x != "null"]
        if len(rest) != 1:
            return f'field {name}: union {t} must be one type plus "null"'
        t = rest[0]
    if t not in TYPES:
        return f"field {name}: type {t!r} is not one of {', '.join(TYPES)}"
    categorical, textual = bool(raw.get("categorical")), bool(raw.get("textual"))
    if (categorical or textual) and t != "string":
        return f"field {name}: only string fields can be categorical or textual"
    return Field(name, t, nullable, categorical, textual)


def load_schema(
    schema: Mapping[str, Any] | str | Path | None, dataset_type: str
) -> tuple[DatasetSchema, list[Finding]]:
    """Parse a schema (dict, JSON text or a path); None gives Personalize's defaults.

    An unusable schema yields a `schema_invalid` error and the defaults, so the data
    checks still run.
    """
    if schema is None:
        return default_schema(dataset_type), []
    try:
        if isinstance(schema, Path) or (
            isinstance(schema, str) and not schema.lstrip().startswith("{")
        ):
            schema = Path(schema).read_text(encoding="utf-8")
        raw = json.loads(schema) if isinstance(schema, str) else schema
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        return default_schema(dataset_type), [_bad(f"Cannot read the schema: {err}.")]
    if not isinstance(raw, Mapping) or raw.get("type") != "record":
        return default_schema(dataset_type), [_bad('The schema must be {"type": "record", …}.')]
    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        return default_schema(dataset_type), [_bad('The schema has no "fields" list.')]
    fields, problems = [], []
    for item in raw_fields:
        parsed = _field(item)
        (problems.append(parsed) if isinstance(parsed, str) else fields.append(parsed))
    result = DatasetSchema(dataset_type, tuple(fields), explicit=True)
    problems.extend(_rules(result))
    findings = [_bad("; ".join(problems) + ".")] if problems else []
    return result, findings


def _rules(schema: DatasetSchema) -> list[str]:
    """Personalize's per-dataset schema rules, as problem sentences."""
    out = []
    kind = schema.dataset_type
    need = {"interactions": {"USER_ID": "string", "ITEM_ID": "string", "TIMESTAMP": "long"}}.get(
        kind, {ID_COLUMN[kind]: "string"}
    )
    for name, t in need.items():
        f = schema.get(name)
        if f is None:
            out.append(f"required field {name} is missing")
        elif f.type != t:
            out.append(f"{name} must be {t}, not {f.type}")
    event_type = schema.get("EVENT_TYPE")
    if kind == "interactions" and event_type is not None and event_type.categorical:
        out.append("EVENT_TYPE must not be categorical")
    if kind != "interactions" and len(schema.fields) < 2:
        out.append(f"an {kind.title()} schema needs at least one metadata field")
    if sum(f.textual for f in schema.fields) > 1:
        out.append("at most one textual field is allowed")
    return out


@dataclass(frozen=True)
class HeaderMatch:
    """Where each schema field sits in the CSV header, and the unmatched columns."""

    columns: Mapping[str, int]
    extra: tuple[str, ...]
    findings: tuple[Finding, ...]


def match_header(header: Sequence[str], schema: DatasetSchema) -> HeaderMatch:
    """Map schema fields to header positions, tolerating (but reporting) case mistakes."""
    findings: list[Finding] = []
    positions: dict[str, int] = {}
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in seen:
            findings.append(
                Finding(
                    "duplicate_column",
                    "error",
                    f"Column {name} appears twice",
                    f"Columns {seen[name] + 1} and {i + 1} are both named {name!r}.",
                    "Remove or rename one of them.",
                    (1,),
                    name,
                )
            )
        else:
            seen[name] = i
    by_folded = {n.strip().upper(): i for n, i in reversed(list(seen.items()))}
    renames: list[tuple[str, str]] = []
    data_like = _looks_like_data(header)
    for f in schema.fields:
        if f.name in seen:
            positions[f.name] = seen[f.name]
            continue
        i = by_folded.get(f.name.upper())
        if i is not None:
            positions[f.name] = i
            renames.append((header[i], f.name))
        elif f.name in schema.required or (schema.explicit and not f.nullable):
            findings.append(
                Finding(
                    "missing_required_column",
                    "error",
                    f"Required column {f.name} is missing",
                    f"The header ({', '.join(header) or 'empty'}) has no {f.name} column"
                    + data_like,
                    f"Add a {f.name} column (type {f.type}) to the file"
                    + (", starting with a header row." if data_like != "." else "."),
                    (1,),
                    f.name,
                )
            )
        elif schema.explicit:
            findings.append(
                Finding(
                    "schema_field_missing",
                    "warning",
                    f"Schema field {f.name} is not in the file",
                    f"The schema defines a nullable field {f.name} that the file lacks; it "
                    f"will be empty for every row.",
                    f"Add a {f.name} column, or drop the field from the schema.",
                    (1,),
                    f.name,
                )
            )
    if renames:
        listed = ", ".join(f"{a!r} → {b}" for a, b in renames)
        findings.append(
            Finding(
                "header_case",
                "error",
                "Column names differ from the schema in case or spacing",
                f"Personalize matches column names to the schema exactly (case-sensitive), so "
                f"the import fails: {listed}.",
                f"Rename the header columns: {listed}.",
                (1,),
                renames[0][1],
            )
        )
    extra = tuple(n for n, i in seen.items() if i not in positions.values())
    for name in extra if data_like == "." else ():
        if schema.explicit:
            findings.append(
                Finding(
                    "unknown_column",
                    "error",
                    f"Column {name} is not in the schema",
                    f"The file has a column {name!r} that the schema does not define; the "
                    f"import requires the columns to match the schema's fields.",
                    f"Drop the column, or add a field {name!r} to the schema.",
                    (1,),
                    name,
                )
            )
        elif schema.dataset_type == "interactions":
            findings.append(
                Finding(
                    "unknown_column",
                    "warning",
                    f"Column {name} is not a reserved column",
                    f"{name!r} is not one of Personalize's Interactions columns; it is imported "
                    f"only as metadata declared in a schema (at most 5 metadata columns).",
                    f"Declare {name!r} in the schema, or drop it.",
                    (1,),
                    name,
                )
            )
    return HeaderMatch(positions, extra, tuple(findings))


def _looks_like_data(header: Sequence[str]) -> str:
    """A hint when the first line looks like a data row (a real header has no numbers)."""
    numeric = [h for h in header if h.strip().lstrip("+-").replace(".", "", 1).isdigit()]
    if numeric:
        return f"; the first line looks like data ({numeric[0]!r}), so the file has no header."
    return "."
