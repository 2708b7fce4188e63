"""The one way this code waits for a Personalize resource or job to reach a status.

Personalize has no botocore waiters (``boto3.client("personalize").waiter_names`` is empty),
and a long-running caller needs more than a fixed-delay waiter offers anyway: a deadline that
names the last state, a check between reads (a refresh run that lost its lock stops at once),
progress lines, and an interval that may grow (an export job takes minutes; its first seconds
are worth reading often). Every status loop (refresh steps, dataset exports, the demo seed,
a new solution) calls :func:`wait_for`, so the order of read, check, deadline and sleep is the
same everywhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


class PollTimedOut(Exception, Generic[T]):  # noqa: N818 (reads as what happened)
    """The value was not done by the deadline; ``last`` is the last value read."""

    def __init__(self, last: T, timeout_s: float) -> None:
        super().__init__(f"not done after {timeout_s:g} s")
        self.last = last
        self.timeout_s = timeout_s


@dataclass(frozen=True)
class Polling:
    """How often to read and for how long.

    ``interval_s`` is the first pause between reads (seconds); with ``max_interval_s`` each
    pause doubles up to it, without it every pause is the same. ``timeout_s`` counts from the
    first read. ``sleep`` and ``clock`` are replaced in tests.
    """

    interval_s: float
    timeout_s: float
    max_interval_s: float | None = None
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)


def wait_for(
    read: Callable[[], T],
    done: Callable[[T], bool],
    polling: Polling,
    *,
    between: Callable[[T, float], None] | None = None,
) -> T:
    """Call ``read`` until ``done(value)``, pausing as ``polling`` says; returns that value.

    Each round reads, returns if done, raises past the deadline, calls ``between(value,
    seconds waited so far)`` (progress lines; it may raise to stop the wait), then sleeps.

    Raises:
        PollTimedOut: the deadline passed with ``value`` still not done (``err.last``).
        Whatever ``read``, ``done`` or ``between`` raise (a failed status, a lost lock).
    """
    started = polling.clock()
    deadline = started + polling.timeout_s
    pause = polling.interval_s
    while True:
        value = read()
        if done(value):
            return value
        now = polling.clock()
        if now >= deadline:
            raise PollTimedOut(value, polling.timeout_s)
        if between is not None:
            between(value, now - started)
        polling.sleep(pause)
        if polling.max_interval_s is not None:
            pause = min(pause * 2, polling.max_interval_s)
