"""Failed sign-ins slow the next ones down: per user name and per client, kept in the
dashboard's store (SQLAlchemy), so every tab, session and process of the dashboard shares them.

A key (``user_key`` / ``client_key``) may fail ``free`` times within ``window``; each further
failure locks it for ``base``, doubled per failure, at most ``longest`` (OWASP's
Authentication Cheat Sheet: an exponential lockout that ends by itself, so a guesser gets a
handful of tries an hour while the owner waits minutes at worst). While a key is locked,
sign-in is refused before the password is checked, and that attempt does not extend the lock.
A success forgets the user's failures, never the client's (they age out with ``window``).

Only configured account names are ever stored. Every name that is no account shares one key
(``UNKNOWN_USER``): a password typed into the user-name field is never written, and guessing
names is limited like guessing passwords.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from services.store.tables import UtcDateTime, open_store_tables, store_unavailable

UNKNOWN_USER = "user:(no such account)"

metadata = sa.MetaData()
sign_in_failures = sa.Table(
    "sign_in_failures",
    metadata,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure", UtcDateTime, nullable=False),
    sa.Column("locked_until", UtcDateTime, nullable=True),
)


def now() -> datetime:
    """The time every throttle without its own clock reads (tests replace it)."""
    return datetime.now(UTC)


def user_key(name: str, accounts: Collection[str]) -> str:
    """The throttle key of a typed user name: the account's, or the one shared by every name
    that is no account (so the typed text is not stored)."""
    return f"user:{name}" if name in accounts else UNKNOWN_USER


def client_key(address: str | None) -> str:
    """The throttle key of a client address (None, as Streamlit gives for a local browser:
    one key for all of them)."""
    return f"client:{address or 'local'}"


@dataclass(frozen=True)
class Limit:
    """``free`` failures per ``window``; then locked ``base`` · 2^(failures beyond), at most
    ``longest``."""

    free: int
    base: timedelta = timedelta(seconds=30)
    longest: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(hours=1)

    def lock(self, failures: int) -> timedelta | None:
        if failures <= self.free:
            return None
        return min(self.longest, self.base * 2 ** (failures - self.free - 1))


# A client can be a proxy that many people share, so it gets more room than one user name.
USER_LIMIT = Limit(free=5)
CLIENT_LIMIT = Limit(free=20)


def _limit(key: str) -> Limit:
    return CLIENT_LIMIT if key.startswith("client:") else USER_LIMIT


class SignInThrottle:
    """The failures of every key, on the dashboard store's database."""

    def __init__(self, url: str, clock: Callable[[], datetime] | None = None) -> None:
        """Open (creating when missing) the table on ``url``.

        Args:
            url: the dashboard store's SQLAlchemy URL.
            clock: the current aware time (tests move it); default ``now()``.

        Raises:
            StoreUnavailable: the table is missing and cannot be created.
        """
        self._engine, self._reader = open_store_tables(url, metadata)
        self._clock = clock or (lambda: now())  # looked up at each call, so tests can move it

    def wait(self, keys: Iterable[str]) -> timedelta | None:
        """How long until ``keys`` may try again: the longest lock still running, or None.

        Raises:
            StoreUnavailable: the database cannot be read.
        """
        now = self._clock()
        query = sa.select(sign_in_failures.c.locked_until).where(
            sign_in_failures.c.key.in_(list(keys)), sign_in_failures.c.locked_until > now
        )
        try:
            with self._reader.connect() as conn:
                until = [row[0] for row in conn.execute(query)]
        except SQLAlchemyError as err:
            raise store_unavailable(err) from err
        return max(until) - now if until else None

    def failed(self, keys: Iterable[str]) -> timedelta | None:
        """Count a failure against each of ``keys``; returns the lock it starts (the longest),
        or None while the keys have free failures left.

        Raises:
            StoreUnavailable: the database cannot be written.
        """
        keys = list(keys)
        try:
            try:
                return self._count(keys)
            except sa.exc.IntegrityError:  # another process inserted the same key first
                return self._count(keys)
        except SQLAlchemyError as err:
            raise store_unavailable(err) from err

    def _count(self, keys: list[str]) -> timedelta | None:
        now = self._clock()
        locks = []
        # One transaction, rows read FOR UPDATE (SQLite: the writer's BEGIN IMMEDIATE), so
        # concurrent failures of one key all count.
        with self._engine.begin() as conn:
            for key in keys:
                limit = _limit(key)
                row = conn.execute(
                    sa.select(sign_in_failures)
                    .where(sign_in_failures.c.key == key)
                    .with_for_update()
                ).first()
                recent = row is not None and now - row.last_failure <= limit.window
                failures = (row.failures if recent and row else 0) + 1
                lock = limit.lock(failures)
                values = {
                    "failures": failures,
                    "last_failure": now,
                    "locked_until": now + lock if lock else None,
                }
                if row is None:
                    conn.execute(sa.insert(sign_in_failures).values(key=key, **values))
                else:
                    conn.execute(
                        sa.update(sign_in_failures)
                        .where(sign_in_failures.c.key == key)
                        .values(**values)
                    )
                if lock:
                    locks.append(lock)
        return max(locks) if locks else None

    def succeeded(self, key: str) -> None:
        """Forget the failures of a user key (after its correct password).

        Raises:
            StoreUnavailable: the database cannot be written.
        """
        try:
            with self._engine.begin() as conn:
                conn.execute(sa.delete(sign_in_failures).where(sign_in_failures.c.key == key))
        except SQLAlchemyError as err:
            raise store_unavailable(err) from err
