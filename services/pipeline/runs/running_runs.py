"""Refresh runs in progress as running work, for the Operations page's live list."""

from __future__ import annotations

from collections.abc import Sequence

from services.i18n import N_
from services.pipeline.runs.run_values import RUNNING, RefreshRun
from services.workspace.running_work import Running


def refresh_work(runs: Sequence[RefreshRun]) -> list[Running]:
    """RUNNING refresh runs as running work; the status is the step each is in now (its label,
    e.g. "Train shop-up (FULL)"), or that its process stopped (``live`` is then False)."""
    work = []
    for run in runs:
        if run.status != RUNNING:
            continue
        step = run.current_step
        if run.stale:
            status = "stalled: its process stopped (the next refresh resumes it)"
        else:
            status = step.label if step else "starting"
        work.append(
            Running(
                N_("Refresh"),
                f"#{run.id} of {run.dataset_group_name}",
                status,
                run.started,
                run.dataset_group_arn,
                live=not run.stale,
            )
        )
    return work
