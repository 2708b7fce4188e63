"""Waiting for what the demo starts itself (the retrainings after the replay, the popular-items
campaign's update, the metric attribution's publication): several resources polled together
until all are ACTIVE, with a progress line every ``PROGRESS_SECONDS``.

What the setup file creates is waited for by its own apply (services.setup_file.apply), with
the same clock and progress lines.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from services.polling import Polling, PollTimedOut, wait_for

POLL_SECONDS = 0.1
PROGRESS_SECONDS = 5.0  # a line at least this often while waiting or replaying events
WAIT_TIMEOUT = 900.0  # training on a slow, busy machine can take minutes
POLLING = Polling(POLL_SECONDS, WAIT_TIMEOUT)
Describe = Callable[[], dict[str, Any]]


class DemoError(Exception):
    """A step of the demo did not end ACTIVE (or took too long)."""


class Clock:
    """Prints progress lines with the time since the start; ``step`` says what runs."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.step = "starting"

    def say(self, message: str) -> None:
        print(f"[{time.monotonic() - self.start:5.1f}s] {message}", flush=True)


def version(p: Any, arn: str) -> Describe:
    """DescribeSolutionVersion's version, to wait for its training."""
    return lambda: p.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]


def campaign_update(p: Any, arn: str) -> Describe:
    """A campaign's latest update (the campaign stays ACTIVE; its update is what ends)."""
    return lambda: (
        p.describe_campaign(campaignArn=arn)["campaign"].get("latestCampaignUpdate")
        or {"status": "ACTIVE"}
    )


def recommender(p: Any, arn: str) -> Describe:
    return lambda: p.describe_recommender(recommenderArn=arn)["recommender"]


def listed(labels: Sequence[str]) -> str:
    """``labels`` as an English list: "a", "a and b", "a, b and c"."""
    if len(labels) < 2:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} and {labels[-1]}"


def active_line(labels: Sequence[str], seconds: float) -> str:
    """The line that ends a wait: "a, b and c are ACTIVE (2.1s)" (``seconds`` waited)."""
    verb = "is" if len(labels) == 1 else "are"
    return f"{listed(labels)} {verb} ACTIVE ({seconds:.1f}s)"


def wait(clock: Clock, *what: tuple[str, Describe]) -> None:
    """Poll several resources together until all are ACTIVE; DemoError if one fails or the
    wait passes ``WAIT_TIMEOUT``."""
    started = said = time.monotonic()
    pending = dict(what)
    states: dict[str, str] = {}

    def read() -> dict[str, str]:
        for label, describe in list(pending.items()):
            doc = describe()
            states[label] = doc["status"]
            if doc["status"] == "ACTIVE":
                del pending[label]
            elif doc["status"] not in ("CREATE PENDING", "CREATE IN_PROGRESS"):
                reason = doc.get("failureReason") or "no reason given"
                raise DemoError(f"{label} is {doc['status']}: {reason}")
        return states

    def progress(_: dict[str, str], waited: float) -> None:
        nonlocal said
        if time.monotonic() - said >= PROGRESS_SECONDS:
            said = time.monotonic()
            clock.say(
                f"{clock.step}: waiting {waited:.0f}s so far for "
                + ", ".join(f"{label} ({states[label]})" for label in pending)
            )

    try:
        wait_for(read, lambda _: not pending, POLLING, between=progress)
    except PollTimedOut:
        raise DemoError(f"{listed(list(pending))} not ACTIVE after {WAIT_TIMEOUT:.0f}s") from None
    clock.say(active_line([label for label, _ in what], time.monotonic() - started))
