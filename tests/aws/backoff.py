"""botocore's standard retry mode observed without waiting: the delays it asks for between
retries are recorded, and not slept."""

from __future__ import annotations

import pytest
from botocore.retries.standard import ExponentialBackoff


def recorded_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays (seconds) botocore's ``ExponentialBackoff`` computes from now on, in order;
    every retry then goes at once."""
    delays: list[float] = []
    backoff = ExponentialBackoff.delay_amount
    monkeypatch.setattr(
        ExponentialBackoff,
        "delay_amount",
        lambda self, context: (delays.append(backoff(self, context)), 0.0)[1],
    )
    return delays
