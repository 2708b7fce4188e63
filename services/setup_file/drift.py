"""The setup file against the account, for the dashboard: drift (missing, extra, different)
and an apply that re-reads both first.

``PERSONALIZE_SETUP_FILE`` (Settings.setup_file) names the file; the Overview shows what
differs and Operations shows the plan and applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.costs.pricing import Prices
from services.errors import ServiceError
from services.setup_file.apply import Applier, ApplyError, audited_apply
from services.setup_file.model import SetupFile, SetupFileError
from services.setup_file.plan import Change, Plan, make_plan
from services.setup_file.ranges import account_problems
from services.setup_file.reading import load
from services.setup_file.state import Account, read_account
from services.store.tables import Store


@dataclass(frozen=True)
class SetupReport:
    """The file at ``path``: its problems (a bad file: no plan), or the plan to apply it."""

    path: str
    problems: tuple[str, ...] = ()
    plan: Plan | None = None

    def _of(self, *actions: str) -> tuple[Change, ...]:
        return tuple(c for c in (self.plan.changes if self.plan else ()) if c.action in actions)

    @property
    def missing(self) -> tuple[Change, ...]:
        """In the file, not in the account."""
        return self._of("create")

    @property
    def extra(self) -> tuple[Change, ...]:
        """In the account, not in the file."""
        return self._of("extra", "delete")

    @property
    def different(self) -> tuple[Change, ...]:
        """In both, with fields that differ (or ended CREATE FAILED)."""
        return self._of("update", "replace")

    @property
    def drifted(self) -> bool:
        return bool(self.missing or self.extra or self.different)


def setup_report(p: Any, path: Path, prices: Prices) -> SetupReport:
    """Read the file and the account (List*/Describe* only) and plan.

    Raises ServiceError when the account cannot be read (a bad file is a report)."""
    read = _read(p, path)
    if isinstance(read, SetupReport):
        return read
    setup, account = read
    return SetupReport(str(path), plan=make_plan(setup, account, prices))


def _read(p: Any, path: Path) -> tuple[SetupFile, Account] | SetupReport:
    try:
        setup = load(path)
    except SetupFileError as err:
        return SetupReport(str(path), problems=tuple(err.problems))
    try:
        account = read_account(p)
        problems = account_problems(p, setup)
    except (ClientError, BotoCoreError) as err:
        raise ServiceError(f"Could not read the account to compare it with {path}: {err}") from err
    if problems:
        return SetupReport(str(path), problems=tuple(problems))
    return setup, account


def apply_setup(
    p: Any,
    path: Path,
    prices: Prices,
    store: Store,
    actor: str,
    role_arn: str | None = None,
) -> list[str]:
    """Apply the file as it is now (re-read with the account, never a stale plan; no
    deletions: pruning is the command line's, with its confirmation), audited for ``actor``.
    Returns the labels of what changed.

    Raises ServiceError: a bad file, a blocked change, or a step that failed (its message
    names it; what was done stays and applying again goes on from there)."""
    read = _read(p, path)
    if isinstance(read, SetupReport):
        raise ServiceError(f"{path}: " + "; ".join(read.problems))
    setup, account = read
    plan = make_plan(setup, account, prices)
    applier = Applier(p, setup, account, say=lambda _: None, role_arn=role_arn)
    try:
        return audited_apply(store, actor, str(path), applier, plan)
    except ApplyError as err:
        raise ServiceError(f"Apply stopped at {err}. Applying again goes on from there.") from err
