"""Checks of an ID column (USER_ID, ITEM_ID): empty, too long, spreadsheet formulas, repeats."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from services.i18n import _

from .columns import _NUMBER, KeyCounter, RowLines, Tally, encode, to_bool, to_str
from .figures import pct
from .limits import MAX_ID_LENGTH
from .report import Finding

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
        out: list[Finding] = []
        c = self.name
        if self.empty.count:
            out.append(
                Finding(
                    "id_empty",
                    "error",
                    _("Empty {column}").format(column=c),
                    _(
                        "{count} of {rows} rows ({share}) have an empty {column}; Personalize "
                        "rejects the import."
                    ).format(
                        count=self.empty.count,
                        rows=rows,
                        share=pct(self.empty.count, rows),
                        column=c,
                    ),
                    _("Fill in {column} or drop these rows before importing.").format(column=c),
                    tuple(self.empty.rows),
                    c,
                )
            )
        if self.too_long.count:
            out.append(
                Finding(
                    "id_too_long",
                    "error",
                    _("{column} longer than {limit} characters").format(
                        column=c, limit=MAX_ID_LENGTH
                    ),
                    _(
                        "{count} values of {column} are longer than {limit} characters (longest "
                        "{longest}); Personalize allows at most {limit}."
                    ).format(
                        count=self.too_long.count,
                        column=c,
                        limit=MAX_ID_LENGTH,
                        longest=self.longest,
                    ),
                    _(
                        "Shorten these IDs (e.g. map them to a hash) consistently in every file "
                        "and in the app."
                    ),
                    tuple(self.too_long.rows),
                    c,
                )
            )
        if self.formula.count:
            out.append(
                Finding(
                    "id_formula",
                    "warning",
                    _("{column} values look like spreadsheet formulas").format(column=c),
                    _(
                        "{count} values of {column} start with =, +, -, @ or a control character "
                        "(e.g. {sample}): a spreadsheet may have evaluated or mangled them, so "
                        "they may not match the app's IDs."
                    ).format(count=self.formula.count, column=c, sample=self.formula.sample()),
                    _(
                        "Export IDs straight from the source system, not through a spreadsheet, "
                        "and check they match the IDs the app sends."
                    ),
                    tuple(self.formula.rows),
                    c,
                )
            )
        if self.padded.count:
            out.append(
                Finding(
                    "id_whitespace",
                    "warning",
                    _("{column} values with leading or trailing spaces").format(column=c),
                    _(
                        "{count} values of {column} start or end with whitespace (e.g. {sample}); "
                        "' u1' and 'u1' are different IDs to Personalize."
                    ).format(count=self.padded.count, column=c, sample=self.padded.sample()),
                    _("Trim whitespace from {column}.").format(column=c),
                    tuple(self.padded.rows),
                    c,
                )
            )
        return out
