"""Waiting for one dependency level of an apply: every resource of the level read each round
until all are ACTIVE (``services.polling.wait_for``); the first that ends otherwise stops the
apply with its step and reason (``ApplyError``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.polling import Polling, PollTimedOut, wait_for

RUNNING = {"CREATE PENDING", "CREATE IN_PROGRESS", "UPDATE PENDING", "UPDATE IN_PROGRESS"}


class ApplyError(Exception):
    """A step did not end ACTIVE (or took too long, or was refused); ``step`` names it."""

    def __init__(self, step: str, cause: str) -> None:
        super().__init__(f"{step}: {cause}")
        self.step = step


@dataclass(frozen=True)
class Wait:
    """One thing a level waits for: the step it belongs to and how to read its status
    (a Describe* answer's resource: ``status``, and ``failureReason`` when it failed); ``arn``:
    the resource whose job it waits for, when one queues for it (a version, a recommender, an
    import job), so a progress line can say where that job waits."""

    step: str
    read: Callable[[], dict[str, Any]]
    arn: str | None = None


def wait_all(
    waits: list[Wait],
    polling: Polling,
    *,
    say: Callable[[str], None],
    progress_s: float | None,
    on_step: Callable[[str], None],
    queued: Callable[[str], str | None] | None = None,
) -> None:
    """One wait for several resources: each round reads those not yet ACTIVE; the first
    that ends otherwise (CREATE FAILED, ...) stops the apply with its step and reason.

    ``on_step`` is told the step being waited for (a read Personalize refuses is reported
    under it); with ``progress_s``, ``say`` gets at least that often (seconds) a line naming
    what still runs and its status, and for a PENDING one what ``queued`` says of its ARN
    (where its job waits: ``services.datasets.local_engine.queue``), e.g. "recommenders/x
    (CREATE PENDING: queued behind the train job of solution/y/1a2b, position 1 in the queue)".

    Raises:
        ApplyError: a resource ended other than ACTIVE, or ``polling`` timed out.
    """
    left = list(waits)

    def read() -> list[tuple[Wait, str]]:
        """Each wait still running after this round, with its status."""
        still: list[tuple[Wait, str]] = []
        for w in list(left):
            doc = w.read()
            if doc["status"] == "ACTIVE":
                left.remove(w)
            elif doc["status"] in RUNNING:
                still.append((w, str(doc["status"])))
            else:
                on_step(w.step)
                reason = doc.get("failureReason") or "no reason"
                raise ApplyError(w.step, f"{doc['status']}: {reason}")
        return still

    if not left:
        return
    step = left[0].step if len(left) == 1 else f"waiting for {len(left)} steps"
    on_step(step)
    said = time.monotonic()

    def state(w: Wait, status: str) -> str:
        """``status``, with where the job waits when it has not started."""
        where = queued(w.arn) if queued and w.arn and status.endswith("PENDING") else None
        return f"{status}: {where}" if where else status

    def progress(still: list[tuple[Wait, str]], waited: float) -> None:
        nonlocal said
        if progress_s is None or time.monotonic() - said < progress_s:
            return
        said = time.monotonic()
        running = ", ".join(
            f"{w.step.removeprefix('waiting for ')} ({state(w, status)})" for w, status in still
        )
        say(f"waiting {waited:.0f}s so far for {running}")

    try:
        wait_for(read, lambda _: not left, polling, between=progress)
    except PollTimedOut as err:
        states = ", ".join(f"{w.step} still {status}" for w, status in err.last)
        raise ApplyError(step, f"{states} after {err.timeout_s:g} s") from None
