"""Checks of a TIMESTAMP column: unit, unparseable, future and implausibly old values."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from services.i18n import N_, N_plural, _, formats, ngettext

from .columns import RowLines, Tally, parse_numeric, to_str
from .figures import counted, iso, pct
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
from .tally_checks import TallyCheck, tally_findings

_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}/\d{1,2}/\d{2,4}")


# the units a timestamp column may have been written in, as the findings name them
_UNITS = {
    "milliseconds": N_("milliseconds"),
    "microseconds": N_("microseconds"),
    "nanoseconds": N_("nanoseconds"),
}


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
        self.first = np.inf  # the earliest and latest plausible epoch second
        self.last = -np.inf
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
        if seconds.any():
            self.first = min(self.first, float(safe[seconds].min()))
            self.last = max(self.last, float(safe[seconds].max()))
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
        """Earliest and latest plausible (epoch-seconds) value, to the second (UTC-aware)."""
        if self.first > self.last:
            return None, None
        return (
            datetime.fromtimestamp(self.first, tz=UTC),
            datetime.fromtimestamp(self.last, tz=UTC),
        )

    def findings(self, rows: int) -> list[Finding]:  # noqa: C901 - one finding per rule
        """Findings for this timestamp column."""
        c = self.name
        dates = any(_DATE_LIKE.match(v) for v in self.bad.values)
        hint = _(" They look like dates/times, not epoch seconds.") if dates else ""
        out = tally_findings(self, _NOT_SECONDS, c, rows=rows, hint=hint)
        for tally, unit, divisor in (
            (self.millis, "milliseconds", "1000"),
            (self.micros, "microseconds", "1000000"),
            (self.nanos, "nanoseconds", "1000000000"),
        ):
            if tally.count:
                bound = {"milliseconds": "1e11", "microseconds": "1e14"}.get(unit, "1e17")
                shown = _(_UNITS[unit])
                out.append(
                    Finding(
                        f"timestamp_{unit}",
                        "error",
                        _("{column} looks like {unit}").format(column=c, unit=shown),
                        _(
                            "{share} of {column} values ({count} of {valid}) are > {bound}: they "
                            "look like {unit}, not epoch seconds (as seconds they would be dates "
                            "after the year 5000)."
                        ).format(
                            share=pct(tally.count, self.valid),
                            column=c,
                            count=formats.count(tally.count),
                            valid=formats.count(self.valid),
                            bound=bound,
                            unit=shown,
                        ),
                        _("Divide {column} by {divisor} (integer division).").format(
                            column=c, divisor=divisor
                        ),
                        tuple(tally.rows),
                        c,
                    )
                )
        out += tally_findings(self, (_NEGATIVE,), c, low=f"{self.low:.0f}")
        if self.future.count:
            bulk = self.future.count >= FUTURE_BULK_SHARE * self.valid
            out += tally_findings(
                self,
                (_MOSTLY_FUTURE if bulk else _FUTURE,),
                c,
                total=self.valid,
                valid=self.valid,
                now=iso(self.now),
                latest=iso(min(self.high, SECONDS_BELOW - 1)),
            )
        if self.distribution and self.valid >= 2 and self.low == self.high:
            out.append(
                Finding(
                    "timestamps_identical",
                    "warning",
                    _("All {column} values are identical").format(column=c),
                    _(
                        "All {valid} values of {column} are {value}; the model cannot learn the "
                        "order of events and the time-based test split is meaningless."
                    ).format(valid=formats.count(self.valid), column=c, value=f"{self.low:.0f}"),
                    _("Export the real event time for each interaction."),
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
                _("A tail of very old {column} values").format(column=self.name),
                ngettext(
                    "{tail} event ({share}) is more than {years} years older than the bulk of "
                    "the data (75% of events are after {q1}; oldest {oldest}); it adds noise "
                    "and training time, or comes from a broken conversion.",
                    "{tail} events ({share}) are more than {years} years older than the bulk of "
                    "the data (75% of events are after {q1}; oldest {oldest}); they add noise "
                    "and training time, or come from a broken conversion.",
                    tail,
                ).format(
                    tail=formats.count(tail),
                    share=pct(tail, total),
                    years=OLD_TAIL_DAYS // 365,
                    q1=iso(q1 * 86_400),
                    oldest=iso(float(days[0]) * 86_400),
                ),
                _(
                    "Drop events before {cutoff} unless they are real, or fix how their {column} "
                    "was computed."
                ).format(cutoff=iso(cutoff * 86_400), column=self.name),
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
            _("{share} of {column} values are decades before the rest").format(
                share=pct(apart, total), column=self.name
            ),
            ngettext(
                "{apart} of {total} events is more than {years} years before the recent bulk "
                "(90% of the events not in the future are before {p90}; oldest {oldest}): too "
                "many to be real history, it looks like a defaulted or wrongly converted date.",
                "{apart} of {total} events are more than {years} years before the recent bulk "
                "(90% of the events not in the future are before {p90}; oldest {oldest}): too "
                "many to be real history, they look like defaulted or wrongly converted dates.",
                apart,
            ).format(
                **counted(apart=apart, total=total),
                years=years,
                p90=iso(p90 * 86_400),
                oldest=iso(oldest_day * 86_400),
            ),
            _(
                "Fix how {column} is computed for these rows (or drop them), then prepare the "
                "file again."
            ).format(column=self.name),
            tuple(r for v, r in self.oldest if v < cutoff),
            self.name,
        )


# Values that are not epoch seconds at all, reported first.
_NOT_SECONDS = (
    TallyCheck(
        "bad",
        "timestamp_not_a_number",
        "error",
        N_("{column} values are not numbers"),
        N_plural(
            "{count} of {rows} values of {column} is not an integer (e.g. "
            "{sample}).{hint} Personalize needs a long (epoch seconds) and rejects "
            "the import.",
            "{count} of {rows} values of {column} are not integers (e.g. "
            "{sample}).{hint} Personalize needs a long (epoch seconds) and rejects "
            "the import.",
        ),
        N_(
            "Convert {column} to Unix epoch seconds (e.g. pandas: "
            "`pd.to_datetime(col).astype('int64') // 1_000_000_000`)."
        ),
    ),
    TallyCheck(
        "non_integer",
        "timestamp_not_integer",
        "error",
        N_("{column} values have decimals"),
        N_plural(
            "{count} value of {column} is not a whole number (e.g. {sample}); the "
            "schema type is long.",
            "{count} values of {column} are not whole numbers (e.g. {sample}); the "
            "schema type is long.",
        ),
        N_("Round {column} down to whole seconds and write it without decimals or exponents."),
    ),
)
_NEGATIVE = TallyCheck(
    "negative",
    "timestamp_negative",
    "error",
    N_("Negative {column}"),
    N_plural(
        "{count} value of {column} is negative (before 1970), e.g. {low}.",
        "{count} values of {column} are negative (before 1970), e.g. {low}.",
    ),
    N_("Fix the conversion that produced these rows, or drop them."),
)
# Times after now: most of the file (the data as a whole is wrong) or a few rows.
_MOSTLY_FUTURE = TallyCheck(
    "future",
    "timestamps_mostly_future",
    "error",
    N_("Most {column} values are in the future"),
    N_plural(
        "{count} of {valid} values of {column} ({share}) is after {now} (latest "
        "{latest}); the data as a whole has implausible times, so the time-based "
        "split and recency weighting would train on nonsense.",
        "{count} of {valid} values of {column} ({share}) are after {now} (latest "
        "{latest}); the data as a whole has implausible times, so the time-based "
        "split and recency weighting would train on nonsense.",
    ),
    N_(
        "Fix how {column} is computed for the whole export (unit, time zone, "
        "year), then prepare the file again."
    ),
)
_FUTURE = TallyCheck(
    "future",
    "timestamp_future",
    "warning",
    N_("{column} in the future"),
    N_plural(
        "{count} value of {column} ({share}) is after {now} (latest {latest}); "
        "Personalize's time-based split and recency weighting will be skewed.",
        "{count} values of {column} ({share}) are after {now} (latest {latest}); "
        "Personalize's time-based split and recency weighting will be skewed.",
    ),
    N_("Check the clock/time zone of the system that wrote {column}; drop or fix these rows."),
)
