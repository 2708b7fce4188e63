"""Operator passwords, stored only as salted scrypt hashes (stdlib ``hashlib.scrypt``).

Format: ``scrypt$N$r$p$<salt, base64>$<key, base64>``, so the cost can be raised later and old
hashes still verify. N=2**15, r=8, p=1 follows OWASP's password-storage guidance for scrypt
(about 32 MiB and ~0.1 s per check), which makes guessing costly without slowing a sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**15, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
_MAXMEM = 64 * 1024 * 1024  # N=2**15, r=8 needs 32 MiB; OpenSSL's default cap is lower
MIN_LENGTH = 12


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _kdf(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=KEY_BYTES
    )


def hash_password(password: str) -> str:
    """A new salted hash of ``password``.

    Raises:
        ValueError: the password is shorter than ``MIN_LENGTH`` characters.
    """
    if len(password) < MIN_LENGTH:
        raise ValueError(f"use a password of at least {MIN_LENGTH} characters")
    salt = secrets.token_bytes(SALT_BYTES)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(_kdf(password, salt, N, R, P))}"


def check_format(stored: str) -> None:
    """Raise ValueError (without echoing the value) when ``stored`` is not a hash we made."""
    parts = stored.split("$")
    try:
        ok = (
            len(parts) == 6
            and parts[0] == "scrypt"
            and all(int(x) > 0 for x in parts[1:4])
            and len(base64.b64decode(parts[4], validate=True)) >= 8
            and len(base64.b64decode(parts[5], validate=True)) == KEY_BYTES
        )
    except ValueError:
        ok = False
    if not ok:
        raise ValueError("password_hash is not a scrypt hash made by `python -m services.access`")


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison)."""
    try:
        check_format(stored)
    except ValueError:
        return False
    _, n, r, p, salt, key = stored.split("$")
    candidate = _kdf(password, base64.b64decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(candidate, base64.b64decode(key))


# Checked against when the user name is unknown, so a wrong name costs as much as a wrong
# password and response times do not reveal which accounts exist.
DUMMY_HASH = f"scrypt${N}${R}${P}${_b64(b'0' * SALT_BYTES)}${_b64(b'0' * KEY_BYTES)}"
