"""The one status waiter: pauses, growth, deadline, progress, and what a timeout carries."""

from __future__ import annotations

import pytest

from services.polling import Polling, PollTimedOut, wait_for


class FakeTime:
    """A clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 100.0
        self.pauses: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def statuses(*values: str):  # type: ignore[no-untyped-def]
    it = iter(values)
    return lambda: next(it)


def test_returns_the_first_done_value_after_fixed_pauses() -> None:
    t = FakeTime()
    polling = Polling(2.0, 60.0, sleep=t.sleep, clock=t.clock)
    read = statuses("CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE", "never read")
    assert wait_for(read, lambda s: s == "ACTIVE", polling) == "ACTIVE"
    assert t.pauses == [2.0, 2.0]  # two reads not done, one pause after each


def test_pauses_double_up_to_the_cap() -> None:
    t = FakeTime()
    polling = Polling(0.05, 600.0, max_interval_s=0.3, sleep=t.sleep, clock=t.clock)
    read = statuses(*["CREATE IN_PROGRESS"] * 5, "ACTIVE")
    wait_for(read, lambda s: s == "ACTIVE", polling)
    assert t.pauses == pytest.approx([0.05, 0.1, 0.2, 0.3, 0.3])


def test_past_the_deadline_the_last_value_read_is_raised() -> None:
    t = FakeTime()
    polling = Polling(4.0, 10.0, sleep=t.sleep, clock=t.clock)
    read = statuses("CREATE PENDING", "CREATE IN_PROGRESS", "IN_PROGRESS/3", "IN_PROGRESS/4")
    with pytest.raises(PollTimedOut) as timed_out:
        wait_for(read, lambda s: s == "ACTIVE", polling)
    # reads at 0, 4 and 8 s are not done; the one at 12 s is neither and past the 10 s deadline
    assert timed_out.value.last == "IN_PROGRESS/4"
    assert t.pauses == [4.0, 4.0, 4.0] and timed_out.value.timeout_s == 10.0


def test_a_done_value_read_after_the_deadline_still_wins() -> None:
    t = FakeTime()
    polling = Polling(5.0, 4.0, sleep=t.sleep, clock=t.clock)
    assert wait_for(statuses("CREATE PENDING", "ACTIVE"), lambda s: s == "ACTIVE", polling)


def test_between_sees_each_value_not_done_and_the_time_waited_and_may_stop_the_wait() -> None:
    t = FakeTime()
    seen: list[tuple[str, float]] = []

    def between(value: str, waited: float) -> None:
        seen.append((value, waited))
        if waited >= 3:
            raise RuntimeError("lock lost")

    polling = Polling(1.5, 60.0, sleep=t.sleep, clock=t.clock)
    with pytest.raises(RuntimeError, match="lock lost"):
        wait_for(statuses("a", "b", "c", "d"), lambda s: s == "ACTIVE", polling, between=between)
    assert seen == [("a", 0.0), ("b", 1.5), ("c", 3.0)]


def test_a_failure_raised_by_read_ends_the_wait_at_once() -> None:
    t = FakeTime()

    def read() -> str:
        raise ValueError("CREATE FAILED: bad data")

    with pytest.raises(ValueError, match="CREATE FAILED"):
        wait_for(read, lambda s: True, Polling(1.0, 60.0, sleep=t.sleep, clock=t.clock))
    assert t.pauses == []
