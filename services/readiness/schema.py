"""Personalize Avro schemas: parse one, or use the defaults; match a CSV header to it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.i18n import N_, _

from .report import Finding, Severity

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
    fields: tuple[Field, ...]
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
        _("The schema is not a valid Personalize schema"),
        detail,
        _(
            "Fix the schema JSON: a flat Avro record whose fields have types string, int, long, "
            'float, double or boolean (optionally in a union with "null").'
        ),
    )


def _field(raw: Any) -> Field | str:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
        return _("field {field} has no name").format(field=repr(raw))
    name, t = raw["name"], raw.get("type")
    nullable = False
    if isinstance(t, list):
        nullable = "null" in t
        rest = [x for x in t if x != "null"]
        if len(rest) != 1:
            return _('field {field}: union {union} must be one type plus "null"').format(
                field=name, union=t
            )
        t = rest[0]
    if t not in TYPES:
        return _("field {field}: type {type} is not one of {types}").format(
            field=name, type=repr(t), types=", ".join(TYPES)
        )
    categorical, textual = bool(raw.get("categorical")), bool(raw.get("textual"))
    if (categorical or textual) and t != "string":
        return _("field {field}: only string fields can be categorical or textual").format(
            field=name
        )
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
        return default_schema(dataset_type), [
            _bad(_("Cannot read the schema: {error}.").format(error=err))
        ]
    if not isinstance(raw, Mapping) or raw.get("type") != "record":
        return default_schema(dataset_type), [
            _bad(_("The schema must be {record}.").format(record='{"type": "record", …}'))
        ]
    raw_fields = raw.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        return default_schema(dataset_type), [_bad(_('The schema has no "fields" list.'))]
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
            out.append(_("required field {field} is missing").format(field=name))
        elif f.type != t:
            out.append(
                _("{field} must be {type}, not {actual}").format(field=name, type=t, actual=f.type)
            )
    event_type = schema.get("EVENT_TYPE")
    if kind == "interactions" and event_type is not None and event_type.categorical:
        out.append(_("EVENT_TYPE must not be categorical"))
    if kind != "interactions" and len(schema.fields) < 2:
        out.append(
            _("an {dataset} schema needs at least one metadata field").format(dataset=kind.title())
        )
    if sum(f.textual for f in schema.fields) > 1:
        out.append(_("at most one textual field is allowed"))
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
                    _("Column {column} appears twice").format(column=name),
                    _("Columns {first} and {second} are both named {column}.").format(
                        first=seen[name] + 1, second=i + 1, column=repr(name)
                    ),
                    _("Remove or rename one of them."),
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
        folded_at = by_folded.get(f.name.upper())
        if folded_at is not None:
            positions[f.name] = folded_at
            renames.append((header[folded_at], f.name))
        elif f.name in schema.required or (schema.explicit and not f.nullable):
            findings.append(
                Finding(
                    "missing_required_column",
                    "error",
                    _("Required column {column} is missing").format(column=f.name),
                    (
                        _(
                            "The header ({header}) has no {column} column; the first line looks "
                            "like data ({example}), so the file has no header."
                        )
                        if data_like
                        else _("The header ({header}) has no {column} column.")
                    ).format(
                        header=", ".join(header) or _("empty"),
                        column=f.name,
                        example=repr(data_like),
                    ),
                    (
                        _(
                            "Add a {column} column (type {type}) to the file, starting with a "
                            "header row."
                        )
                        if data_like
                        else _("Add a {column} column (type {type}) to the file.")
                    ).format(column=f.name, type=f.type),
                    (1,),
                    f.name,
                )
            )
        elif schema.explicit:
            findings.append(
                Finding(
                    "schema_field_missing",
                    "warning",
                    _("Schema field {column} is not in the file").format(column=f.name),
                    _(
                        "The schema defines a nullable field {column} that the file lacks; it "
                        "will be empty for every row."
                    ).format(column=f.name),
                    _("Add a {column} column, or drop the field from the schema.").format(
                        column=f.name
                    ),
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
                _("Column names differ from the schema in case or spacing"),
                _(
                    "Personalize matches column names to the schema exactly (case-sensitive), so "
                    "the import fails: {renames}."
                ).format(renames=listed),
                _("Rename the header columns: {renames}.").format(renames=listed),
                (1,),
                renames[0][1],
            )
        )
    extra = tuple(n for n, i in seen.items() if i not in positions.values())
    # One finding for a column the schema does not name: an error against a schema the user
    # gave; against the default Interactions schema, metadata still to declare.
    unknown: tuple[Severity, str, str, str] | None = None
    if schema.explicit:
        unknown = (
            "error",
            N_("Column {column} is not in the schema"),
            N_(
                "The file has a column {column} that the schema does not define; the "
                "import requires the columns to match the schema's fields."
            ),
            N_("Drop the column, or add a field {column} to the schema."),
        )
    elif schema.dataset_type == "interactions":
        unknown = (
            "warning",
            N_("Column {column} is not a reserved column"),
            N_(
                "{column} is not one of Personalize's Interactions columns; it is imported "
                "only as metadata declared in a schema (at most 5 metadata columns)."
            ),
            N_("Declare {column} in the schema, or drop it."),
        )
    if unknown is not None and data_like is None:
        severity, title, detail, fix = unknown
        findings.extend(
            Finding(
                "unknown_column",
                severity,
                _(title).format(column=name),
                _(detail).format(column=repr(name)),
                _(fix).format(column=repr(name)),
                (1,),
                name,
            )
            for name in extra
        )
    return HeaderMatch(positions, extra, tuple(findings))


def _looks_like_data(header: Sequence[str]) -> str | None:
    """The first number in a header that looks like a data row (a real header has no
    numbers), or None."""
    numeric = [h for h in header if h.strip().lstrip("+-").replace(".", "", 1).isdigit()]
    return numeric[0] if numeric else None
