"""Command line of the local engine: ``python -m services.local serve|worker``.

The demo shop is created by ``python -m services.demo`` (it is a client of the engine).
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from services.config import (
    ENGINE_KEY_ID_ENV,
    ENGINE_SECRET_ENV,
    ConfigError,
    Settings,
    with_data_dir,
)

if TYPE_CHECKING:
    from services.local.wire.auth import AccessKeys


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "data_dir", None):
        settings = with_data_dir(settings, Path(args.data_dir))
    return settings


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1-65535, not {port}")
    return port


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening; OSError when it cannot be."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family in (socket.AF_INET, socket.AF_INET6):
            # Accepted connections inherit it: without, a keep-alive client (boto3) waits
            # ~40 ms per answer for the delayed ACK of its headers before the body is sent.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _access_keys(args: argparse.Namespace, settings: Settings) -> AccessKeys | None:
    """The keys ``serve`` requires (empty: an open loopback engine); None after printing the
    one-line reason it must not start (off loopback, or --require-auth, without keys)."""
    from services.local.wire.auth import KeyFileError, is_loopback, load_keys

    try:
        keys = load_keys(settings, Path(args.access_keys) if args.access_keys else None)
    except KeyFileError as err:
        print(f"error: {err}", file=sys.stderr)
        return None
    how = f"set {ENGINE_KEY_ID_ENV} and {ENGINE_SECRET_ENV}, or pass --access-keys FILE"
    if not is_loopback(args.host) and not keys:
        print(
            f"error: --host {args.host} is not a loopback address: the engine requires "
            f"SigV4-signed requests there and has no access keys; {how}",
            file=sys.stderr,
        )
        return None
    if args.require_auth and not keys:
        print(f"error: --require-auth but no access keys: {how}", file=sys.stderr)
        return None
    return keys


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from services.local.engine import LocalEngine
    from services.local.wire.server import create_app

    keys = _access_keys(args, settings)
    if keys is None:
        return 2
    data_dir = settings.data_dir
    if data_dir.exists() and not data_dir.is_dir():
        print(f"error: --data-dir {data_dir} is a file, not a directory", file=sys.stderr)
        return 2
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        print(
            f"error: cannot create the data directory {data_dir}: {err.strerror}", file=sys.stderr
        )
        return 2
    # Bind before announcing anything, so a port in use is one clear line, not a banner
    # followed by a server error.
    try:
        sock = _listen(args.host, args.port)
    except OSError as err:
        print(f"error: cannot listen on {args.host}:{args.port}: {err.strerror}", file=sys.stderr)
        return 1
    engine = LocalEngine(settings)
    print(
        f"Personalize local engine on http://{args.host}:{args.port} (data in {engine.data_dir})",
        flush=True,
    )
    if keys:
        names = ", ".join(keys.key_ids)  # key IDs only: a secret is never printed
        print(f"Requests must be signed (SigV4) with access key {names}.", flush=True)
    else:
        print("Loopback only, open: no credentials are checked (see docs/engine.md).", flush=True)
    config = uvicorn.Config(create_app(engine, keys or None), log_level="warning")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        engine.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (2: bad arguments, data directory or access
    keys, or a non-loopback --host without keys; 1: the port cannot be bound)."""
    parser = argparse.ArgumentParser(prog="python -m services.local")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the Personalize API over HTTP")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=_port, default=4599, help="TCP port to listen on (default: 4599)"
    )
    serve.add_argument(
        "--data-dir",
        help="where the engine keeps its state (default: $PERSONALIZE_DATA_DIR or .data)",
    )
    serve.add_argument(
        "--require-auth",
        action="store_true",
        help="require SigV4-signed requests on loopback too (any other --host requires them)",
    )
    serve.add_argument(
        "--access-keys",
        metavar="FILE",
        help=f"a file of 'KEY_ID SECRET' lines the engine accepts (besides ${ENGINE_KEY_ID_ENV})",
    )
    worker = sub.add_parser("worker", help="run background jobs (started by the engine)")
    worker.add_argument("--data-dir", help="the engine's data directory")
    worker.add_argument("--parent", type=int, help="exit when this process ID is gone")
    worker.add_argument(
        "--idle-exit",
        type=float,
        default=None,
        help="exit after this many seconds without work (default: 30)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = _settings(args)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return _serve(args, settings)
    from services.local.engine import LocalEngine

    engine = LocalEngine(settings, start_worker=False)
    if args.idle_exit is not None:
        engine.jobs.idle_exit = args.idle_exit
    if args.parent:
        engine.jobs.listen(sys.stdin.buffer)  # the engine that started us kicks down stdin
    engine.jobs.work(parent=args.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
