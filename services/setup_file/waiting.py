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
    (a Describe* answer's resource: ``status``, and ``failureReason`` when it failed)."""

    step: str
    read: Callable[[], dict[str, Any]]


def wait_all(
    waits: list[Wait],
    polling: Polling,
    *,
    say: Callable[[str], None],
    progress_s: float | None,
    on_step: Callable[[str], None],
) -> None:
    """One wait for several resources: each round reads those not yet ACTIVE; the first
    that ends otherwise (CREATE FAILED, ...) stops the apply with its step and reason.

    ``on_step`` is told the step being waited for (a read Personalize refuses is reported
    under it); with ``progress_s``, ``say`` gets at least that often (seconds) a line naming
    what still runs and its status.

    Raises:
        ApplyError: a resource ended other than ACTIVE, or ``polling`` timed out.
    """
    left = list(waits)

    def read() -> list[tuple[str, str]]:
        """The (step, status) of those still running after this round."""
        still: list[tuple[str, str]] = []
        for w in list(left):
            doc = w.read()
            if doc["status"] == "ACTIVE":
                left.remove(w)
            elif doc["status"] in RUNNING:
                still.append((w.step, str(doc["status"])))
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

    def progress(still: list[tuple[str, str]], waited: float) -> None:
        nonlocal said
        if progress_s is None or time.monotonic() - said < progress_s:
            return
        said = time.monotonic()
        running = ", ".join(
            f"{step.removeprefix('waiting for ')} ({status})" for step, status in still
        )
        say(f"waiting {waited:.0f}s so far for {running}")

    try:
        wait_for(read, lambda _: not left, polling, between=progress)
    except PollTimedOut as err:
        states = ", ".join(f"{step} still {status}" for step, status in err.last)
        raise ApplyError(step, f"{states} after {err.timeout_s:g} s") from None
