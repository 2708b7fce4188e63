"""Checks of a typed metadata column (string, categorical, textual, numbers, booleans)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from services.i18n import _

from .columns import RowLines, Tally, parse_numeric, to_bool, to_str
from .limits import MAX_CATEGORICAL_LENGTH, MAX_CATEGORICAL_PARTS, MAX_TEXTUAL_LENGTH
from .report import Finding


class ValueField:
    """A typed field: numbers, booleans, categorical or textual strings, per the schema."""

    def __init__(self, name: str, kind: str, *, code_prefix: str = "value") -> None:
        # kind: int, long, float, double, boolean, categorical, textual, string, infer
        self.name = name
        self.kind = kind
        self.code_prefix = code_prefix
        self.non_numeric = Tally()
        self.non_integer = Tally()
        self.non_boolean = Tally()
        self.too_long = Tally()
        self.too_many_parts = Tally()
        self.longest = 0
        self.most_parts = 0

    def add(self, column: pa.Array, lines: RowLines) -> np.ndarray | None:
        """Check one chunk; return parsed numbers for numeric kinds."""
        kind = self.kind
        if kind in ("int", "long", "float", "double", "infer"):
            p = parse_numeric(column)
            integral = kind in ("int", "long")
            needs_text = p.bad.any() or (integral and p.non_integer.any())
            text = to_str(column) if needs_text else None
            self.non_numeric.add(p.bad, lines, text)
            if integral:
                self.non_integer.add(p.non_integer, lines, text)
            if kind != "infer":
                return p.value
        if kind == "boolean":
            low = pc.utf8_lower(pc.utf8_trim_whitespace(to_str(column)))
            ok = to_bool(pc.is_in(low, value_set=pa.array(["true", "false", ""])))
            self.non_boolean.add(~ok, lines, to_str(column))
        if kind in ("categorical", "textual", "infer"):
            text = to_str(column)
            lengths = np.asarray(pc.utf8_length(text).to_numpy(zero_copy_only=False))
            if len(lengths):
                self.longest = max(self.longest, int(lengths.max()))
            limit = MAX_TEXTUAL_LENGTH if kind == "textual" else MAX_CATEGORICAL_LENGTH
            self.too_long.add(lengths > limit, lines)
            if kind != "textual":
                parts = np.asarray(pc.count_substring(text, "|").to_numpy(zero_copy_only=False)) + 1
                if len(parts):
                    self.most_parts = max(self.most_parts, int(parts.max()))
                self.too_many_parts.add(parts > MAX_CATEGORICAL_PARTS, lines)
        return None

    def findings(self) -> list[Finding]:
        """Findings for this field (an inferred field that held text is categorical)."""
        out: list[Finding] = []
        c = self.name
        kind = self.kind
        if kind == "infer":
            kind = "categorical" if self.non_numeric.count else "double"
        if kind in ("int", "long", "float", "double") and self.non_numeric.count:
            out.append(
                Finding(
                    f"{self.code_prefix}_non_numeric",
                    "error",
                    _("{column} has values that are not numbers").format(column=c),
                    _(
                        "{count} values of {column} are not numbers (e.g. {examples}); the schema "
                        "type is {kind}."
                    ).format(
                        count=self.non_numeric.count,
                        column=c,
                        examples=self.non_numeric.sample(),
                        kind=kind,
                    ),
                    _(
                        "Write {column} as plain numbers (dot as decimal separator, no units), or "
                        "leave them empty if the field is nullable."
                    ).format(column=c),
                    tuple(self.non_numeric.rows),
                    c,
                )
            )
        if kind in ("int", "long") and self.non_integer.count:
            out.append(
                Finding(
                    f"{self.code_prefix}_not_integer",
                    "error",
                    _("{column} has decimals").format(column=c),
                    _(
                        "{count} values of {column} have decimals (e.g. {examples}) but the schema "
                        "type is {kind}."
                    ).format(
                        count=self.non_integer.count,
                        column=c,
                        examples=self.non_integer.sample(),
                        kind=kind,
                    ),
                    _("Round {column} or change the schema type to double.").format(column=c),
                    tuple(self.non_integer.rows),
                    c,
                )
            )
        if kind == "boolean" and self.non_boolean.count:
            out.append(
                Finding(
                    "value_not_boolean",
                    "error",
                    _("{column} has values that are not true/false").format(column=c),
                    _("{count} values of {column} are not true or false (e.g. {examples}).").format(
                        count=self.non_boolean.count, column=c, examples=self.non_boolean.sample()
                    ),
                    _("Write {column} as true or false.").format(column=c),
                    tuple(self.non_boolean.rows),
                    c,
                )
            )
        # the figures both too-long findings state
        too_long = {"count": self.too_long.count, "column": c, "longest": self.longest}
        if kind == "textual" and self.too_long.count:
            out.append(
                Finding(
                    "textual_too_long",
                    "warning",
                    _("{column} text longer than {limit}").format(
                        column=c, limit=MAX_TEXTUAL_LENGTH
                    ),
                    _(
                        "{count} values of {column} are longer than {limit} characters (longest "
                        "{longest}); Personalize truncates them."
                    ).format(limit=MAX_TEXTUAL_LENGTH, **too_long),
                    _("Shorten {column} to the most useful {limit} characters.").format(
                        column=c, limit=MAX_TEXTUAL_LENGTH
                    ),
                    tuple(self.too_long.rows),
                    c,
                )
            )
        if kind == "categorical" and self.too_long.count:
            out.append(
                Finding(
                    "categorical_too_long",
                    "error",
                    _("{column} values longer than {limit} characters").format(
                        column=c, limit=MAX_CATEGORICAL_LENGTH
                    ),
                    _(
                        "{count} values of {column} are longer than {limit} characters (longest "
                        "{longest}); the import job fails on them."
                    ).format(limit=MAX_CATEGORICAL_LENGTH, **too_long),
                    _(
                        "Shorten the categories, or mark {column} as textual (Items only) if it is "
                        "free text."
                    ).format(column=c),
                    tuple(self.too_long.rows),
                    c,
                )
            )
        if kind == "categorical" and self.too_many_parts.count:
            out.append(
                Finding(
                    "categorical_too_many_values",
                    "warning",
                    _("{column} joins more than {limit} categories").format(
                        column=c, limit=MAX_CATEGORICAL_PARTS
                    ),
                    _(
                        "{count} values of {column} join more than {limit} categories with '|' "
                        "(most: {most}); Personalize's data analysis flags this and such long "
                        "lists carry little signal."
                    ).format(
                        count=self.too_many_parts.count,
                        column=c,
                        limit=MAX_CATEGORICAL_PARTS,
                        most=self.most_parts,
                    ),
                    _(
                        "Keep the most specific categories, or split levels into fields "
                        "({column}_L1, {column}_L2 …)."
                    ).format(column=c),
                    tuple(self.too_many_parts.rows),
                    c,
                )
            )
        return out
