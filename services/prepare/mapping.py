"""The mapping: a small versioned JSON document saying how a raw export becomes a dataset file.

The CLI, the Data page and the refresh pipeline all read the same document, so the nightly
run repeats exactly what a person confirmed on the page. Version 1 looks like::

    {
      "version": 1,
      "dataset_type": "interactions",
      "timezone": "Asia/Seoul",
      "source": {"format": "csv", "encoding": "cp949", "delimiter": ","},
      "fields": [
        {"name": "USER_ID", "column": "회원ID"},
        {"name": "ITEM_ID", "column": "상품코드"},
        {"name": "TIMESTAMP", "column": "주문일시", "format": "%Y-%m-%d %H:%M:%S"},
        {"name": "EVENT_TYPE", "column": "구분", "values": {"1": "View", "2": "Purchase"}},
        {"name": "EVENT_VALUE", "column": "수량"}
      ]
    }

Each field takes its value from a raw ``column`` or is a ``constant``. Field types follow
Personalize's schema rules: USER_ID/ITEM_ID/EVENT_TYPE are strings, TIMESTAMP and
CREATION_TIMESTAMP are epoch seconds (long), EVENT_VALUE is a float; any other (metadata) field
names its ``type``: ``categorical`` (multi-values split on ``split`` and joined with ``|``),
``textual``, ``string``, ``int``, ``long``, ``float``, ``double`` or ``boolean``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.prepare.mapping_problems import Kind, MappingProblem, invalid_mapping, problem

VERSION = 1
DATASET_TYPES = ("interactions", "items", "users")
FORMATS = ("auto", "csv", "parquet", "jsonl")
UNITS = ("auto", "seconds", "milliseconds", "microseconds")
METADATA_TYPES = ("categorical", "textual", "string", "int", "long", "float", "double", "boolean")
# Reserved fields and their (fixed) types, per Personalize's dataset schema requirements.
RESERVED = {
    "USER_ID": "id",
    "ITEM_ID": "id",
    "TIMESTAMP": "timestamp",
    "CREATION_TIMESTAMP": "timestamp",
    "EVENT_TYPE": "event_type",
    "EVENT_VALUE": "float",
}
REQUIRED = {
    "interactions": ("USER_ID", "ITEM_ID", "TIMESTAMP"),
    "items": ("ITEM_ID",),
    "users": ("USER_ID",),
}
ALLOWED_RESERVED = {
    "interactions": ("USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"),
    "items": ("ITEM_ID", "CREATION_TIMESTAMP"),
    "users": ("USER_ID",),
}
# Avro names: what Personalize accepts as a field name.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,149}$")


class MappingError(ValueError):
    """A mapping document is invalid: ``found`` holds each problem (a ``MappingProblem``, or a
    caller's own sentence), ``problems`` the same in English; ``str()`` is "invalid mapping:
    …" in English and ``in_language()`` the same in the reader's language."""

    def __init__(self, problems: Sequence[MappingProblem | str]) -> None:
        self.found = list(problems)
        self.problems = [str(p) for p in self.found]
        super().__init__(invalid_mapping(self.found))

    def in_language(self) -> str:
        """ "invalid mapping: …" with each problem in the reader's language."""
        return invalid_mapping(self.found, in_language=True)

    def problems_in_language(self) -> list[str]:
        """Each problem in the reader's language, one by one."""
        return [p.in_language() if isinstance(p, MappingProblem) else p for p in self.found]


@dataclass(frozen=True)
class Source:
    """How to read the raw file; ``auto`` values are detected from the bytes."""

    format: str = "auto"
    encoding: str = "auto"
    delimiter: str = "auto"


@dataclass(frozen=True)
class FieldMap:
    """One output field: from a raw ``column`` (or a ``constant``), converted by its kind."""

    name: str
    column: str | None = None
    constant: str | None = None
    type: str | None = None  # metadata fields only; reserved fields have fixed kinds
    values: dict[str, str] | None = None  # EVENT_TYPE (or any string field): raw → output
    format: str | None = None  # timestamps: strptime format, or "ISO8601"; None = detect
    unit: str = "auto"  # timestamps given as numbers
    split: str | None = None  # categorical: characters that separate several values

    @property
    def kind(self) -> str:
        """id, timestamp, event_type, or the metadata type (float for EVENT_VALUE)."""
        return RESERVED.get(self.name) or self.type or "string"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, without unset keys."""
        return {
            k: v for k, v in asdict(self).items() if v is not None and (k, v) != ("unit", "auto")
        }


@dataclass(frozen=True)
class Mapping:
    """A validated mapping document (see the module docstring)."""

    dataset_type: str
    fields: tuple[FieldMap, ...]
    timezone: str = "UTC"
    source: Source = field(default_factory=Source)
    version: int = VERSION

    def get(self, name: str) -> FieldMap | None:
        """The field called ``name``, if mapped."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def columns(self) -> tuple[str, ...]:
        """Raw columns the mapping reads, in field order, without repeats."""
        return tuple(dict.fromkeys(f.column for f in self.fields if f.column is not None))

    def to_dict(self) -> dict[str, Any]:
        """The JSON document."""
        return {
            "version": self.version,
            "dataset_type": self.dataset_type,
            "timezone": self.timezone,
            "source": asdict(self.source),
            "fields": [f.to_dict() for f in self.fields],
        }

    def to_json(self) -> str:
        """Pretty JSON (UTF-8 text, non-ASCII column names kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _text(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _source(raw: Any, problems: list[MappingProblem]) -> Source:
    if raw is None:
        return Source()
    if not isinstance(raw, dict):
        problems.append(problem("source", Kind.SOURCE_NOT_OBJECT))
        return Source()
    unknown = set(raw) - {"format", "encoding", "delimiter"}
    if unknown:
        problems.append(problem("source", Kind.UNKNOWN_KEYS, keys=sorted(unknown)))
    fmt = raw.get("format", "auto")
    if fmt not in FORMATS:
        problems.append(
            problem("source.format", Kind.NOT_ONE_OF, choices=", ".join(FORMATS), value=repr(fmt))
        )
    encoding = raw.get("encoding", "auto")
    if not _text(encoding):
        problems.append(problem("source.encoding", Kind.NOT_CODEC))
    elif encoding != "auto":
        try:
            "".encode(encoding)
        except LookupError:
            problems.append(problem("source.encoding", Kind.UNKNOWN_ENCODING, value=repr(encoding)))
    delimiter = raw.get("delimiter", "auto")
    if delimiter != "auto" and (not isinstance(delimiter, str) or len(delimiter) != 1):
        problems.append(problem("source.delimiter", Kind.NOT_DELIMITER))
    return Source(str(fmt), str(encoding), str(delimiter))


_FIELD_KEYS = {"name", "column", "constant", "type", "values", "format", "unit", "split"}


def _field(i: int, raw: Any, dataset_type: str, problems: list[MappingProblem]) -> FieldMap | None:
    where = f"fields[{i}]"
    if not isinstance(raw, dict):
        problems.append(problem(where, Kind.FIELD_NOT_OBJECT))
        return None
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(problem(f"{where}.name", Kind.NOT_FIELD_NAME, value=repr(name)))
        return None
    where = f"{where} ({name})"
    before = len(problems)
    unknown = set(raw) - _FIELD_KEYS
    if unknown:
        problems.append(problem(where, Kind.UNKNOWN_KEYS, keys=sorted(unknown)))
    if name in RESERVED and name not in ALLOWED_RESERVED[dataset_type]:
        problems.append(problem(where, Kind.NOT_IN_DATASET, name=name, dataset_type=dataset_type))
    column, constant = raw.get("column"), raw.get("constant")
    if (column is None) == (constant is None):
        problems.append(problem(where, Kind.COLUMN_OR_CONSTANT))
    if column is not None and not _text(column):
        problems.append(problem(f"{where}.column", Kind.EMPTY_COLUMN))
    if constant is not None and not isinstance(constant, str | int | float):
        problems.append(problem(f"{where}.constant", Kind.BAD_CONSTANT))
    ftype = raw.get("type")
    if name in RESERVED:
        if ftype is not None:
            problems.append(problem(f"{where}.type", Kind.FIXED_TYPE, name=name))
    elif ftype not in METADATA_TYPES:
        problems.append(
            problem(
                f"{where}.type",
                Kind.NOT_ONE_OF,
                choices=", ".join(METADATA_TYPES),
                value=repr(ftype),
            )
        )
    values = raw.get("values")
    if values is not None and (
        not isinstance(values, dict)
        or not all(isinstance(k, str) and _text(v) for k, v in values.items())
    ):
        problems.append(problem(f"{where}.values", Kind.BAD_VALUES))
    kind = RESERVED.get(name, ftype)
    fmt, unit = raw.get("format"), raw.get("unit", "auto")
    if (fmt is not None or unit != "auto") and kind != "timestamp":
        problems.append(problem(where, Kind.NOT_TIMESTAMP))
    if fmt is not None and not _text(fmt):
        problems.append(problem(f"{where}.format", Kind.BAD_FORMAT, example="%Y-%m-%d %H:%M:%S"))
    if unit not in UNITS:
        problems.append(
            problem(f"{where}.unit", Kind.NOT_ONE_OF, choices=", ".join(UNITS), value=repr(unit))
        )
    split = raw.get("split")
    if split is not None and (kind != "categorical" or not _text(split)):
        problems.append(problem(f"{where}.split", Kind.BAD_SPLIT))
    if len(problems) > before:
        return None
    return FieldMap(
        name,
        column,
        None if constant is None else str(constant),
        ftype,
        dict(values) if values is not None else None,
        fmt,
        unit,
        split,
    )


def parse_mapping(doc: Any) -> Mapping:
    """Validate a mapping document (already parsed JSON) and return it.

    Raises:
        MappingError: with one message per problem (e.g. ``fields[2] (TIMESTAMP).unit: …``).
    """
    problems: list[MappingProblem] = []
    if not isinstance(doc, dict):
        raise MappingError([problem("", Kind.NOT_OBJECT)])
    unknown = set(doc) - {"version", "dataset_type", "timezone", "source", "fields"}
    if unknown:
        problems.append(problem("", Kind.UNKNOWN_KEYS, keys=sorted(unknown)))
    if doc.get("version") != VERSION:
        problems.append(
            problem("version", Kind.NOT_VERSION, version=VERSION, value=repr(doc.get("version")))
        )
    dataset_type = doc.get("dataset_type")
    if dataset_type not in DATASET_TYPES:
        problems.append(
            problem("dataset_type", Kind.NOT_DATASET_TYPE, choices=", ".join(DATASET_TYPES))
        )
        raise MappingError(problems)
    timezone = doc.get("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        problems.append(problem("timezone", Kind.NOT_TIMEZONE, value=repr(timezone)))
    source = _source(doc.get("source"), problems)
    raw_fields = doc.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        problems.append(problem("fields", Kind.NO_FIELDS))
        raise MappingError(problems)
    fields = [_field(i, f, dataset_type, problems) for i, f in enumerate(raw_fields)]
    names = [f.name for f in fields if f is not None]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(problem("fields", Kind.TWICE, name=name))
    for name in REQUIRED[dataset_type]:
        if name not in names and all(f is not None for f in fields):
            problems.append(
                problem("fields", Kind.REQUIRED_FIELD, name=name, dataset_type=dataset_type)
            )
    if problems:
        raise MappingError(problems)
    return Mapping(dataset_type, tuple(f for f in fields if f is not None), timezone, source)


def load_mapping(path_or_text: str | Path) -> Mapping:
    """Read a mapping from a file path or from JSON text.

    Raises:
        MappingError: no such file, invalid JSON, or an invalid document (one message per
            problem).
    """
    text = str(path_or_text)
    if not text.lstrip().startswith("{"):
        try:
            text = Path(path_or_text).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise MappingError(
                [problem("", Kind.UNREADABLE, path=path_or_text, error=err)]
            ) from err
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise MappingError([problem("", Kind.NOT_JSON, error=err.msg, line=err.lineno)]) from err
    return parse_mapping(doc)
