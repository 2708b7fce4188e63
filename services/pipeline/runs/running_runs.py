"""Refresh runs in progress as running work, for the Operations page's live list: which step a
run is in, of how many of its kind ("training shop-up (2 of 4)"), read from the run's records.

A step the run's plan does not list is named by a ``StepLabel`` the caller passes: the page
renders it in the reader's language from the step's key, kind and target
(``dashboard.components.operations.refresh_text.step_label``); the default is the label the
worker stored, in English."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from services.i18n import N_, _
from services.pipeline.runs.run_values import RUNNING, RefreshRun, RefreshStep
from services.workspace.running_work import REFRESH, Running

# What a step of each kind is doing, in the reader's language; {name} is the dataset, solution
# or campaign the step is about, {n} of {count} its place among the plan's steps of that kind.
_DOING = {
    "check": N_("checking the data of {name} ({n} of {count})"),
    "import": N_("importing into {name} ({n} of {count})"),
    "train": N_("training {name} ({n} of {count})"),
    "guardrail": N_("guardrail for {name} ({n} of {count})"),
    "deploy": N_("deploying to {name} ({n} of {count})"),
    "verify": N_("checking that {name} answers ({n} of {count})"),
}
# Which list of the plan's detail a step kind walks, and the field naming its items.
_PLANNED = {
    **dict.fromkeys(("check", "import"), ("imports", "dataset_type")),
    "train": ("solutions", "arn"),
    **dict.fromkeys(("guardrail", "deploy", "verify"), ("campaigns", "arn")),
}


# How a step is named when its run's plan does not list it: (the run, the step) → a label.
StepLabel = Callable[[RefreshRun, RefreshStep], str]


def stored_label(_run: RefreshRun, step: RefreshStep) -> str:
    """The step's label as the worker stored it ("Train shop-up (FULL)", English)."""
    return step.label


@dataclass(frozen=True)
class StepProgress:
    """Where a RUNNING run is: its current ``step`` (key "kind:subject", kind — plan, check,
    import, train, guardrail, deploy, verify —, target and stored label), the ``name`` of what
    the step is about (dataset, solution or campaign), and its place ``n`` (1-based) among the
    ``count`` steps of that kind the run's plan holds; ``n`` and ``count`` are 0 for the plan
    step itself, and for a step the plan does not list (``name`` is then "")."""

    step: RefreshStep
    name: str
    n: int
    count: int

    @property
    def kind(self) -> str:
        """The step's kind: "train", "deploy"…"""
        return self.step.kind

    def text(self, unlisted: Callable[[RefreshStep], str] | None = None) -> str:
        """The step as people read it, in the current language: "training shop-up (2 of 4)";
        a step its run's plan does not list (``count`` 0) reads as ``unlisted`` names it (its
        stored label without one)."""
        if self.kind == "plan":
            return _("planning the run")
        if self.count == 0:
            return unlisted(self.step) if unlisted else self.step.label
        return _(_DOING[self.kind]).format(name=self.name, n=self.n, count=self.count)


def _planned(step: RefreshStep, plan: Mapping[str, Any]) -> StepProgress:
    """``step``'s place in ``plan`` (the plan step's detail), matched on the key the step's
    ``key`` carries after "kind:" (a dataset type or an ARN)."""
    listed, field = _PLANNED[step.kind]
    items = list(plan.get(listed) or [])
    subject = step.key.split(":", 1)[1] if ":" in step.key else ""
    for n, item in enumerate(items, 1):
        if item.get(field) == subject:
            name = item.get("dataset_name") or item.get("name") or subject
            return StepProgress(step, str(name), n, len(items))
    # a plan recorded without this item (an older record): the step's own fields still say
    return StepProgress(step, "", 0, 0)


def step_progress(run: RefreshRun) -> StepProgress | None:
    """The step ``run`` is in now, placed among its plan's steps; None between two steps (or
    before the first), when no step is RUNNING."""
    step = run.current_step
    if step is None:
        return None
    if step.kind not in _PLANNED:
        return StepProgress(step, "", 0, 0)
    plan = run.step("plan")
    return _planned(step, plan.detail if plan else {})


def refresh_work(runs: Sequence[RefreshRun], step_label: StepLabel = stored_label) -> list[Running]:
    """RUNNING refresh runs as running work, in the current language: the name is "#3 of
    shop", the status the step the run is in ("training shop-up (2 of 4)", ``step_progress``;
    a step the plan does not list as ``step_label`` names it), or that its process stopped
    (``live`` is then False)."""
    work = []
    for run in runs:
        if run.status != RUNNING:
            continue
        if run.stale:
            status = _("stalled: its process stopped (the next refresh resumes it)")
        else:
            progress = step_progress(run)
            status = progress.text(partial(step_label, run)) if progress else _("starting")
        work.append(
            Running(
                REFRESH,
                _("#{id} of {group}").format(id=run.id, group=run.dataset_group_name),
                status,
                run.started,
                run.dataset_group_arn,
                live=not run.stale,
            )
        )
    return work
