"""Calling Personalize from a long run: throttling retried with backoff, waits with timeouts."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from services.errors import Throttled

_log = logging.getLogger(__name__)

T = TypeVar("T")


class StepFailed(Exception):
    """A step cannot go on; ``str(err)`` is the reason shown to people."""


class WaitTimedOut(StepFailed):
    """A wait passed its deadline."""


class LostLock(Exception):
    """Another process took over this run (this one stalled past the lock's expiry)."""


@dataclass
class Caller:
    """Runs calls with retries on throttling and polls with deadlines.

    Backoff doubles from ``backoff_s`` up to ``max_backoff_s`` with ±50 % jitter (AWS's advice
    for throttled clients); after ``attempts`` throttled tries the error goes up. ``alive`` is
    checked while waiting, so a run that lost its lock stops at once.
    """

    poll_s: float = 5.0
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    attempts: int = 6
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    alive: Callable[[], bool] = lambda: True
    throttled: int = field(default=0, init=False)  # how many calls were retried (for the report)

    def call(self, fn: Callable[[], T]) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                return fn()
            except Throttled:
                if attempt == self.attempts:
                    raise
                self.throttled += 1
                delay = min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1))
                delay *= 0.5 + random.random()
                _log.info("throttled; retry %d in %.1f s", attempt, delay)
                self.sleep(delay)
        raise AssertionError("unreachable")

    def wait(
        self,
        read: Callable[[], T],
        done: Callable[[T], bool],
        timeout_s: float,
        describe: Callable[[T], str],
    ) -> T:
        """Poll ``read`` until ``done``; past ``timeout_s`` raise WaitTimedOut with the state."""
        deadline = self.clock() + timeout_s
        while True:
            if not self.alive():
                raise LostLock("another process took over this run")
            value = self.call(read)
            if done(value):
                return value
            if self.clock() >= deadline:
                raise WaitTimedOut(f"gave up after {timeout_s / 60:g} min: {describe(value)}")
            self.sleep(self.poll_s)
