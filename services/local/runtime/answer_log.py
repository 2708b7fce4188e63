"""The runtime's answers on their way to SQL: written in batches, off the request path.

GetRecommendations / GetPersonalizedRanking hand each answer to ``AnswerLog.add`` (an append
under a lock); a background thread writes what is pending in one transaction every
``FLUSH_SECONDS`` or as soon as ``BATCH_ROWS`` answers wait, and ``close`` (engine shutdown)
or the process's exit writes the rest. A write per answer on the request path cost each
request a commit, and waited out any other writer holding the database (issue #24;
``bench/latency.py --answer-log``); a batch costs one commit for hundreds of answers, and
only the background thread waits.

Read-your-writes where it matters: PutEvents calls ``save`` with its events'
recommendationIds before it stores them, so an event sent right after its list was answered
still finds the list (its implicit impression, the campaign it credits). Readers of the tables
need no flush of their own: an event's list is saved before the event. Another process sharing
the database sees an answer of this one within ``FLUSH_SECONDS``.

Best effort, as before: a crash loses at most the answers not yet written (normally those of
the last ``FLUSH_SECONDS``), and a batch the store refuses (a full disk, a read-only or locked
database) is dropped with a warning in the log; the requests were answered all the same. A
refused batch is not retried: one row the store will never take would otherwise block every
later one. On AWS the figures these rows feed are not immediate either: a metric
attribution's PutEvents metrics reach CloudWatch in 15-minute periods ("Publishing and viewing
results", https://docs.aws.amazon.com/personalize/latest/dg/metric-attribution-results.html).
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.exc import SQLAlchemyError

from services.local.data.storage import tables as t

_log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.5  # longest an answer waits before it is written
BATCH_ROWS = 500  # a batch this large is written at once
MAX_PENDING = 50_000  # beyond this (a store that cannot keep up) new answers are dropped


@dataclass(frozen=True)
class Answer:
    """One answer's rows: ``issued`` for ``tables.issued`` (None: the group has no metric
    attribution), ``shown`` for ``tables.shown_lists`` (None: no event tracker, or no items)."""

    recommendation_id: str
    group_arn: str
    issued: dict[str, Any] | None
    shown: dict[str, Any] | None


_live: weakref.WeakSet[AnswerLog] = weakref.WeakSet()


@atexit.register
def _flush_all_at_exit() -> None:
    for log in list(_live):
        log.close(at_exit=True)


class AnswerLog:
    """The answers of one process not yet in the engine database ``db``.

    ``flush_seconds``, ``batch_rows``: when the background thread writes (tests lengthen
    ``flush_seconds`` to hold answers in the buffer)."""

    def __init__(
        self,
        db: Engine,
        *,
        flush_seconds: float = FLUSH_SECONDS,
        batch_rows: int = BATCH_ROWS,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._db = db
        self._flush_seconds = flush_seconds
        self._batch_rows = batch_rows
        self._max_pending = max_pending
        self._lock = threading.Lock()  # guards the fields below; never held during a write
        self._writing = threading.Lock()  # one batch at a time, in the order answered
        self._pending: list[Answer] = []
        self._unsaved: set[str] = set()  # pending or being written
        self._dropped = 0
        self._full = threading.Event()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()  # the running thread's own
        _live.add(self)

    def add(self, answer: Answer) -> None:
        """Queue one answer (never touches the database)."""
        with self._lock:
            if len(self._pending) >= self._max_pending:
                self._dropped += 1
                return
            self._pending.append(answer)
            self._unsaved.add(answer.recommendation_id)
            if len(self._pending) >= self._batch_rows:
                self._full.set()
            if self._thread is None:
                self._stop = threading.Event()
                self._thread = threading.Thread(
                    target=self._run, args=(self._stop,), name="answer-log", daemon=True
                )  # daemon: the exit hook writes what it leaves
                self._thread.start()

    def save(self, recommendation_ids: Iterable[str | None]) -> None:
        """Make sure the answers named ``recommendation_ids`` are written (or refused) before
        this returns: a flush when one of them is still unsaved, else nothing."""
        with self._lock:
            due = any(r in self._unsaved for r in recommendation_ids if r)
        if due:
            self.flush()

    def discard(self, group_arn: str) -> None:
        """Forget the pending answers of ``group_arn`` (the group is being deleted)."""
        with self._lock:
            gone = {a.recommendation_id for a in self._pending if a.group_arn == group_arn}
            self._pending = [a for a in self._pending if a.group_arn != group_arn]
            self._unsaved -= gone

    def flush(self, *, at_exit: bool = False) -> None:
        """Write every pending answer in one transaction, after any batch already being
        written. A refused batch is dropped with a warning (silently at exit: the data
        directory may be gone, and logging may be shut); nothing is raised."""
        with self._writing:
            with self._lock:
                batch, self._pending = self._pending, []
                dropped, self._dropped = self._dropped, 0
                self._full.clear()
            if dropped and not at_exit:
                _log.warning("%d recommendation lists not logged: too many waiting", dropped)
            if not batch:
                return
            try:
                issued = [a.issued for a in batch if a.issued is not None]
                shown = [a.shown for a in batch if a.shown is not None]
                with self._db.begin() as conn:
                    if issued:
                        conn.execute(insert(t.issued), issued)
                    if shown:
                        conn.execute(insert(t.shown_lists), shown)
            except (SQLAlchemyError, OSError) as err:
                if not at_exit:
                    _log.warning("%d recommendation lists not logged: %s", len(batch), err)
            finally:
                with self._lock:
                    self._unsaved.difference_update(a.recommendation_id for a in batch)

    def close(self, *, at_exit: bool = False) -> None:
        """Stop the background thread and write what is pending (engine shutdown)."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
        self._full.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self.flush(at_exit=at_exit)

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._full.wait(self._flush_seconds)
            if stop.is_set():
                return  # close writes the rest
            self.flush()
