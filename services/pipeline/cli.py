"""The refresh command a scheduler calls (cron, Airflow), plus ``status`` and ``history``.

Exit codes (``refresh``, and ``status`` for the run it shows):
  0 the run succeeded · 1 it failed · 2 bad usage (unknown group, bad option) or an AWS
  setting that does not work (a missing profile, no or expired credentials, no network) ·
  3 a guardrail kept a campaign on its version · 4 a run is already in progress (``--no-wait``)
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from services.config import ConfigError, Settings
from services.errors import AwsSetupError, ServiceError
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.pipeline.control import LOCK_SECONDS, Pipeline
from services.pipeline.options import (
    DEFAULT_MAX_REJECTED_PCT,
    DEFAULT_METRIC,
    DEFAULT_TOLERANCE_PCT,
    RefreshOptions,
    parse_sources,
)
from services.pipeline.progress import JsonLogHandler, Printer, history_line, run_dict
from services.pipeline.runs.records import FAILED, REFUSED, RUNNING, SUCCEEDED, RunStore
from services.prepare import load_mapping
from services.store.audit_text import run_note
from services.store.tables import Store

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_REFUSED, EXIT_RUNNING = 0, 1, 2, 3, 4
EXIT_BY_STATUS = {
    SUCCEEDED: EXIT_OK,
    FAILED: EXIT_FAILED,
    REFUSED: EXIT_REFUSED,
    RUNNING: EXIT_RUNNING,
}
NO_RUN_YET = "No refresh run yet."  # status and history, with nothing to show (exit 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.pipeline",
        description="Refresh a dataset group: import → train → guardrail → deploy → verify.",
        epilog="Exit codes: 0 succeeded, 1 failed, 2 bad usage or unusable AWS settings, "
        "3 refused by the guardrail, 4 already running (--no-wait).",
    )
    parser.add_argument("--json", action="store_true", help="JSON lines even on a terminal")
    parser.add_argument("--poll-seconds", type=float, default=5.0, help=argparse.SUPPRESS)
    parser.add_argument("--lock-seconds", type=float, default=LOCK_SECONDS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)

    refresh = sub.add_parser("refresh", help="run (or attach to) a refresh of a dataset group")
    refresh.add_argument("--dataset-group", required=True, help="name or ARN")
    refresh.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="LOCATION",
        help="import this first: s3://BUCKET/KEY (or a folder ending in /; locally the file "
        "under .data/s3/BUCKET/KEY); TYPE=LOCATION for items/users (repeatable); a local raw "
        "export with --mapping",
    )
    refresh.add_argument(
        "--mapping",
        action="append",
        default=[],
        metavar="MAPPING.json",
        help="prepare the --data location of the mapping's dataset type by this mapping "
        "(python -m services.prepare suggest … writes one) before the check and import",
    )
    refresh.add_argument("--import-mode", choices=["FULL", "INCREMENTAL"], default="FULL")
    refresh.add_argument("--training-mode", choices=["FULL", "UPDATE"], default="FULL")
    refresh.add_argument(
        "--solution",
        action="append",
        default=[],
        help="solution to train (name or ARN, repeatable); default: every solution with a campaign",
    )
    refresh.add_argument("--no-deploy", action="store_true", help="train only; change no campaign")
    refresh.add_argument("--force", action="store_true", help="deploy even if the metric dropped")
    refresh.add_argument("--metric", default=DEFAULT_METRIC, help="the guardrail's metric key")
    refresh.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE_PCT,
        metavar="PCT",
        help="largest drop of the metric, in %% of the served value, that still deploys "
        f"(default {DEFAULT_TOLERANCE_PCT:g})",
    )
    refresh.add_argument(
        "--max-rejected",
        type=float,
        default=DEFAULT_MAX_REJECTED_PCT,
        metavar="PCT",
        help="largest share of a raw export's rows, in %%, that --mapping may reject; above "
        f"it the run stops before any import (default {DEFAULT_MAX_REJECTED_PCT:g}; 0 to 100)",
    )
    refresh.add_argument(
        "--no-wait",
        action="store_true",
        help="if a run of this group is already in progress, exit at once (code 4)",
    )

    status = sub.add_parser("status", help="the latest (or a given) run, with its steps")
    status.add_argument("--dataset-group", help="name or ARN")
    status.add_argument("--run", type=int, help="run id")

    history = sub.add_parser("history", help="one line per run, newest first")
    history.add_argument("--dataset-group", help="name or ARN")
    history.add_argument("--limit", type=_positive_int, default=20, help="runs to show (≥ 1)")
    for command in (refresh, status, history):
        # Also after the command (`refresh --json`); SUPPRESS keeps a --json given before it.
        command.add_argument(
            "--json", action="store_true", default=argparse.SUPPRESS, help="JSON lines"
        )
    return parser


def _route_logs(printer: Printer) -> logging.Handler | None:
    """JSON mode: warnings become JSON lines on stdout (and nothing goes to stderr, so a cron
    line's ``2>&1`` keeps the file pure JSON lines); on a terminal, text on stderr."""
    if not printer.json:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        return None
    logging.captureWarnings(True)
    handler = JsonLogHandler(printer)
    root = logging.getLogger()
    root.addHandler(handler)  # with a handler on the root, logging's stderr fallback is unused
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    return handler


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = _parser().parse_args(argv)
    out = out or sys.stdout
    printer = Printer(out, json_lines=True if args.json else None)
    handler = _route_logs(printer)
    try:
        settings = Settings.from_env()
        service = PersonalizeService(build_clients(settings))
        runs = RunStore(settings.dashboard_db_url)
        pipeline = Pipeline(
            service,
            runs,
            settings,
            store=Store(settings.dashboard_db_url),
            lock_seconds=args.lock_seconds,
            poll_s=args.poll_seconds,
        )
        if args.command == "refresh":
            return _refresh(args, pipeline, printer)
        if args.command == "status":
            return _status(args, pipeline, printer)
        return _history(args, pipeline, printer)
    except (ConfigError, ValueError, AwsSetupError) as err:
        printer.event("error", message=f"error: {err}")
        return EXIT_USAGE
    except ServiceError as err:
        printer.event("error", message=f"error: {err}")
        return EXIT_FAILED
    finally:
        if handler is not None:
            logging.getLogger().removeHandler(handler)


def _refresh(args: argparse.Namespace, pipeline: Pipeline, printer: Printer) -> int:
    options = RefreshOptions(
        data=parse_sources(args.data, [load_mapping(m).to_dict() for m in args.mapping]),
        import_mode=args.import_mode,
        training_mode=args.training_mode,
        solutions=tuple(args.solution),
        deploy=not args.no_deploy,
        force=args.force,
        metric=args.metric,
        tolerance_pct=args.tolerance,
        max_rejected_pct=args.max_rejected,
    )
    group = pipeline.resolve_group(args.dataset_group)
    pipeline.check_solutions(group, options)  # a typo is a usage error, not a failed run
    # The run records its trigger ("cli") beside the actor; the audit log has no trigger
    # column, so there the actor says where the action came from.
    actor = getpass.getuser()
    triggered = pipeline.trigger(group, options, actor=actor, trigger="cli")
    if pipeline.store is not None:
        pipeline.store.record_action(
            f"{actor} (cli)",
            "refresh",
            group.arn,
            options.to_dict(),
            "ok",
            run_note(triggered.run_id, attached=triggered.attached, resumed=triggered.resumed),
        )
    if triggered.failed_orphan:
        printer.event(
            "orphan_failed",
            run=triggered.failed_orphan,
            message=f"Refresh #{triggered.failed_orphan} had stopped twice; marked FAILED.",
        )
    if triggered.attached:
        if args.no_wait:
            printer.event(
                "already_running",
                run=triggered.run_id,
                message=f"Refresh #{triggered.run_id} of {group.name} is already running.",
            )
            return EXIT_RUNNING
        printer.event(
            "attached",
            run=triggered.run_id,
            message=f"Refresh #{triggered.run_id} of {group.name} is already running: "
            "following it.",
        )
    else:
        verb = "Resuming" if triggered.resumed else "Starting"
        printer.event(
            "resumed" if triggered.resumed else "started",
            run=triggered.run_id,
            message=f"{verb} refresh #{triggered.run_id} of {group.name}: {options.summary()}",
        )
        assert triggered.owner is not None
        pipeline.start_background(triggered.run_id, triggered.owner)
    run = pipeline.follow(
        triggered.run_id, printer.update, group=group, options=options, actor=actor
    )
    printer.finish(run)
    return EXIT_BY_STATUS[run.status]


def _status(args: argparse.Namespace, pipeline: Pipeline, printer: Printer) -> int:
    if args.run is not None:
        run = pipeline.runs.get(args.run)
        if run is None:
            raise ValueError(f"no refresh run {args.run}")
    else:
        group_arn = pipeline.resolve_group(args.dataset_group).arn if args.dataset_group else None
        latest = pipeline.runs.history(group_arn, limit=1)
        if not latest:
            printer.event("empty", message=NO_RUN_YET)
            return EXIT_OK
        run = pipeline.runs.get(latest[0].id)
        assert run is not None
    printer.update(run)
    printer.finish(run)
    return EXIT_BY_STATUS[run.status]


def _history(args: argparse.Namespace, pipeline: Pipeline, printer: Printer) -> int:
    """One line per run, newest first; with none, the same "no run yet" line as ``status``
    (a JSON event in JSON mode, which is the default off a terminal: it used to print nothing
    there, so a scheduler's log or a pipe could not tell "no run" from a broken command)."""
    group_arn = pipeline.resolve_group(args.dataset_group).arn if args.dataset_group else None
    runs = pipeline.runs.history(group_arn, limit=args.limit, with_steps=True)
    if not runs:
        printer.event("empty", message=NO_RUN_YET)
        return EXIT_OK
    out, as_json = printer.out, printer.json
    for run in runs:
        if as_json:
            print(json.dumps(run_dict(run), default=str), file=out)
        else:
            print(history_line(run), file=out)
    return EXIT_OK
