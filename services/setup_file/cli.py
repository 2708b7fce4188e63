"""``python -m services.setup_file export|plan|apply``.

- ``export [--out FILE]``: the account as a setup file.
- ``plan FILE [--prune]``: what apply would do, per resource, in order, and its cost; calls
  only List*/Describe*.
- ``apply FILE [--prune] [--yes]``: makes the plan's changes (services.setup_file.apply),
  recorded in the audit log with the user; one line per step, and every 30 s while it waits
  a line naming what still runs and its status. ``--prune`` deletes what the file lacks: it lists
  it and asks to type ``yes`` (or takes ``--yes``); without a confirmation nothing is called.

Exit codes: 0 done (plan: no change); 2 plan: changes to make, or a bad file or bad settings
(one line per problem on stderr, nothing called that changes anything); 1 Personalize
refused or could not be reached, apply failed midway (the step is named; run it again to
resume), or deleting was not confirmed.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.config import ConfigError, Settings, with_data_dir
from services.costs.pricing import prices_for
from services.datasets.local_engine.queue import queue_source
from services.errors import StoreUnavailable
from services.i18n import ngettext
from services.personalize.clients import build_clients
from services.setup_file.apply import Applier, ApplyError, audited_apply
from services.setup_file.export import to_toml
from services.setup_file.model import SetupFile, SetupFileError
from services.setup_file.plan import Plan, make_plan
from services.setup_file.ranges import account_problems
from services.setup_file.reading import load
from services.setup_file.state import Account, read_account
from services.store.tables import Store

EXIT_OK, EXIT_FAILED, EXIT_BAD = 0, 1, 2
EXIT_CHANGES = 2  # plan: there is something to apply
PROGRESS_SECONDS = 30.0  # apply: a line at least this often while a level is waited for


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.setup_file",
        description="the whole Personalize setup as one file: export, plan, apply",
    )
    parser.add_argument("--data-dir", help="the local engine's data directory")
    sub = parser.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="write the account's setup as a file")
    export.add_argument("--out", help="file to write (default: standard output)")
    plan = sub.add_parser("plan", help="show what apply would change (exit 2: changes)")
    plan.add_argument("file")
    plan.add_argument("--prune", action="store_true", help="also delete what the file lacks")
    apply = sub.add_parser("apply", help="make the account what the file says")
    apply.add_argument("file")
    apply.add_argument("--prune", action="store_true", help="also delete what the file lacks")
    apply.add_argument("--yes", action="store_true", help="delete without asking")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args.data_dir)
        setup = load(Path(args.file)) if args.command != "export" else None
    except (ConfigError, SetupFileError) as err:
        for line in str(err).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return EXIT_BAD
    p = build_clients(settings).personalize
    try:
        account = read_account(p)
        if setup is None:
            return _export(to_toml(account.setup), args.out)
        problems = account_problems(p, setup)
        if problems:
            for line in problems:
                print(f"error: {line}", file=sys.stderr)
            return EXIT_BAD
        plan = make_plan(
            setup, account, prices_for(settings.region, settings.prices), prune=args.prune
        )
    except (ClientError, BotoCoreError) as err:
        print(f"error: cannot read the account: {err}", file=sys.stderr)
        return EXIT_FAILED
    print("\n".join(plan_lines(plan)))
    if args.command == "plan":
        return EXIT_CHANGES if plan.pending else EXIT_OK
    return _apply(p, settings, Path(args.file), setup, account, plan, yes=args.yes)


def _apply(
    p: Any,
    settings: Settings,
    path: Path,
    setup: SetupFile,
    account: Account,
    plan: Plan,
    *,
    yes: bool,
) -> int:
    if plan.blocked:
        print("error: the plan has blocked changes; nothing applied", file=sys.stderr)
        return EXIT_BAD
    if not plan.pending:
        return EXIT_OK
    deletes = [c.label for c in plan.pending if c.action == "delete"]
    if deletes and not yes and not _confirmed(deletes):
        print("refused: nothing deleted and nothing changed (--yes deletes)", file=sys.stderr)
        return EXIT_FAILED
    applier = Applier(
        p,
        setup,
        account,
        say=print,
        role_arn=settings.role_arn,
        progress_s=PROGRESS_SECONDS,
        queued=queue_source(settings),
    )
    actor = f"{getpass.getuser()} (cli)"
    try:
        done = audited_apply(Store.from_settings(settings), actor, str(path), applier, plan)
    except StoreUnavailable as err:
        print(f"error: the audit log cannot be written, nothing applied: {err}", file=sys.stderr)
        return EXIT_FAILED
    except ApplyError as err:
        print(f"error: apply stopped at {err}", file=sys.stderr)
        print("what was done stays; run apply again to go on from here", file=sys.stderr)
        return EXIT_FAILED
    print(ngettext("applied {n} change", "applied {n} changes", len(done)).format(n=len(done)))
    return EXIT_OK


def _confirmed(deletes: list[str]) -> bool:
    """Ask on the terminal; no terminal (a script, a pipe) never confirms."""
    print(
        ngettext(
            "--prune deletes {n} resource: {names}",
            "--prune deletes {n} resources: {names}",
            len(deletes),
        ).format(n=len(deletes), names=", ".join(deletes))
    )
    if not sys.stdin.isatty():
        return False
    return input("type yes to delete them: ").strip() == "yes"


def _export(text: str, out: str | None) -> int:
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def plan_lines(plan: Plan) -> list[str]:
    """The plan as text: one line per change in order (unchanged ones counted, not listed),
    then its cost."""
    lines: list[str] = []
    step = 0
    for change in plan.changes:
        if change.action in ("unchanged", "extra"):
            continue
        step += 1
        text = f"{step:3}. {change.action:8} {change.label}"
        if change.trains:
            text += " (trains a solution version first)"
        lines.append(text)
        lines += [f"       {f.field}: {f.current!r} -> {f.wanted!r}" for f in change.fields]
        if change.because:
            lines.append(f"       replaced because {change.because}")
        if change.blocked:
            lines.append(f"       blocked: {change.blocked}")
    extras = [c.label for c in plan.changes if c.action == "extra"]
    if extras:
        lines.append(f"not in the file, kept (--prune deletes them): {', '.join(extras)}")
    unchanged = sum(c.action == "unchanged" for c in plan.changes)
    if not plan.pending:
        lines.insert(0, f"no changes ({unchanged} resources as the file says)")
    else:
        lines.append(f"{unchanged} resources unchanged")
    cost = plan.cost
    hours = (
        f"{cost.training_hours:.2f} training hours (${cost.training_usd:.2f})"
        if cost.known_runs == cost.training_runs
        else f"hours known for {cost.known_runs} (${cost.training_usd:.2f})"
    )
    if cost.training_runs:
        versions = ngettext("{n} version", "{n} versions", cost.training_runs)
        lines.append(f"training: {versions.format(n=cost.training_runs)}, {hours}")
    if cost.tps_after != cost.tps_before:
        lines.append(
            f"campaigns' minimum TPS {cost.tps_before} -> {cost.tps_after} "
            f"({cost.tps_hours_per_month:+,.0f} TPS-hours a month; "
            f"${cost.monthly_usd_before:,.2f} -> ${cost.monthly_usd_after:,.2f} a month)"
        )
    if cost.rps_after != cost.rps_before:
        lines.append(
            f"recommenders' minimum requests a second {cost.rps_before} -> {cost.rps_after} "
            f"({cost.requests_per_month_before:,} -> {cost.requests_per_month_after:,} billed "
            "requests a month at least)"
        )
    return lines


def _settings(data_dir: str | None) -> Settings:
    """The settings from the environment, on ``data_dir`` when given. Raises ConfigError."""
    settings = Settings.from_env()
    return with_data_dir(settings, Path(data_dir)) if data_dir else settings
