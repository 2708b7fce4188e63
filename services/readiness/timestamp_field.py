"""Checks of a TIMESTAMP column: unit, unparseable, future and implausibly old values."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from .columns import RowLines, Tally, parse_numeric, to_str
from .figures import iso, pct
from .limits import (
    DECADES_APART_DAYS,
    DECADES_APART_SHARE,
    FUTURE_BULK_SHARE,
    FUTURE_SLACK_SECONDS,
    MAX_EXAMPLES,
    MICROSECONDS_BELOW,
    MILLISECONDS_BELOW,
    OLD_TAIL_DAYS,
    SECONDS_BELOW,
)
from .report import Finding

_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}/\d{1,2}/\d{2,4}")


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
