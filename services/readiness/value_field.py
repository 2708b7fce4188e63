"""Checks of a typed metadata column (string, categorical, textual, numbers, booleans)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from services.i18n import N_, N_plural

from .columns import RowLines, Tally, parse_numeric, to_bool, to_str
from .limits import MAX_CATEGORICAL_LENGTH, MAX_CATEGORICAL_PARTS, MAX_TEXTUAL_LENGTH
from .report import Finding
from .tally_checks import TallyCheck, tally_findings


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
        kind = self.kind
        if kind == "infer":
            kind = "categorical" if self.non_numeric.count else "double"
        return tally_findings(
            self,
            _CHECKS_BY_KIND.get(kind, ()),
            self.name,
            prefix=self.code_prefix,
            kind=kind,
            longest=self.longest,
            most=self.most_parts,
        )


_NON_NUMERIC = TallyCheck(
    "non_numeric",
    "{prefix}_non_numeric",
    "error",
    N_("{column} has values that are not numbers"),
    N_plural(
        "{count} value of {column} is not a number (e.g. {examples}); the schema type is {kind}.",
        "{count} values of {column} are not numbers (e.g. {examples}); the schema type is {kind}.",
    ),
    N_(
        "Write {column} as plain numbers (dot as decimal separator, no units), or "
        "leave them empty if the field is nullable."
    ),
)
_NOT_INTEGER = TallyCheck(
    "non_integer",
    "{prefix}_not_integer",
    "error",
    N_("{column} has decimals"),
    N_plural(
        "{count} value of {column} has decimals (e.g. {examples}) but the schema type is {kind}.",
        "{count} values of {column} have decimals (e.g. {examples}) but the schema type is {kind}.",
    ),
    N_("Round {column} or change the schema type to double."),
)
_NOT_BOOLEAN = TallyCheck(
    "non_boolean",
    "value_not_boolean",
    "error",
    N_("{column} has values that are not true/false"),
    N_plural(
        "{count} value of {column} is not true or false (e.g. {examples}).",
        "{count} values of {column} are not true or false (e.g. {examples}).",
    ),
    N_("Write {column} as true or false."),
)
_TEXT_TOO_LONG = TallyCheck(
    "too_long",
    "textual_too_long",
    "warning",
    N_("{column} text longer than {limit}"),
    N_plural(
        "{count} value of {column} is longer than {limit} characters (longest "
        "{longest}); Personalize truncates it.",
        "{count} values of {column} are longer than {limit} characters (longest "
        "{longest}); Personalize truncates them.",
    ),
    N_("Shorten {column} to the most useful {limit} characters."),
    limit=MAX_TEXTUAL_LENGTH,
)
_CATEGORY_TOO_LONG = TallyCheck(
    "too_long",
    "categorical_too_long",
    "error",
    N_("{column} values longer than {limit} characters"),
    N_plural(
        "{count} value of {column} is longer than {limit} characters (longest "
        "{longest}); the import job fails on it.",
        "{count} values of {column} are longer than {limit} characters (longest "
        "{longest}); the import job fails on them.",
    ),
    N_("Shorten the categories, or mark {column} as textual (Items only) if it is free text."),
    limit=MAX_CATEGORICAL_LENGTH,
)
_TOO_MANY_CATEGORIES = TallyCheck(
    "too_many_parts",
    "categorical_too_many_values",
    "warning",
    N_("{column} joins more than {limit} categories"),
    N_plural(
        "{count} value of {column} joins more than {limit} categories with '|' "
        "(most: {most}); Personalize's data analysis flags this and such long "
        "lists carry little signal.",
        "{count} values of {column} join more than {limit} categories with '|' "
        "(most: {most}); Personalize's data analysis flags this and such long "
        "lists carry little signal.",
    ),
    N_(
        "Keep the most specific categories, or split levels into fields "
        "({column}_L1, {column}_L2 …)."
    ),
    limit=MAX_CATEGORICAL_PARTS,
)
# The counted rules of each schema type, in the order their findings are reported.
_CHECKS_BY_KIND: dict[str, tuple[TallyCheck, ...]] = {
    "int": (_NON_NUMERIC, _NOT_INTEGER),
    "long": (_NON_NUMERIC, _NOT_INTEGER),
    "float": (_NON_NUMERIC,),
    "double": (_NON_NUMERIC,),
    "boolean": (_NOT_BOOLEAN,),
    "textual": (_TEXT_TOO_LONG,),
    "categorical": (_CATEGORY_TOO_LONG, _TOO_MANY_CATEGORIES),
}
