"""Command line: check a file, print a table or JSON, exit 1 on errors (a scheduler gate).

    python -m services.readiness check FILE --dataset-type interactions \
        [--schema SCHEMA.json] [--items ITEMS.csv] [--users USERS.csv] \
        [--event-type T] [--event-value-threshold X] [--now EPOCH] [--json]

Each file may be ``s3://BUCKET/KEY``, as on the Data page: with the local engine the file under
``$PERSONALIZE_DATA_DIR/s3/BUCKET/KEY``, on AWS the object read through S3.

Exit status: 0 ready (warnings allowed), 1 at least one error, 2 usage error (also a file
that cannot be read, and AWS settings that do not work).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from services.config import ConfigError, Settings
from services.datasets.snapshot import ObjectStore, local_input, object_store
from services.errors import ServiceError
from services.i18n import ngettext

from .api import check_file
from .cross import cross_check
from .report import DATASET_TYPES, ReadinessReport


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.readiness",
        description="Check data against Amazon Personalize's rules before training.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check one CSV file")
    check.add_argument("file", help="the CSV file: a path, or s3://BUCKET/KEY")
    check.add_argument("--dataset-type", required=True, choices=DATASET_TYPES)
    check.add_argument("--schema", help="Personalize Avro schema JSON")
    check.add_argument("--items", help="items CSV for cross-file checks")
    check.add_argument("--users", help="users CSV for cross-file checks")
    check.add_argument("--event-type", help="the solution's eventType filter")
    check.add_argument(
        "--event-value-threshold", type=float, help="the solution's eventValueThreshold"
    )
    check.add_argument("--now", type=float, help="epoch seconds treated as now")
    check.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def render(report: ReadinessReport, out: TextIO) -> None:
    """Print a report as a human-readable table."""
    s = report.summary
    state = "READY" if report.ok else "NOT READY"
    n_err, n_warn = len(report.errors), len(report.warnings)
    errors = ngettext("{n} error", "{n} errors", n_err).format(n=n_err)
    warnings = ngettext("{n} warning", "{n} warnings", n_warn).format(n=n_warn)
    out.write(f"{report.source} ({report.dataset_type}): {state} - {errors}, {warnings}\n")
    facts = [f"rows {s.rows:,}"]
    for noun, value, column in (("users", s.users, "USER_ID"), ("items", s.items, "ITEM_ID")):
        if value is not None:
            facts.append(f"{noun} {value:,}")
        elif column in s.missing_columns:  # not known, never a 0
            facts.append(f"{noun} not known (no {column} column)")
    if s.event_types:
        facts.append(f"event types {len(s.event_types)}")
    if s.time_min and s.time_max:
        facts.append(f"{s.time_min.date()} to {s.time_max.date()}")
    if s.interactions_after_filter is not None and s.users_with_two_or_more is not None:
        facts.append(
            f"trainable interactions {s.interactions_after_filter:,}, users with 2+ "
            f"{s.users_with_two_or_more:,}"
        )
    out.write("  " + " | ".join(facts) + "\n\n")
    if not report.findings:
        out.write("  No findings.\n")
    width = max((len(f.code) for f in report.findings), default=4)
    for f in report.findings:
        where = f" [{f.column}]" if f.column else ""
        out.write(f"  {f.severity.upper():8} {f.code:{width}}{where}\n")
        for label, text in (("", f.detail), ("fix: ", f.fix)):
            wrapped = textwrap.wrap(label + text, 96) or [""]
            for line in wrapped:
                out.write(f"  {'':8} {line}\n")
        if f.rows:
            out.write(f"  {'':8} lines: {', '.join(map(str, f.rows))}\n")


def main(
    argv: Sequence[str] | None = None,
    out: TextIO | None = None,
    objects: Callable[[], ObjectStore] | None = None,
) -> int:
    """Run the CLI; returns the exit status. ``objects`` makes the store ``s3://`` files are
    read from (default: the one of the settings in the environment)."""
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    store = objects or functools.cache(lambda: object_store(Settings.from_env()))
    local: dict[str, Path | None] = {}
    for label, text in (
        ("file", args.file),
        ("--schema", args.schema),
        ("--items", args.items),
        ("--users", args.users),
    ):
        try:
            local[label] = None if text is None else local_input(text, store)
        except (ValueError, ServiceError, ConfigError) as err:
            print(f"error: {label}: {err}", file=sys.stderr)
            return 2
    file, items_file, users_file = local["file"], local["--items"], local["--users"]
    assert file is not None  # a required argument
    options = {
        "event_type": args.event_type,
        "event_value_threshold": args.event_value_threshold,
        "now": args.now,
    }
    report = check_file(file, args.dataset_type, schema=local["--schema"], **options)
    # An s3:// file is named as given, not as its temporary copy.
    report = dataclasses.replace(report, source=args.file)
    if args.dataset_type == "interactions" and (items_file or users_file):
        items = check_file(items_file, "items", now=args.now) if items_file else None
        users = check_file(users_file, "users", now=args.now) if users_file else None
        report = report.with_findings(cross_check(report, items, users))
    if args.json:
        json.dump(report.to_dict(), out, indent=2, default=str)
        out.write("\n")
    else:
        render(report, out)
    return 0 if report.ok else 1
