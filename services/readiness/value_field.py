"""Checks of a typed metadata column (string, categorical, textual, numbers, booleans)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
                    f"{c} has values that are not numbers",
                    f"{self.non_numeric.count} values of {c} are not numbers "
                    f"(e.g. {self.non_numeric.sample()}); the schema type is {kind}.",
                    f"Write {c} as plain numbers (dot as decimal separator, no units), or leave "
                    f"them empty if the field is nullable.",
                    tuple(self.non_numeric.rows),
                    c,
                )
            )
        if kind in ("int", "long") and self.non_integer.count:
            out.append(
                Finding(
                    f"{self.code_prefix}_not_integer",
                    "error",
                    f"{c} has decimals",
                    f"{self.non_integer.count} values of {c} have decimals (e.g. "
                    f"{self.non_integer.sample()}) but the schema type is {kind}.",
                    f"Round {c} or change the schema type to double.",
                    tuple(self.non_integer.rows),
                    c,
                )
            )
        if kind == "boolean" and self.non_boolean.count:
            out.append(
                Finding(
                    "value_not_boolean",
                    "error",
                    f"{c} has values that are not true/false",
                    f"{self.non_boolean.count} values of {c} are not true or false "
                    f"(e.g. {self.non_boolean.sample()}).",
                    f"Write {c} as true or false.",
                    tuple(self.non_boolean.rows),
                    c,
                )
            )
        if kind == "textual" and self.too_long.count:
            out.append(
                Finding(
                    "textual_too_long",
                    "warning",
                    f"{c} text longer than {MAX_TEXTUAL_LENGTH}",
                    f"{self.too_long.count} values of {c} are longer than "
                    f"{MAX_TEXTUAL_LENGTH} "
                    f"characters (longest {self.longest}); Personalize truncates them.",
                    f"Shorten {c} to the most useful {MAX_TEXTUAL_LENGTH} characters.",
                    tuple(self.too_long.rows),
                    c,
                )
            )
        if kind == "categorical" and self.too_long.count:
            out.append(
                Finding(
                    "categorical_too_long",
                    "error",
                    f"{c} values longer than {MAX_CATEGORICAL_LENGTH} characters",
                    f"{self.too_long.count} values of {c} are longer than "
                    f"{MAX_CATEGORICAL_LENGTH} characters (longest {self.longest}); the "
                    f"import job fails on them.",
                    f"Shorten the categories, or mark {c} as textual (Items only) if it is "
                    "free text.",
                    tuple(self.too_long.rows),
                    c,
                )
            )
        if kind == "categorical" and self.too_many_parts.count:
            out.append(
                Finding(
                    "categorical_too_many_values",
                    "warning",
                    f"{c} joins more than {MAX_CATEGORICAL_PARTS} categories",
                    f"{self.too_many_parts.count} values of {c} join more than "
                    f"{MAX_CATEGORICAL_PARTS} categories with '|' (most: "
                    f"{self.most_parts}); "
                    f"Personalize's data analysis flags this and such long lists carry little "
                    f"signal.",
                    f"Keep the most specific categories, or split levels into fields "
                    f"({c}_L1, {c}_L2 …).",
                    tuple(self.too_many_parts.rows),
                    c,
                )
            )
        return out
