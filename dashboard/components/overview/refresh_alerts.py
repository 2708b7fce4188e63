"""The Overview's refresh alerts in the reader's language, from ``refresh_findings``' fields:
the group, the run's number, its status as ``status_name`` reads it and, for a run that failed
or was refused, its outcome as ``refresh_text.run_reason`` renders it (the failed step's label
and the guardrail's verdict translated, a service's message quoted as it came)."""

from __future__ import annotations

from collections.abc import Callable

from dashboard.components.formatting import status_name
from dashboard.components.operations.refresh_text import run_reason
from services.i18n import _
from services.i18n.formats import duration
from services.i18n.sentences import then
from services.pipeline import RefreshRun
from services.pipeline.runs.freshness import RefreshFinding
from services.workspace.alerts import Alert


def _outcome(finding: RefreshFinding, run: RefreshRun) -> str:
    """ "; the last run (#7) FAILED (실패): <reason>", the reason only for a run that ended
    badly (a RUNNING run whose process stopped has none to give)."""
    said = _("; the last run (#{id}) {status}").format(id=run.id, status=status_name(run.status))
    reason = run_reason(run) if finding.ended_badly else ""
    return f"{said}: {reason}" if reason else said


def refresh_alert(finding: RefreshFinding, with_steps: Callable[[int], RefreshRun | None]) -> Alert:
    """The alert of ``finding``; ``with_steps`` reads its run again with its steps (the
    findings carry the run as the history lists it), which ``run_reason`` renders from."""
    run = finding.run
    if finding.ended_badly:
        run = with_steps(run.id) or run
    group = run.dataset_group_name
    if finding.kind == "refresh_stale":
        what = (
            _("has not succeeded for {age}").format(age=duration(finding.age))
            if finding.succeeded_before
            else _("has never succeeded (first run {age} ago)").format(age=duration(finding.age))
        )
        said = _("The refresh of {group} {what} (limit {limit}){outcome}").format(
            group=group, what=what, limit=duration(finding.max_age), outcome=_outcome(finding, run)
        )
        # the outcome may end its own sentence ("…previous versions."): one stop, not two
        message = then(said, _("Check the scheduler and the run on Operations."))
    else:
        message = _("The last refresh of {group} (#{id}) {status}: {reason}").format(
            group=group, id=run.id, status=status_name(run.status), reason=run_reason(run)
        )
    return Alert(
        finding.severity, message, "operations", finding.group_arn, finding.since, finding.kind
    )
