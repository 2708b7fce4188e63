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

from services.access.config import OPERATOR, ROLES, account_name
from services.access.passwords import hash_password

DEFAULT_SECRETS = Path(".streamlit/secrets.toml")
# Letters and digits of any script (Hangul names such as 김철수), '_', '.', '@', '-'; none of
# them needs quoting inside the TOML key the account is written under.
_NAME = re.compile(r"^[\w.@-]{1,64}$")


def _password(from_stdin: bool) -> str:
    """The new account's password: one line of stdin, or asked twice on the terminal.

    Raises:
        ValueError: no terminal to ask on (and no ``--password-stdin``), input ended, or the
            two entries differ.
    """
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise ValueError("--password-stdin: stdin ended before a password line")
        return line.rstrip("\n")
    if not sys.stdin.isatty():
        # getpass would fall back to reading (and echoing) stdin; a pipe or /dev/null is no
        # place to type a password twice.
        raise ValueError(
            "no terminal to ask for the password on: run it in a terminal, or pipe the "
            "password with --password-stdin"
        )
    try:
        first = getpass.getpass("Password: ")
        again = getpass.getpass("Repeat the password: ")
    except EOFError:
        raise ValueError("input ended before the password was entered twice") from None
    if again != first:
        raise ValueError("the two passwords differ")
    return first


def _check_target(path: Path) -> None:
    """Refuse a secrets path that is a directory, or in a folder that does not exist; an
    app's missing ``.streamlit/`` folder is created (Streamlit's own place for the file)."""
    if path.is_dir():
        raise ValueError(f"--secrets {path} is a directory; give the secrets.toml file")
    folder = path.parent
    if not folder.is_dir() and not (folder.name == ".streamlit" and folder.parent.is_dir()):
        raise ValueError(f"--secrets {path}: the folder {folder} does not exist")


def add_account(path: Path, name: str, role: str, password: str) -> None:
    """Append ``[access.accounts.NAME]`` to the secrets file (created if missing).

    Raises:
        ValueError: bad name or role, weak password, the account exists, or the file is not
            valid TOML (nothing is written then).
    """
    name = account_name(name)
    if not _NAME.fullmatch(name):
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
        _check_target(args.secrets)
        add_account(args.secrets, args.name, args.role, _password(args.password_stdin))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"error: cannot write {args.secrets}: {err.strerror}", file=sys.stderr)
        return 1
    # The dashboard reads the secrets file on every page load (dashboard/identity.py).
    print(
        f"Added {args.role} {args.name} to {args.secrets}; a running dashboard uses it from "
        "the next page load (no restart needed)."
    )
    return 0
