"""``python -m services.setup_file export [--out FILE]``: the account as a setup file.

Exit codes: 0 done; 2 a bad file or bad settings (one line per problem on stderr, nothing
called that changes anything); 1 Personalize refused or could not be reached.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from services.config import ConfigError, Settings, with_data_dir
from services.personalize.clients import build_clients
from services.setup_file.export import to_toml
from services.setup_file.state import read_account

EXIT_OK, EXIT_FAILED, EXIT_BAD = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.setup_file",
        description="the whole Personalize setup as one file: export, plan, apply",
    )
    parser.add_argument("--data-dir", help="the local engine's data directory")
    sub = parser.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="write the account's setup as a file")
    export.add_argument("--out", help="file to write (default: standard output)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        p = build_clients(_settings(args.data_dir)).personalize
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD
    try:
        text = to_toml(read_account(p).setup)
    except (ClientError, BotoCoreError) as err:
        print(f"error: cannot read the account: {err}", file=sys.stderr)
        return EXIT_FAILED
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _settings(data_dir: str | None) -> Settings:
    """The settings from the environment, on ``data_dir`` when given. Raises ConfigError."""
    settings = Settings.from_env()
    return with_data_dir(settings, Path(data_dir)) if data_dir else settings
