"""Calling Personalize from a long run: waits with timeouts that stop when the lock is lost."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from services.personalize.models import is_terminal
from services.polling import Polling, PollTimedOut, wait_for

T = TypeVar("T")


class _Job(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def failure_reason(self) -> str | None: ...


J = TypeVar("J", bound=_Job)


class StepFailed(Exception):
    """A step cannot go on; ``str(err)`` is the reason shown to people, ``detail`` what the
    step records with it (the numbers a page renders the reason again from)."""

    def __init__(self, reason: str, detail: Mapping[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.detail = dict(detail or {})


class WaitTimedOut(StepFailed):
    """A wait passed its deadline."""


class LostLock(Exception):
    """Another process took over this run (this one stalled past the lock's expiry)."""


@dataclass
class Caller:
    """Runs a step's calls and polls with deadlines.

    A call is sent once from here: throttling and transient faults are retried by botocore's
    standard retry mode, configured once for every client in ``services.personalize.clients``
    (exponential backoff with jitter, 5 attempts), and a retry layer here would multiply its
    attempts. ``alive`` is checked before each read of a wait, so a run that lost its lock
    stops at once.
    """

    poll_s: float = 5.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    alive: Callable[[], bool] = lambda: True

    def call(self, fn: Callable[[], T]) -> T:
        return fn()

    def wait(
        self,
        read: Callable[[], T],
        done: Callable[[T], bool],
        timeout_s: float,
        describe: Callable[[T], str],
    ) -> T:
        """Poll ``read`` until ``done``; past ``timeout_s`` raise WaitTimedOut with the state."""

        def alive_then_read() -> T:
            if not self.alive():
                raise LostLock("another process took over this run")
            return self.call(read)

        polling = Polling(self.poll_s, timeout_s, sleep=self.sleep, clock=self.clock)
        try:
            return wait_for(alive_then_read, done, polling)
        except PollTimedOut as err:
            raise WaitTimedOut(
                f"gave up after {timeout_s / 60:g} min: {describe(err.last)}"
            ) from None

    def wait_active(
        self,
        read: Callable[[], J],
        timeout_s: float,
        name: Callable[[J], str],
        still: str = "",
    ) -> J:
        """Poll a job or version until its status is final: ACTIVE returns it; any other final
        status is StepFailed naming it and its failure reason, and so is the deadline (``name``
        and its status, then ``still``)."""
        job = self.wait(
            read,
            lambda j: is_terminal(j.status),
            timeout_s,
            lambda j: f"{name(j)} is still {j.status}{still}",
        )
        if job.status != "ACTIVE":
            reason = job.failure_reason or "no reason given"
            raise StepFailed(f"{name(job)} ended {job.status}: {reason}")
        return job
