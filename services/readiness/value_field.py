"""Checks of a typed metadata column (string, categorical, textual, numbers, booleans)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from services.csv_safety import FORMULA_START, NUMBER_PATTERN
from services.i18n import N_, N_plural
from services.local.rules.avro_numbers import out_of_range

from .columns import RowLines, Tally, parse_numeric, to_bool, to_str
from .limits import (
    MAX_CATEGORICAL_LENGTH,
    MAX_CATEGORICAL_PARTS,
    MAX_TEXTUAL_LENGTH,
    PRICE_NAME_WORDS,
)
from .report import Finding
from .tally_checks import TallyCheck, tally_findings
from .web_addresses import CUT_WEB_ADDRESS
from .written_numbers import written_numbers


class ValueField:
    """A typed field: numbers, booleans, categorical or textual strings, per the schema."""

    def __init__(self, name: str, kind: str, *, code_prefix: str = "value") -> None:
        # kind: int, long, float, double, boolean, categorical, textual, string, infer
        self.name = name
        self.kind = kind
        self.code_prefix = code_prefix
        self.non_numeric = Tally()
        self.written_number = Tally()  # "￦39,000원": a number Prepare converts
        self.non_integer = Tally()
        self.non_boolean = Tally()
        self.too_long = Tally()
        self.too_many_parts = Tally()
        self.out_of_range = Tally()
        self.negative = Tally()
        self.formula_like = Tally()
        self.cut_address = Tally()  # "https:|img.example.kr|P1.jpg": an address split on "/"
        self.is_price = any(word in name.upper() for word in PRICE_NAME_WORDS)
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
            written = _written(p.bad, text) if kind != "infer" else np.zeros_like(p.bad)
            self.non_numeric.add(p.bad & ~written, lines, text)
            self.written_number.add(written, lines, text)
            if integral:
                self.non_integer.add(p.non_integer, lines, text)
            # the same rule the engine's import job applies (avro_numbers)
            too_big = out_of_range(p.value, "float" if kind == "float" else "double")
            too_big &= ~p.empty & ~p.bad
            if kind in ("float", "double") and too_big.any():
                self.out_of_range.add(too_big, lines, to_str(column))
            value = np.where(too_big, np.nan, p.value)
            if self.is_price:
                below = np.nan_to_num(value, nan=0.0) < 0
                if below.any():
                    self.negative.add(below, lines, to_str(column))
            if kind != "infer":
                return value
        if kind == "boolean":
            low = pc.utf8_lower(pc.utf8_trim_whitespace(to_str(column)))
            ok = to_bool(pc.is_in(low, value_set=pa.array(["true", "false", ""])))
            self.non_boolean.add(~ok, lines, to_str(column))
        if kind in ("categorical", "textual", "string", "infer"):
            text = to_str(column)
            formula = to_bool(pc.match_substring_regex(text, FORMULA_START))
            if formula.any():
                formula &= ~to_bool(pc.match_substring_regex(text, NUMBER_PATTERN))
                self.formula_like.add(formula, lines, text)
        if kind in ("categorical", "textual", "infer"):
            text = to_str(column)
            lengths = np.asarray(pc.utf8_length(text).to_numpy(zero_copy_only=False))
            if len(lengths):
                self.longest = max(self.longest, int(lengths.max()))
            limit = MAX_TEXTUAL_LENGTH if kind == "textual" else MAX_CATEGORICAL_LENGTH
            self.too_long.add(lengths > limit, lines)
            if kind != "textual":
                cut = to_bool(pc.match_substring_regex(text, CUT_WEB_ADDRESS))
                if cut.any():
                    self.cut_address.add(cut, lines, text)
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
            (*_CHECKS_BY_KIND.get(kind, ()), *_ALL_KINDS),
            self.name,
            prefix=self.code_prefix,
            kind=kind,
            longest=self.longest,
            most=self.most_parts,
        )


def _written(bad: np.ndarray, text: pa.Array | None) -> np.ndarray:
    """Which of the ``bad`` rows (not plain numbers) are numbers written for people, with a
    currency or thousands separators (``written_numbers``, the rule Prepare converts by)."""
    written = np.zeros(len(bad), dtype=bool)
    rows = np.flatnonzero(bad)
    if text is None or not len(rows):
        return written
    values = pd.Series(text.take(pa.array(rows)).to_pylist(), dtype=object).fillna("")
    written[rows] = np.isfinite(written_numbers(values.astype(str).str.strip()))  # not "inf"
    return written


_WRITTEN_NUMBER = TallyCheck(
    "written_number",
    "{prefix}_written_number",
    "error",
    N_("{column} has numbers written with a currency or separators"),
    N_plural(
        "{count} value of {column} is a number written for people (e.g. {examples}); the "
        "schema type is {kind} and Personalize reads plain numbers only.",
        "{count} values of {column} are numbers written for people (e.g. {examples}); the "
        "schema type is {kind} and Personalize reads plain numbers only.",
    ),
    N_(
        'Convert the file with "Prepare a raw export" on the Data page (or '
        "`python -m services.prepare`): it reads ￦/₩/원 prices and thousands separators as "
        'numbers ("￦39,000원" is 39000).'
    ),
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
_OUT_OF_RANGE = TallyCheck(
    "out_of_range",
    "{prefix}_out_of_range",
    "error",
    N_("{column} has numbers too large for type {kind}"),
    N_plural(
        "{count} value of {column} is too large for the schema type {kind} (e.g. {examples}): "
        "a float holds at most ±3.4028235e38, a double ±1.8e308; the import job fails on it.",
        "{count} values of {column} are too large for the schema type {kind} (e.g. "
        "{examples}): a float holds at most ±3.4028235e38, a double ±1.8e308; the import "
        "job fails on them.",
    ),
    N_("Correct these values of {column}, or declare it as double if they are real."),
)
_NEGATIVE_PRICE = TallyCheck(
    "negative",
    "{prefix}_negative_price",
    "warning",
    N_("{column} has negative values"),
    N_plural(
        "{count} value of {column} is below zero (e.g. {examples}); Personalize imports it, "
        "but a negative price is usually an export or sign error.",
        "{count} values of {column} are below zero (e.g. {examples}); Personalize imports "
        "them, but a negative price is usually an export or sign error.",
    ),
    N_("Check these rows of {column}; leave the cell empty when the price is unknown."),
)
_FORMULA_LIKE = TallyCheck(
    "formula_like",
    "{prefix}_formula_like",
    "warning",
    N_("{column} has text that starts like a spreadsheet formula"),
    N_plural(
        "{count} value of {column} begins with =, +, - or @ (e.g. {examples}). Personalize "
        "stores it as text, but a spreadsheet opening an export of this data runs it as a "
        "formula.",
        "{count} values of {column} begin with =, +, - or @ (e.g. {examples}). Personalize "
        "stores them as text, but a spreadsheet opening an export of this data runs them "
        "as formulas.",
    ),
    N_(
        "Remove the leading character from {column} if it is not meant; exports this "
        "dashboard writes for people are made formula-safe."
    ),
)
_CUT_WEB_ADDRESS = TallyCheck(
    "cut_address",
    "categorical_cut_web_address",
    "warning",
    N_("{column} holds web addresses cut into categories"),
    N_plural(
        "{count} value of {column} is a web address split at '/' into categories (e.g. "
        "{examples}): the address is lost, and each part of its path becomes a category.",
        "{count} values of {column} are web addresses split at '/' into categories (e.g. "
        "{examples}): the addresses are lost, and each part of their paths becomes a category.",
    ),
    N_(
        "Map {column} as a plain string field without a split (Prepare suggests so for web "
        "addresses) and prepare the file again."
    ),
)
_TEXT_CHECKS = (_FORMULA_LIKE,)
# The counted rules of each schema type, in the order their findings are reported.
_CHECKS_BY_KIND: dict[str, tuple[TallyCheck, ...]] = {
    "int": (_NON_NUMERIC, _WRITTEN_NUMBER, _NOT_INTEGER),
    "long": (_NON_NUMERIC, _WRITTEN_NUMBER, _NOT_INTEGER),
    "float": (_NON_NUMERIC, _WRITTEN_NUMBER, _OUT_OF_RANGE),
    "double": (_NON_NUMERIC, _WRITTEN_NUMBER, _OUT_OF_RANGE),
    "boolean": (_NOT_BOOLEAN,),
    "string": _TEXT_CHECKS,
    "textual": (_TEXT_TOO_LONG, *_TEXT_CHECKS),
    "categorical": (_CATEGORY_TOO_LONG, _TOO_MANY_CATEGORIES, _CUT_WEB_ADDRESS, *_TEXT_CHECKS),
}
# Whatever the type, a price-like column gets the negative-value hint.
_ALL_KINDS = (_NEGATIVE_PRICE,)
