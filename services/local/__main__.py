"""Command line of the local engine: ``python -m services.local serve|worker``.

The demo shop is created by ``python -m services.demo`` (it is a client of the engine).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from services.config import ConfigError, Settings, with_data_dir


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "data_dir", None):
        settings = with_data_dir(settings, Path(args.data_dir))
    return settings


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m services.local")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the Personalize API over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=4599)
    serve.add_argument("--data-dir")
    worker = sub.add_parser("worker", help="run background jobs (started by the engine)")
    worker.add_argument("--data-dir")
    worker.add_argument("--parent", type=int)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = _settings(args)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.command == "serve":
        import uvicorn

        from services.local.engine import LocalEngine
        from services.local.server import create_app

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = LocalEngine(settings)
        print(
            f"Personalize local engine on http://{args.host}:{args.port} "
            f"(data in {engine.data_dir})",
            flush=True,
        )
        try:
            uvicorn.run(create_app(engine), host=args.host, port=args.port, log_level="warning")
        finally:
            engine.close()
        return 0
    from services.local.engine import LocalEngine

    engine = LocalEngine(settings, start_worker=False)
    if args.parent:
        engine.jobs.listen(sys.stdin.buffer)  # the engine that started us kicks down stdin
    engine.jobs.work(parent=args.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
