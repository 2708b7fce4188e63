"""Checks for one kind of column: IDs, timestamps, typed metadata values."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import (
    _NUMBER,
    KeyCounter,
    RowLines,
    Tally,
    encode,
    parse_numeric,
    to_bool,
    to_str,
)
from .limits import (
    DECADES_APART_DAYS,
    DECADES_APART_SHARE,
    FUTURE_BULK_SHARE,
    FUTURE_SLACK_SECONDS,
    MAX_CATEGORICAL_LENGTH,
    MAX_CATEGORICAL_PARTS,
    MAX_EXAMPLES,
    MAX_ID_LENGTH,
    MAX_TEXTUAL_LENGTH,
    MICROSECONDS_BELOW,
    MILLISECONDS_BELOW,
    OLD_TAIL_DAYS,
    SECONDS_BELOW,
)
from .report import Finding

_FORMULA_STARTS = pa.array(["=", "+", "-", "@", "\t", "\r"])
_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}/\d{1,2}/\d{2,4}")


def pct(part: int | float, whole: int | float) -> str:
    """A share as a short percentage string."""
    if not whole:
        return "0%"
    share = 100.0 * part / whole
    if 0 < share < 0.1:
        return "<0.1%"
    return f"{share:.1f}%" if share < 99.95 or part == whole else "99.9%"


def iso(seconds: float) -> str:
    """Epoch seconds as an ISO date (UTC)."""
    return datetime.fromtimestamp(seconds, tz=UTC).date().isoformat()


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
                    f"Empty {c}",
                    f"{self.empty.count} of {rows} rows ({pct(self.empty.count, rows)}) have an "
                    f"empty {c}; Personalize rejects the import.",
                    f"Fill in {c} or drop these rows before importing.",
                    tuple(self.empty.rows),
                    c,
                )
            )
        if self.too_long.count:
            out.append(
                Finding(
                    "id_too_long",
                    "error",
                    f"{c} longer than {MAX_ID_LENGTH} characters",
                    f"{self.too_long.count} values of {c} are longer than {MAX_ID_LENGTH} "
                    f"characters (longest {self.longest}); Personalize allows at most "
                    f"{MAX_ID_LENGTH}.",
                    "Shorten these IDs (e.g. map them to a hash) consistently in every file and "
                    "in the app.",
                    tuple(self.too_long.rows),
                    c,
                )
            )
        if self.formula.count:
            out.append(
                Finding(
                    "id_formula",
                    "warning",
                    f"{c} values look like spreadsheet formulas",
                    f"{self.formula.count} values of {c} start with =, +, -, @ or a control "
                    f"character (e.g. {self.formula.sample()}): a spreadsheet may have evaluated "
                    f"or mangled them, so they may not match the app's IDs.",
                    "Export IDs straight from the source system, not through a spreadsheet, and "
                    "check they match the IDs the app sends.",
                    tuple(self.formula.rows),
                    c,
                )
            )
        if self.padded.count:
            out.append(
                Finding(
                    "id_whitespace",
                    "warning",
                    f"{c} values with leading or trailing spaces",
                    f"{self.padded.count} values of {c} start or end with whitespace (e.g. "
                    f"{self.padded.sample()}); ' u1' and 'u1' are different IDs to Personalize.",
                    f"Trim whitespace from {c}.",
                    tuple(self.padded.rows),
                    c,
                )
            )
        return out


class TimestampField:
    """TIMESTAMP / CREATION_TIMESTAMP: integer epoch seconds, plausible and spread out."""

    def __init__(self, name: str, now: float, *, distribution: bool = True) -> None:
        self.name = name
        self.now = now
        self.distribution = distribution
        self.bad = Tally()
        self.non_integer = Tally()
        self.negative = Tally()
        self.millis = Tally()
        self.micros = Tally()
        self.nanos = Tally()
        self.future = Tally()
        self.valid = 0
        self.low = np.inf
        self.high = -np.inf
        self.days: dict[int, int] = {}
        self.oldest: list[tuple[float, int]] = []

    def add(self, column: pa.Array, lines: RowLines) -> np.ndarray:
        """Check one chunk; return the parsed values (NaN where unusable)."""
        p = parse_numeric(column)
        text = None if not (p.bad.any() or p.non_integer.any()) else to_str(column)
        self.bad.add(p.bad, lines, text)
        self.non_integer.add(p.non_integer, lines, text)
        v = p.value
        ok = np.isfinite(v)
        self.valid += int(np.count_nonzero(ok))
        if not ok.any():
            return v
        vv = v[ok]
        self.low = min(self.low, float(vv.min()))
        self.high = max(self.high, float(vv.max()))
        safe = np.where(ok, v, 0.0)
        self.negative.add(ok & (safe < 0), lines)
        self.millis.add((safe >= SECONDS_BELOW) & (safe < MILLISECONDS_BELOW), lines)
        self.micros.add((safe >= MILLISECONDS_BELOW) & (safe < MICROSECONDS_BELOW), lines)
        self.nanos.add(safe >= MICROSECONDS_BELOW, lines)
        seconds = ok & (safe >= 0) & (safe < SECONDS_BELOW)
        self.future.add(seconds & (safe > self.now + FUTURE_SLACK_SECONDS), lines)
        if self.distribution and seconds.any():
            day = (safe[seconds] // 86_400).astype(np.int64)
            low = int(day.min())
            if int(day.max()) - low < 1_000_000:  # bincount is O(n); np.unique sorts
                n = np.bincount(day - low)
                nz = np.flatnonzero(n)
                pairs = zip((nz + low).tolist(), n[nz].tolist(), strict=True)
            else:
                u, n = np.unique(day, return_counts=True)
                pairs = zip(u.tolist(), n.tolist(), strict=True)
            for d, c in pairs:
                self.days[d] = self.days.get(d, 0) + c
            pos = np.flatnonzero(seconds)
            k = min(MAX_EXAMPLES, len(pos))
            take = pos[np.argpartition(safe[pos], k - 1)[:k]] if k < len(pos) else pos
            rows = lines.at(take)
            merged = self.oldest + [
                (float(safe[i]), int(r)) for i, r in zip(take, rows, strict=True)
            ]
            self.oldest = sorted(merged)[:MAX_EXAMPLES]
        return v

    def time_range(self) -> tuple[datetime | None, datetime | None]:
        """Earliest and latest plausible (epoch-seconds) day."""
        if not self.days:
            return None, None
        lo, hi = min(self.days) * 86_400, (max(self.days) + 1) * 86_400 - 1
        return datetime.fromtimestamp(lo, tz=UTC), datetime.fromtimestamp(hi, tz=UTC)

    def findings(self, rows: int) -> list[Finding]:  # noqa: C901 - one finding per rule
        """Findings for this timestamp column."""
        out: list[Finding] = []
        c = self.name
        if self.bad.count:
            dates = any(_DATE_LIKE.match(v) for v in self.bad.values)
            hint = " They look like dates/times, not epoch seconds." if dates else ""
            out.append(
                Finding(
                    "timestamp_not_a_number",
                    "error",
                    f"{c} values are not numbers",
                    f"{self.bad.count} of {rows} values of {c} are not integers "
                    f"(e.g. {self.bad.sample()}).{hint} Personalize needs a long (epoch "
                    f"seconds) and rejects the import.",
                    f"Convert {c} to Unix epoch seconds (e.g. pandas: "
                    f"pd.to_datetime(col).astype('int64') // 10**9).",
                    tuple(self.bad.rows),
                    c,
                )
            )
        if self.non_integer.count:
            out.append(
                Finding(
                    "timestamp_not_integer",
                    "error",
                    f"{c} values have decimals",
                    f"{self.non_integer.count} values of {c} are not whole numbers "
                    f"(e.g. {self.non_integer.sample()}); the schema type is long.",
                    f"Round {c} down to whole seconds and write it without decimals or exponents.",
                    tuple(self.non_integer.rows),
                    c,
                )
            )
        for tally, unit, divisor in (
            (self.millis, "milliseconds", "1000"),
            (self.micros, "microseconds", "1000000"),
            (self.nanos, "nanoseconds", "1000000000"),
        ):
            if tally.count:
                bound = {"milliseconds": "1e11", "microseconds": "1e14"}.get(unit, "1e17")
                out.append(
                    Finding(
                        f"timestamp_{unit}",
                        "error",
                        f"{c} looks like {unit}",
                        f"{pct(tally.count, self.valid)} of {c} values ({tally.count} of "
                        f"{self.valid}) are > {bound}: they look like {unit}, not epoch seconds "
                        f"(as seconds they would be dates after the year 5000).",
                        f"Divide {c} by {divisor} (integer division).",
                        tuple(tally.rows),
                        c,
                    )
                )
        if self.negative.count:
            out.append(
                Finding(
                    "timestamp_negative",
                    "error",
                    f"Negative {c}",
                    f"{self.negative.count} values of {c} are negative (before 1970), "
                    f"e.g. {self.low:.0f}.",
                    "Fix the conversion that produced these rows, or drop them.",
                    tuple(self.negative.rows),
                    c,
                )
            )
        if self.future.count and self.future.count >= FUTURE_BULK_SHARE * self.valid:
            out.append(
                Finding(
                    "timestamps_mostly_future",
                    "error",
                    f"Most {c} values are in the future",
                    f"{self.future.count} of {self.valid} values of {c} "
                    f"({pct(self.future.count, self.valid)}) are after {iso(self.now)} (latest "
                    f"{iso(min(self.high, SECONDS_BELOW - 1))}); the data as a whole "
                    f"has implausible times, so the time-based split and recency weighting "
                    f"would train on nonsense.",
                    f"Fix how {c} is computed for the whole export (unit, time zone, year), "
                    "then prepare the file again.",
                    tuple(self.future.rows),
                    c,
                )
            )
        elif self.future.count:
            out.append(
                Finding(
                    "timestamp_future",
                    "warning",
                    f"{c} in the future",
                    f"{self.future.count} values of {c} ({pct(self.future.count, self.valid)}) are "
                    f"after {iso(self.now)} (latest "
                    f"{iso(min(self.high, SECONDS_BELOW - 1))}); "
                    f"Personalize's time-based split and recency weighting will be skewed.",
                    f"Check the clock/time zone of the system that wrote {c}; drop or fix "
                    "these rows.",
                    tuple(self.future.rows),
                    c,
                )
            )
        if self.distribution and self.valid >= 2 and self.low == self.high:
            out.append(
                Finding(
                    "timestamps_identical",
                    "warning",
                    f"All {c} values are identical",
                    f"All {self.valid} values of {c} are {self.low:.0f}; the model cannot learn "
                    f"the order of events and the time-based test split is meaningless.",
                    "Export the real event time for each interaction.",
                    (),
                    c,
                )
            )
        out.extend(self._old_tail())
        return out

    def _old_tail(self) -> list[Finding]:
        if not self.distribution or len(self.days) < 2:
            return []
        # Future days are a finding of their own; a few far-future placeholders (2099-12-31)
        # must not become the "recent bulk" that everything real is measured against.
        last_day = (self.now + FUTURE_SLACK_SECONDS) // 86_400
        days = np.array(sorted(d for d in self.days if d <= last_day))
        if len(days) < 2:
            return []
        counts = np.array([self.days[d] for d in days])
        cum = np.cumsum(counts)
        total = int(cum[-1])
        p90 = int(days[np.searchsorted(cum, 0.9 * total)])
        apart = int(counts[days < p90 - DECADES_APART_DAYS].sum())
        if apart >= DECADES_APART_SHARE * total:
            return [self._decades_apart(apart, total, p90, float(days[0]))]
        q1 = int(days[np.searchsorted(cum, 0.25 * total)])
        cutoff = q1 - OLD_TAIL_DAYS
        tail = int(counts[days < cutoff].sum())
        if not tail:
            return []
        rows = tuple(r for v, r in self.oldest if v < cutoff * 86_400)
        return [
            Finding(
                "timestamps_old_tail",
                "warning",
                f"A tail of very old {self.name} values",
                f"{tail} events ({pct(tail, total)}) are more than "
                f"{OLD_TAIL_DAYS // 365} years "
                f"older than the bulk of the data (75% of events are after {iso(q1 * 86_400)}; "
                f"oldest {iso(float(days[0]) * 86_400)}); they add noise and training time, or "
                f"come from a broken conversion.",
                f"Drop events before {iso(cutoff * 86_400)} unless they are real, or fix how "
                f"their {self.name} was computed.",
                rows,
                self.name,
            )
        ]

    def _decades_apart(self, apart: int, total: int, p90: int, oldest_day: float) -> Finding:
        years = DECADES_APART_DAYS // 365
        cutoff = (p90 - DECADES_APART_DAYS) * 86_400
        return Finding(
            "timestamps_decades_apart",
            "error",
            f"{pct(apart, total)} of {self.name} values are decades before the rest",
            f"{apart} of {total} events are more than {years} years before the recent bulk "
            f"(90% of the events not in the future are before {iso(p90 * 86_400)}; oldest "
            f"{iso(oldest_day * 86_400)}): too many to be real history, they look like "
            "defaulted or wrongly converted dates.",
            f"Fix how {self.name} is computed for these rows (or drop them), then prepare "
            "the file again.",
            tuple(r for v, r in self.oldest if v < cutoff),
            self.name,
        )


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
