"""The part every dataset check shares: columns by schema field, completeness, types."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from services.i18n import _, formats, ngettext

from .columns import Completeness, RowLines
from .figures import pct
from .limits import (
    MAX_INTERACTIONS_METADATA,
    MAX_ITEMS_METADATA,
    MAX_USERS_METADATA,
    MIN_COMPLETENESS,
)
from .report import Finding
from .schema import INTERACTIONS_RESERVED, DatasetSchema, HeaderMatch
from .value_field import ValueField

_TEXT_HINTS = ("DESCRIPTION", "TEXT", "SUMMARY", "SYNOPSIS", "TITLE", "NAME")


class DatasetChecker:
    """Feeds chunks to per-column checks; subclasses add the dataset's own rules."""

    dataset_type = ""
    special: tuple[str, ...] = ()

    def __init__(self, header: Sequence[str], schema: DatasetSchema, match: HeaderMatch) -> None:
        self.header = list(header)
        self.schema = schema
        self.pos = dict(match.columns)
        self.rows = 0
        self.completeness = Completeness(self.header)
        self.values: dict[int, ValueField] = {}
        for name, i in self.pos.items():
            f = schema.get(name)
            if name in self.special or f is None:
                continue
            prefix = "event_value" if name == "EVENT_VALUE" else "value"
            self.values[i] = ValueField(header[i], f.kind, code_prefix=prefix)
        if not schema.explicit:  # metadata columns without a schema: infer their kind
            for name in match.extra:
                i = self.header.index(name)
                text_like = any(h in name.upper() for h in _TEXT_HINTS)
                kind = "textual" if text_like and self.dataset_type == "items" else "infer"
                self.values[i] = ValueField(name, kind)

    def column_types(self) -> dict[int, pa.DataType]:
        """Types pyarrow can parse directly (a block that fails falls back to strings)."""
        numeric = {
            "int": pa.int64(),
            "long": pa.int64(),
            "float": pa.float64(),
            "double": pa.float64(),
        }
        out: dict[int, pa.DataType] = {}
        for name, i in self.pos.items():
            f = self.schema.get(name)
            if f is not None and f.type in numeric:
                out[i] = numeric[f.type]
        return out

    def column(self, table: pa.Table, name: str) -> pa.Array | None:
        """The chunk's column for a schema field, or None if the file lacks it."""
        i = self.pos.get(name)
        return None if i is None else table.column(i).combine_chunks()

    def feed(self, table: pa.Table, lines: RowLines) -> None:
        """Check one chunk."""
        self.rows += table.num_rows
        parsed: dict[str, np.ndarray] = {}
        for i, name in enumerate(self.header):
            column = table.column(i).combine_chunks()
            if name not in ("USER_ID", "ITEM_ID"):  # emptiness of IDs: IdField
                self.completeness.add(name, column, lines)
            if i in self.values:
                value = self.values[i].add(column, lines)
                if value is not None:
                    parsed[name] = value
        self.feed_special(table, lines, parsed)

    def feed_special(self, table: pa.Table, lines: RowLines, parsed: dict[str, np.ndarray]) -> None:
        """Dataset-specific columns (IDs, timestamps); `parsed` holds typed numbers."""

    def findings(self) -> list[Finding]:
        """All findings of this dataset."""
        out: list[Finding] = []
        id_columns = {"USER_ID", "ITEM_ID"}
        for name in self.header:
            empty = self.completeness.empty[name]
            if not self.rows or name in id_columns:
                continue
            f = self.schema.get(name)
            if f is not None and not f.nullable and empty.count:
                out.append(
                    Finding(
                        "required_value_empty",
                        "error",
                        _("Empty values in {column}").format(column=name),
                        ngettext(
                            "{count} row has no {column}, but the schema field is not "
                            "nullable; the import fails on it.",
                            "{count} rows have no {column}, but the schema field is not "
                            "nullable; the import fails on them.",
                            empty.count,
                        ).format(count=formats.count(empty.count), column=name),
                        _(
                            'Fill in {column}, or make the field nullable (a union with "null").'
                        ).format(column=name),
                        tuple(empty.rows),
                        name,
                    )
                )
            complete = 1 - empty.count / self.rows
            if complete < MIN_COMPLETENESS:
                out.append(
                    Finding(
                        "column_mostly_empty",
                        "warning",
                        _("{column} is mostly empty").format(column=name),
                        ngettext(
                            "{column} is only {share} complete ({empty} of {rows} value "
                            "empty); Personalize's data analysis flags columns under {minimum} "
                            "complete.",
                            "{column} is only {share} complete ({empty} of {rows} values "
                            "empty); Personalize's data analysis flags columns under {minimum} "
                            "complete.",
                            self.rows,
                        ).format(
                            column=name,
                            share=pct(self.rows - empty.count, self.rows),
                            empty=formats.count(empty.count),
                            rows=formats.count(self.rows),
                            minimum=formats.share(MIN_COMPLETENESS),
                        ),
                        _("Fill in {column}, or drop the column if it carries no signal.").format(
                            column=name
                        ),
                        tuple(empty.rows),
                        name,
                    )
                )
        for checker in self.values.values():
            out.extend(checker.findings())
        out.extend(self.metadata_limit())
        return out

    def metadata_columns(self) -> list[str]:
        """Columns that count as metadata (not the ID or reserved columns)."""
        skip = {"USER_ID", "ITEM_ID"}
        if self.dataset_type == "interactions":
            skip |= set(INTERACTIONS_RESERVED)
        return [n for n in self.header if n.strip().upper() not in skip]

    def metadata_limit(self) -> list[Finding]:
        """Too many metadata columns, or none where one is required."""
        limit = {
            "interactions": MAX_INTERACTIONS_METADATA,
            "items": MAX_ITEMS_METADATA,
            "users": MAX_USERS_METADATA,
        }[self.dataset_type]
        meta = self.metadata_columns()
        if len(meta) > limit:
            return [
                Finding(
                    "too_many_metadata_columns",
                    "error",
                    _("Too many metadata columns"),
                    ngettext(
                        "{count} metadata column; Personalize allows {limit} in a {dataset} "
                        "dataset.",
                        "{count} metadata columns; Personalize allows {limit} in a {dataset} "
                        "dataset.",
                        len(meta),
                    ).format(count=len(meta), limit=limit, dataset=self.dataset_type.title()),
                    _("Drop the metadata columns that matter least."),
                )
            ]
        if self.dataset_type != "interactions" and not meta:
            return [
                Finding(
                    "missing_metadata_column",
                    "error",
                    _("No metadata column"),
                    _(
                        "A {dataset} dataset needs its ID plus at least one metadata column; this "
                        "file has only {columns}."
                    ).format(
                        dataset=self.dataset_type.title(),
                        columns=", ".join(self.header) or _("no columns"),
                    ),
                    _(
                        "Add at least one metadata column (e.g. a categorical CATEGORY or a "
                        "number)."
                    ),
                )
            ]
        return []


def per_row_lines(lines: RowLines, n: int) -> np.ndarray:
    """Line numbers of all n rows of a chunk (uint32 keeps duplicate tracking small)."""
    return lines.at(np.arange(n)).astype(np.uint32)
