"""``python -m services.demo [--data-dir DIR] [--if-empty]``: create the demo shop.

Exit codes are ``seed_demo``'s (0 created or skipped with --if-empty, 1 the shop exists, 2 a
step failed, naming it), and 2 for bad settings.

The first line comes before anything slow: loading the libraries the demo and the engine use
(pandas, SQLAlchemy, boto3) and starting the engine took 2-3 s warm on two busy cores and up
to 7 s with nothing compiled yet, and printed nothing at all in a trial of ``make run``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from services.config import ConfigError, Settings, with_data_dir


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m services.demo", description="create the demo shop"
    )
    parser.add_argument("--data-dir")
    parser.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing when the engine already has a dataset group",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = Settings.from_env()
        if args.data_dir:
            settings = with_data_dir(settings, Path(args.data_dir))
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    # The engine runs in this process unless an endpoint is set (make serve); build_clients
    # starts it right after the import: the same wait, so the same line says both.
    in_process = settings.is_local and not settings.endpoint_url
    engine = f" and starting the local engine in {settings.data_dir}" if in_process else ""
    print(f"demo: loading Python libraries (pandas, SQLAlchemy, boto3){engine}…", flush=True)
    from services.demo.shop import seed_demo  # the slow first step: imported after saying so

    return seed_demo(settings, if_empty=args.if_empty)


if __name__ == "__main__":
    sys.exit(main())
