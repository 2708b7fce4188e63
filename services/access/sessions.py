"""A signed-in session as a signed token: who signed in and when, with an HMAC over both.

The dashboard keeps the token in its session state; the role is never stored there but read
from the configuration on every run, so changing session state cannot grant a role, and a
token is only valid with the key of the process that issued it.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SESSION_HOURS = 12.0


def _mac(key: bytes, user: str, issued: int) -> str:
    return hmac.new(key, f"{user}\n{issued}".encode(), hashlib.sha256).hexdigest()


def sign_session(key: bytes, user: str, now: float | None = None) -> dict[str, str | int]:
    """A token for ``user`` (a plain dict, so it can sit in session state)."""
    issued = int(time.time() if now is None else now)
    return {"user": user, "issued": issued, "mac": _mac(key, user, issued)}


def verify_session(key: bytes, token: object, now: float | None = None) -> str | None:
    """The user of a valid, unexpired token; None for anything else."""
    if not isinstance(token, dict):
        return None
    user, issued, mac = token.get("user"), token.get("issued"), token.get("mac")
    if not isinstance(user, str) or not isinstance(issued, int) or not isinstance(mac, str):
        return None
    if not hmac.compare_digest(_mac(key, user, issued), mac):
        return None
    age = (time.time() if now is None else now) - issued
    return user if 0 <= age <= SESSION_HOURS * 3600 else None
