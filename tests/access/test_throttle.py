"""Failed sign-ins per user name and per client: free tries, then a lock that doubles and ends
by itself; kept in the database (a new throttle on the same URL sees it); an unknown name is
never stored. The clock is injected. Each test runs on SQLite and on PostgreSQL (db_url)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from services.access.throttle import (
    CLIENT_LIMIT,
    UNKNOWN_USER,
    USER_LIMIT,
    SignInThrottle,
    client_key,
    user_key,
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _throttle(db_url: Callable[[str], str], clock: Clock) -> SignInThrottle:
    return SignInThrottle(db_url("store"), clock=clock)


def test_five_free_failures_then_a_lock_that_doubles_and_ends(db_url: Callable[[str], str]) -> None:
    clock = Clock()
    throttle = _throttle(db_url, clock)
    keys = [user_key("otto", {"otto"})]
    assert USER_LIMIT.free == 5
    for _ in range(5):
        assert throttle.failed(keys) is None and throttle.wait(keys) is None
    assert throttle.failed(keys) == timedelta(seconds=30)  # the 6th failure
    clock.advance(10)
    assert throttle.wait(keys) == timedelta(seconds=20)
    clock.advance(20)
    assert throttle.wait(keys) is None  # it ended by itself
    assert throttle.failed(keys) == timedelta(seconds=60)  # 7th: doubled
    clock.advance(60)
    assert throttle.failed(keys) == timedelta(seconds=120)
    for _ in range(10):  # never beyond 15 minutes
        clock.advance(900)
        lock = throttle.failed(keys)
    assert lock == timedelta(minutes=15)


def test_the_lock_survives_a_new_throttle_and_a_success_forgets_the_user(
    db_url: Callable[[str], str],
) -> None:
    clock = Clock()
    user, client = user_key("otto", {"otto"}), client_key("203.0.113.9")
    for _ in range(6):
        _throttle(db_url, clock).failed([user, client])
    other_process = _throttle(db_url, clock)
    assert other_process.wait([user]) == timedelta(seconds=30)
    assert other_process.wait([client]) is None  # a client has more room: 20 failures
    clock.advance(30)
    other_process.succeeded(user)
    assert other_process.failed([user]) is None  # counting starts again
    clock.advance(3601)  # failures older than the window are forgotten
    for _ in range(CLIENT_LIMIT.free):
        assert other_process.failed([client]) is None


def test_a_client_is_locked_after_twenty_failures_whatever_the_names(
    db_url: Callable[[str], str],
) -> None:
    clock = Clock()
    throttle = _throttle(db_url, clock)
    client = client_key(None)
    assert client == "client:local"
    accounts = {f"name{i}" for i in range(21)}
    for i in range(20):  # one failure per name: no user key is near its limit
        assert throttle.failed([user_key(f"name{i}", accounts), client]) is None
    assert throttle.failed([user_key("name20", accounts), client]) == timedelta(seconds=30)
    assert throttle.wait([user_key("name0", accounts), client]) == timedelta(seconds=30)
    assert throttle.wait([user_key("name0", accounts), client_key("198.51.100.7")]) is None


def test_a_name_that_is_no_account_is_never_stored(db_url: Callable[[str], str]) -> None:
    clock = Clock()
    throttle = _throttle(db_url, clock)
    typed = "correct horse battery staple"  # a password typed as the user name
    assert user_key(typed, {"otto"}) == UNKNOWN_USER
    throttle.failed([user_key(typed, {"otto"}), client_key(None)])
    engine = sa.create_engine(db_url("store"))
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM sign_in_failures")).all()
    engine.dispose()
    assert {r[0] for r in rows} == {UNKNOWN_USER, "client:local"}
    assert typed not in repr(rows)


def test_concurrent_failures_all_count(db_url: Callable[[str], str]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    clock = Clock()
    throttle = _throttle(db_url, clock)
    key = client_key("192.0.2.1")
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: throttle.failed([key]), range(40)))
    engine = sa.create_engine(db_url("store"))
    with engine.connect() as conn:
        (failures,) = conn.execute(
            sa.text("SELECT failures FROM sign_in_failures WHERE key = :k"), {"k": key}
        ).one()
    engine.dispose()
    assert failures == 40
    # 20 free, then 30 s doubled per failure: the 40th asks for 30 s · 2^19, capped at 15 min
    assert throttle.wait([key]) == timedelta(minutes=15)
