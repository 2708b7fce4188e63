"""Campaign traffic in 5-minute windows, and what it says: requests, peak TPS, billed TPS-hours.

Personalize bills a campaign, per 5-minute window, the larger of its ``minProvisionedTPS`` and
the window's actual TPS (requests ÷ 300 s) (pricing page, see ``pricing``). The same windows
are CloudWatch's ``AWS/Personalize`` GetRecommendations/GetPersonalizedRanking sums at a
300-second period, and the local engine's own request counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

WINDOW = timedelta(minutes=5)
WINDOW_SECONDS = WINDOW.total_seconds()

Series = Sequence[tuple[datetime, int]]  # (window start, requests in the window)


class RequestSource(Protocol):
    """Where request counts come from: CloudWatch on AWS, the engine's counters locally."""

    def requests(
        self, campaign_arns: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Series]:
        """Requests per 5-minute window in ``[start, end)``; windows without requests may be
        missing. Raises ServiceError when the source cannot be read."""
        ...


@dataclass(frozen=True)
class Usage:
    """One campaign's traffic over ``[start, end)``."""

    start: datetime
    end: datetime
    requests: int
    peak_tps: float  # the busiest 5-minute window's requests ÷ 300 s
    last_request: datetime | None  # start of the newest window with a request
    billed_tps_hours: float  # Σ over windows of max(minProvisionedTPS, actual TPS) × 5 min

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)


def usage(series: Series, min_tps: int, start: datetime, end: datetime) -> Usage:
    """Summarise ``series`` for a campaign provisioned at ``min_tps`` over ``[start, end)``.

    Windows the series lacks had no requests, so they bill ``min_tps``. Raises ValueError
    when ``end`` is not after ``start``.
    """
    if end <= start:
        raise ValueError("the usage window must end after it starts")
    # A window counts when it overlaps [start, end): the one a campaign was created in too.
    inside = [(t, n) for t, n in series if start - WINDOW < t < end and n > 0]
    windows = (end - start) / WINDOW
    busy_extra = sum(max(0.0, n / WINDOW_SECONDS - min_tps) for _, n in inside)
    # Every window bills min_tps; a busy window bills its excess over it on top.
    billed = (windows * min_tps + busy_extra) * WINDOW_SECONDS / 3600
    return Usage(
        start=start,
        end=end,
        requests=sum(n for _, n in inside),
        peak_tps=max((n / WINDOW_SECONDS for _, n in inside), default=0.0),
        last_request=max((t for t, _ in inside), default=None),
        billed_tps_hours=billed,
    )
