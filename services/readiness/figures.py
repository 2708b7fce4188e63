"""How findings state figures: a share as a percentage, epoch seconds as a date."""

from __future__ import annotations

from datetime import UTC, datetime


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
