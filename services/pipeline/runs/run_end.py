"""Ending a run's record even when the store faults for a moment, so a run never stays RUNNING
while its process lives on (a full disk, a locked SQLite file, a dropped connection)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from services.pipeline.runs.records import RunStore

_log = logging.getLogger(__name__)

# Seconds waited before each further attempt: a transient fault (a lock, a moment of a full
# disk) usually clears within these 7 s; a run that still cannot be written is left to its lock,
# which expires LOCK_SECONDS after the last heartbeat, so the run then reads as stalled and the
# next trigger takes it over (services.pipeline.control).
RETRY_WAITS = (1.0, 2.0, 4.0)


def finish_despite_faults(
    runs: RunStore,
    run_id: int,
    owner: str,
    status: str,
    reason: str | None,
    *,
    sleep: Callable[[float], None],
    waits: Sequence[float] = RETRY_WAITS,
) -> bool | None:
    """``runs.finish(run_id, owner, status, reason)``, tried again after each of ``waits``
    seconds while the store raises.

    Returns what ``finish`` returned (False: ``owner`` no longer holds the run), or None when
    every attempt raised (each is logged). Raises ValueError, as ``finish`` does, for a status
    a run cannot end with.
    """
    for wait in (*waits, None):
        try:
            return runs.finish(run_id, owner, status, reason)
        except ValueError:
            raise
        except Exception:
            _log.exception("could not record the end of refresh #%s (%s)", run_id, status)
            if wait is None:
                return None
            sleep(wait)
    return None  # not reached: the last attempt returns or gives up above
