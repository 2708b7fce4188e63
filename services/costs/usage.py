"""Campaign and recommender traffic, and what it says: requests, peak rate, billed hours.

Personalize bills a campaign, per 5-minute window, the larger of its ``minProvisionedTPS`` and
the window's actual TPS (requests ÷ 300 s), and a recommender, per hour, the larger of its
``minRecommendationRequestsPerSecond`` and the hour's average requests a second (see
``pricing``). Traffic arrives in 5-minute windows: CloudWatch's ``AWS/Personalize``
GetRecommendations/GetPersonalizedRanking sums at a 300-second period, and the local engine's
own request counts; ``rebucket`` adds them up into hours for a recommender.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

WINDOW = timedelta(minutes=5)
WINDOW_SECONDS = WINDOW.total_seconds()
HOUR = timedelta(hours=1)

Series = Sequence[tuple[datetime, int]]  # (window start, requests in the window)


class RequestSource(Protocol):
    """Where request counts come from: CloudWatch on AWS, the engine's counters locally."""

    def requests(
        self, campaign_arns: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Series]:
        """Requests per 5-minute window in ``[start, end)`` of each campaign or recommender
        ARN; windows without requests may be missing. Raises ServiceError when the source
        cannot be read."""
        ...


@dataclass(frozen=True)
class Usage:
    """One campaign's (or recommender's) traffic over ``[start, end)``; for a recommender
    the windows are hours and the rates requests a second (RPS) rather than TPS."""

    start: datetime
    end: datetime
    requests: int
    peak_tps: float  # the busiest window's requests ÷ its seconds
    last_request: datetime | None  # start of the newest window with a request
    billed_tps_hours: float  # Σ over windows of max(minimum, actual rate) × window length

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)


def rebucket(series: Series, window: timedelta) -> Series:
    """``series`` summed into windows of ``window`` (aligned to the epoch, as CloudWatch's
    periods are), oldest first."""
    size = window.total_seconds()
    sums: dict[datetime, int] = {}
    for when, n in series:
        start = datetime.fromtimestamp(when.timestamp() // size * size, tz=when.tzinfo)
        sums[start] = sums.get(start, 0) + n
    return sorted(sums.items())


def usage(
    series: Series, min_tps: int, start: datetime, end: datetime, window: timedelta = WINDOW
) -> Usage:
    """Summarise ``series`` (requests per ``window``) for a campaign provisioned at
    ``min_tps`` (or a recommender at ``min_tps`` requests a second, ``window`` an hour) over
    ``[start, end)``.

    Windows the series lacks had no requests, so they bill the minimum. Raises ValueError
    when ``end`` is not after ``start``.
    """
    if end <= start:
        raise ValueError("the usage window must end after it starts")
    seconds = window.total_seconds()
    # A window counts when it overlaps [start, end): the one a campaign was created in too.
    inside = [(t, n) for t, n in series if start - window < t < end and n > 0]
    windows = (end - start) / window
    busy_extra = sum(max(0.0, n / seconds - min_tps) for _, n in inside)
    # Every window bills the minimum; a busy window bills its excess over it on top.
    billed = (windows * min_tps + busy_extra) * seconds / 3600
    return Usage(
        start=start,
        end=end,
        requests=sum(n for _, n in inside),
        peak_tps=max((n / seconds for _, n in inside), default=0.0),
        last_request=max((t for t, _ in inside), default=None),
        billed_tps_hours=billed,
    )
