"""How values read on every page: relative times, short IDs, status colours, deltas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.personalize.models import short_arn

# Severity → Streamlit colour name (for st.badge / :color[...] markdown).
STATUS_COLOURS = {
    "ACTIVE": "green",
    "CREATE FAILED": "red",
    "CREATE STOPPED": "gray",
    "CREATE STOPPING": "orange",
    "CREATE PENDING": "blue",
    "CREATE IN_PROGRESS": "blue",
    "DELETE PENDING": "gray",
    "DELETE IN_PROGRESS": "gray",
}


NO_VALUE = "–"  # a metric without a value (no truth to score against), a count nobody reports


def status_colour(status: str | None) -> str:
    """Colour name for a Personalize status string."""
    return STATUS_COLOURS.get(status or "", "gray")


def relative_time(when: datetime | None, now: datetime | None = None) -> str:
    """'3 h ago', 'in 5 min', 'just now'; '—' when unknown."""
    if when is None:
        return "—"
    now = now or datetime.now(UTC)
    delta = now - when
    future = delta < timedelta(0)
    text = duration(abs(delta))
    if text == "0 s":
        return "just now"
    return f"in {text}" if future else f"{text} ago"


def duration(delta: timedelta) -> str:
    """A duration in its largest sensible unit: '45 s', '90 min', '3 h', '2 d'."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 7200:  # "90 min" reads better than "1 h"
        return f"{seconds // 60} min"
    if seconds < 86400 * 2:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def run_time(delta: timedelta) -> str:
    """How long a run took: tenths of a second under a minute ('0.4 s', '12.5 s'; '< 0.1 s'
    below that), so a quick local training does not read '0 s'; otherwise as ``duration``."""
    seconds = delta.total_seconds()
    if seconds < 0.05:
        return "< 0.1 s"
    return f"{seconds:.1f} s" if seconds < 60 else duration(delta)


def billed_hours(hours: float) -> str:
    """Personalize's ``trainingHours`` in a unit that shows it: '2.50 h' from one hour on,
    else as ``run_time`` ('12 min', '1.4 s')."""
    return f"{hours:.2f} h" if hours >= 1 else run_time(timedelta(hours=hours))


def exact_time(when: datetime | None) -> str:
    """ISO time in UTC for hover text."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if when else "unknown"


def short_id(arn: str | None) -> str:
    """The readable tail of an ARN ('shop-recs', '5548c91f'); '—' for None."""
    return short_arn(arn) if arn else "—"


def percent_delta(new: float, old: float) -> str:
    """'+12%' / '−3%' of new against old; '' when old is zero."""
    if not old:
        return ""
    change = (new - old) / abs(old) * 100
    sign = "+" if change >= 0 else "−"
    return f"{sign}{abs(change):.0f}%"
