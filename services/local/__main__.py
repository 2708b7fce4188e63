"""Command line of the local engine: ``python -m services.local serve|worker|demo``."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from pathlib import Path

from services.config import ConfigError, Settings, sqlite_url


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "data_dir", None):
        data_dir = Path(args.data_dir).expanduser()
        engine_url = os.environ.get("LOCAL_ENGINE_DB_URL") or sqlite_url(data_dir / "engine.db")
        dash_url = os.environ.get("DASHBOARD_DB_URL") or sqlite_url(data_dir / "dashboard.db")
        settings = dataclasses.replace(
            settings, data_dir=data_dir, engine_db_url=engine_url, dashboard_db_url=dash_url
        )
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
    demo = sub.add_parser("demo", help="create the demo shop")
    demo.add_argument("--data-dir")
    demo.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing when the engine already has a dataset group",
    )
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
    if args.command == "worker":
        from services.local.engine import LocalEngine

        engine = LocalEngine(settings, start_worker=False)
        engine.jobs.work(parent=args.parent)
        return 0
    from services.local.demo import seed_demo

    return seed_demo(settings, if_empty=args.if_empty)


if __name__ == "__main__":
    sys.exit(main())
