"""The engine's own request counts: successful GetRecommendations / GetPersonalizedRanking calls
per campaign (and GetRecommendations per recommender) per 5-minute window — what CloudWatch's
``AWS/Personalize`` metrics of the same names (Sum, dimension CampaignArn or RecommenderArn,
300-second period) report on AWS. The ``campaign_arn`` column holds either kind of ARN.

Counting must not slow the runtime: ``record`` adds to an in-memory tally, and the tally goes
to SQL in one short transaction at most every ``FLUSH_SECONDS``, so several processes sharing a
data directory each add their own counts. A tally never waits for the next request to be saved:
a timer saves it ``FLUSH_SECONDS`` after it started, and the process saves what is left when it
exits (a short-lived CLI, such as the refresh pipeline's verify step, counts too).
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

_log = logging.getLogger(__name__)

WINDOW_SECONDS = 300
FLUSH_SECONDS = 30.0
COUNTED = frozenset({"GetRecommendations", "GetPersonalizedRanking"})

metadata = sa.MetaData()
campaign_requests = sa.Table(
    "campaign_requests",
    metadata,
    sa.Column("campaign_arn", sa.String(256), primary_key=True),
    sa.Column("window_start", sa.Integer, primary_key=True),  # epoch seconds, multiple of 300
    sa.Column("requests", sa.Integer, nullable=False),
)


_live: weakref.WeakSet[RequestCounter] = weakref.WeakSet()


@atexit.register
def _flush_all_at_exit() -> None:
    for counter in list(_live):
        counter.flush(at_exit=True)


class RequestCounter:
    """Per-campaign request tallies of one process, flushed to the engine database.

    ``idle_flush_seconds``: wall-clock delay after which a timer saves a tally that no later
    request has saved (tests shorten it)."""

    def __init__(
        self,
        db: sa.Engine,
        clock: Callable[[], float],
        idle_flush_seconds: float = FLUSH_SECONDS,
    ) -> None:
        self._db = db
        self._clock = clock
        self._pending: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()
        self._last_flush = clock()
        self._idle_flush_seconds = idle_flush_seconds
        self._timer: threading.Timer | None = None
        metadata.create_all(db)
        _live.add(self)

    def record(self, operation: str, params: dict) -> None:
        """Count one successful runtime call (other operations are ignored)."""
        arn = params.get("campaignArn") or params.get("recommenderArn")
        if operation not in COUNTED or not arn:
            return
        now = self._clock()
        with self._lock:
            self._pending[(arn, int(now // WINDOW_SECONDS) * WINDOW_SECONDS)] += 1
            due = now - self._last_flush >= FLUSH_SECONDS
            if not due and self._timer is None:
                self._timer = threading.Timer(self._idle_flush_seconds, self.flush)
                self._timer.daemon = True  # the exit hook saves what a cancelled timer leaves
                self._timer.start()
        if due:
            self.flush()

    def flush(self, at_exit: bool = False) -> None:
        """Add the pending tallies to SQL; on a database error they stay pending (at exit they
        are dropped silently: the data directory may be gone, and logging may be shut)."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last_flush = self._clock()
            timer, self._timer = self._timer, None
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()
        if not pending:
            return
        try:
            with self._db.begin() as conn:
                for (arn, window), n in pending.items():
                    where = (campaign_requests.c.campaign_arn == arn) & (
                        campaign_requests.c.window_start == window
                    )
                    bump = campaign_requests.update().where(where)
                    done = conn.execute(bump.values(requests=campaign_requests.c.requests + n))
                    if done.rowcount == 0:
                        conn.execute(
                            campaign_requests.insert().values(
                                campaign_arn=arn, window_start=window, requests=n
                            )
                        )
        except SQLAlchemyError:  # counts are a report, never a reason to fail a request
            if at_exit:
                return
            _log.warning("could not save request counts; keeping them for later", exc_info=True)
            with self._lock:
                self._pending.update(pending)


def read_counts(
    db: sa.Engine, campaign_arns: Sequence[str], start: datetime, end: datetime
) -> dict[str, list[tuple[datetime, int]]]:
    """Requests per 5-minute window in ``[start, end)``, per campaign (windows without
    requests are absent); campaigns never called map to an empty list."""
    counts: dict[str, list[tuple[datetime, int]]] = {arn: [] for arn in campaign_arns}
    if not campaign_arns or not sa.inspect(db).has_table(campaign_requests.name):
        return counts
    c = campaign_requests.c
    query = (
        sa.select(c.campaign_arn, c.window_start, c.requests)
        .where(c.campaign_arn.in_(list(campaign_arns)))
        .where(c.window_start >= start.timestamp(), c.window_start < end.timestamp())
        .order_by(c.campaign_arn, c.window_start)
    )
    with db.connect() as conn:
        for arn, window, n in conn.execute(query):
            counts[arn].append((datetime.fromtimestamp(window, UTC), n))
    return counts
