"""The local engine's own request counters, read for the cost section (``services.costs``).

In-process, the engine's pending tallies are flushed first, so the figures are current;
behind an HTTP endpoint (``make serve``) the database is read as the server last flushed it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from services.config import Settings
from services.costs.usage import Series


class EngineRequests:
    """``RequestSource`` over the local engine's counters (``services.local.runtime.usage``).

    In-process, the engine's pending tallies are flushed first, so the figures are current;
    behind an HTTP endpoint (``make serve``) the database is read as the server last flushed
    it (at most ``FLUSH_SECONDS`` old).
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def requests(
        self, campaign_arns: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Series]:
        from services.db import make_engine
        from services.local.runtime.usage import read_counts

        if self._settings.endpoint_url:
            db = make_engine(self._settings.engine_db_url, read_only=True)
        else:
            from services.local.engine import get_engine

            engine = get_engine(self._settings)
            engine.requests.flush()
            db = engine.read_db
        return read_counts(db, campaign_arns, start, end)
