"""``python -m services.access add NAME [--role operator|viewer] [--secrets PATH]``.

Asks for the password twice (or reads one line from stdin with ``--password-stdin``) and
appends the account, with only the salted hash, to the secrets file. The password is never
printed or logged.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

from services.access.config import OPERATOR, ROLES
from services.access.passwords import hash_password

DEFAULT_SECRETS = Path(".streamlit/secrets.toml")
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise ValueError("the two passwords differ")
    return first


def add_account(path: Path, name: str, role: str, password: str) -> None:
    """Append ``[access.accounts.NAME]`` to the secrets file (created if missing).

    Raises:
        ValueError: bad name or role, weak password, the account exists, or the file is not
            valid TOML (nothing is written then).
    """
    if not _NAME.match(name):
        raise ValueError("a user name is 1-64 letters, digits, '_', '.', '@' or '-'")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        existing = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path} is not valid TOML ({err}): fix it first") from None
    if name in ((existing.get("access") or {}).get("accounts") or {}):
        raise ValueError(f"{path} already has an account {name!r}: remove its section first")
    block = (
        f'\n[access.accounts."{name}"]\nrole = "{role}"\n'
        f'password_hash = "{hash_password(password)}"\n'
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        if text and not text.endswith("\n"):
            fh.write("\n")
        fh.write(block)
    path.chmod(0o600)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.access")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a dashboard account (salted scrypt hash)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default=OPERATOR)
    add.add_argument("--secrets", type=Path, default=DEFAULT_SECRETS)
    add.add_argument("--password-stdin", action="store_true")
    args = parser.parse_args(argv)
    try:
        add_account(args.secrets, args.name, args.role, _password(args.password_stdin))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    # The dashboard reads the secrets file on every page load (dashboard/identity.py).
    print(
        f"Added {args.role} {args.name} to {args.secrets}; a running dashboard uses it from "
        "the next page load (no restart needed)."
    )
    return 0
