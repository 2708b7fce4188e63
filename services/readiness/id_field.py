"""Checks of an ID column (USER_ID, ITEM_ID): empty, too long, spreadsheet formulas, repeats."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from services.i18n import N_, N_plural

from .columns import _NUMBER, KeyCounter, RowLines, Tally, encode, to_bool, to_str
from .limits import MAX_ID_LENGTH
from .report import Finding
from .tally_checks import TallyCheck, tally_findings

# A value starting like this is run as a formula by spreadsheets.
_FORMULA_STARTS = pa.array(["=", "+", "-", "@", "\t", "\r"])


class IdField:
    """USER_ID / ITEM_ID: empty, too long, formula-like, padded; counts per ID."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.empty = Tally()
        self.too_long = Tally()
        self.formula = Tally()
        self.padded = Tally()
        self.longest = 0
        self.counts = KeyCounter()

    def add(self, column: pa.Array, lines: RowLines) -> tuple[np.ndarray, pa.Array]:
        """Check one chunk; return (row codes, distinct IDs) of the chunk.

        The string checks run on the chunk's distinct IDs (far fewer than rows) and are
        mapped back to rows through the dictionary codes.
        """
        text = to_str(column)
        codes, uniques, counts = encode(text)
        self.counts.add(uniques, counts)
        if not len(uniques):
            return codes, uniques
        lengths = np.asarray(pc.utf8_length(uniques).to_numpy(zero_copy_only=False))
        self.longest = max(self.longest, int(lengths.max()))
        first = pc.utf8_slice_codeunits(uniques, 0, 1)
        risky = to_bool(pc.is_in(first, value_set=_FORMULA_STARTS))
        if risky.any():  # "-5" is a number, not a formula
            idx = np.flatnonzero(risky)
            numeric = to_bool(pc.match_substring_regex(uniques.take(pa.array(idx)), _NUMBER))
            risky[idx[numeric]] = False
        last = pc.utf8_slice_codeunits(uniques, -1)
        padded = to_bool(pc.or_(pc.utf8_is_space(first), pc.utf8_is_space(last))) & ~risky
        for tally, flags in (
            (self.empty, lengths == 0),
            (self.too_long, lengths > MAX_ID_LENGTH),
            (self.formula, risky),
            (self.padded, padded),
        ):
            if flags.any():
                tally.add(flags[codes], lines, text)
        return codes, uniques

    def findings(self, rows: int) -> list[Finding]:
        """Findings for this ID column."""
        return tally_findings(self, _CHECKS, self.name, total=rows, rows=rows, longest=self.longest)


_CHECKS = (
    TallyCheck(
        "empty",
        "id_empty",
        "error",
        N_("Empty {column}"),
        N_plural(
            "{count} of {rows} rows ({share}) has an empty {column}; Personalize "
            "rejects the import.",
            "{count} of {rows} rows ({share}) have an empty {column}; Personalize "
            "rejects the import.",
        ),
        N_("Fill in {column} or drop these rows before importing."),
    ),
    TallyCheck(
        "too_long",
        "id_too_long",
        "error",
        N_("{column} longer than {limit} characters"),
        N_plural(
            "{count} value of {column} is longer than {limit} characters (longest "
            "{longest}); Personalize allows at most {limit}.",
            "{count} values of {column} are longer than {limit} characters (longest "
            "{longest}); Personalize allows at most {limit}.",
        ),
        N_(
            "Shorten these IDs (e.g. map them to a hash) consistently in every file and in the app."
        ),
        limit=MAX_ID_LENGTH,
    ),
    TallyCheck(
        "formula",
        "id_formula",
        "warning",
        N_("{column} values look like spreadsheet formulas"),
        N_plural(
            "{count} value of {column} starts with =, +, -, @ or a control character "
            "(e.g. {sample}): a spreadsheet may have evaluated or mangled it, so "
            "it may not match the app's IDs.",
            "{count} values of {column} start with =, +, -, @ or a control character "
            "(e.g. {sample}): a spreadsheet may have evaluated or mangled them, so "
            "they may not match the app's IDs.",
        ),
        N_(
            "Export IDs straight from the source system, not through a spreadsheet, "
            "and check they match the IDs the app sends."
        ),
    ),
    TallyCheck(
        "padded",
        "id_whitespace",
        "warning",
        N_("{column} values with leading or trailing spaces"),
        N_plural(
            "{count} value of {column} starts or ends with whitespace (e.g. {sample}); "
            "' u1' and 'u1' are different IDs to Personalize.",
            "{count} values of {column} start or end with whitespace (e.g. {sample}); "
            "' u1' and 'u1' are different IDs to Personalize.",
        ),
        N_("Trim whitespace from {column}."),
    ),
)
