"""A refresh run's step labels and outcome in the reader's language.

The worker stores them in English (``services.pipeline.steps.runner``: "Plan the refresh of
kshop", "Deploy to kshop-reco", "Not deployed by the guardrail: …"), once, for the CLI's JSON
lines and the audit log. The pages render them again from the run's structured fields: the
step's key and target ARN, the plan step's detail (its imports, solutions and campaigns) and
each guardrail's numbers. A step or run whose fields do not say enough (recorded by an older
worker) keeps its stored text; an engine's or service's own message inside a reason is quoted
as it came.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboard.components.formatting import dataset_type_name, mode_name
from services.i18n import N_, _
from services.personalize.models import version_label
from services.pipeline import RefreshRun, RefreshStep, guardrail_reason
from services.pipeline.steps.rejections import rejection_text
from services.store.audit_text import reason_text

_LABELS = {
    "plan": N_("Plan the refresh of {group}"),
    "check": N_("Check the {dataset} data"),
    "import": N_("Import {dataset} ({mode})"),
    "train": N_("Train {solution} ({mode})"),
    "guardrail": N_("Guardrail for {campaign}"),
    "deploy": N_("Deploy to {campaign}"),
    "verify": N_("Verify {campaign} answers"),
}
_KEPT = N_("Campaigns keep serving their previous versions.")  # the worker's last sentence
_REFUSED_DEPLOY = "refused by the guardrail; it keeps serving "


def _plan(run: RefreshRun) -> Mapping[str, Any]:
    return next((s.detail for s in run.steps if s.kind == "plan"), {})


def _named(plan: Mapping[str, Any], part: str, arn: str | None) -> Mapping[str, Any]:
    """The plan's entry of ``part`` (solutions, campaigns) for ``arn``; {} when not planned."""
    return next((e for e in plan.get(part, ()) if e.get("arn") == arn), {})


def step_label(run: RefreshRun, step: RefreshStep) -> str:
    """What the step does, in the reader's language (the stored label when the run's fields
    do not name what it needs)."""
    plan = _plan(run)
    _kind, _sep, about = step.key.partition(":")
    fields: dict[str, str] = {"group": run.dataset_group_name}
    if step.kind in ("check", "import") and about:
        fields["dataset"] = dataset_type_name(about).lower()  # "Check the interactions data"
        fields["mode"] = mode_name(str(run.options.get("import_mode", "FULL")))
    elif step.kind == "train":
        solution = _named(plan, "solutions", step.target)
        if not solution.get("name") or not solution.get("mode"):
            return step.label
        fields.update(solution=str(solution["name"]), mode=mode_name(str(solution["mode"])))
    elif step.kind in ("guardrail", "deploy", "verify"):
        campaign = _named(plan, "campaigns", step.target)
        if not campaign.get("name"):
            return step.label
        fields["campaign"] = str(campaign["name"])
    template = _LABELS.get(step.kind)
    try:
        return _(template).format(**fields) if template else step.label
    except KeyError:  # a check or import step without its dataset type in the key
        return step.label


def step_reason(run: RefreshRun, step: RefreshStep) -> str:
    """Why the step ended as it did: a guardrail's verdict from its numbers; a deploy the
    guardrail refused, with the version the campaign keeps; a failure with the step's label
    rendered and the service's message as it came; anything else as stored."""
    reason = step.reason or ""
    if step.kind == "guardrail" and step.detail:
        return guardrail_reason(step.detail) or reason
    if step.kind == "check" and step.status == "FAILED" and step.detail.get("rejected_rows"):
        return rejection_text(step.detail["rejected_rows"])
    if step.kind == "deploy" and reason.startswith(_REFUSED_DEPLOY):
        kept = reason.removeprefix(_REFUSED_DEPLOY)
        return _("Refused by the guardrail; it keeps serving {version}").format(version=kept)
    return _relabelled(run, step, reason)


def _relabelled(run: RefreshRun, step: RefreshStep, reason: str) -> str:
    """``reason`` ("<label>: <message>", as a failed step stores it) with the label rendered
    in the reader's language and the worker's closing sentence translated."""
    message = reason
    if reason.startswith(f"{step.label}: "):
        message = f"{step_label(run, step)}: {reason.removeprefix(f'{step.label}: ')}"
    if message.endswith(_KEPT):
        said = message.removesuffix(_KEPT).rstrip()
        stop = "" if not said or said.endswith((".", "!", "?")) else "."
        message = f"{said}{stop} {_(_KEPT)}".lstrip()
    return message


def run_reason(run: RefreshRun) -> str:
    """The run's outcome in the reader's language: the campaigns the guardrail kept on their
    versions and why (from each guardrail's numbers), or the failed step's reason rendered as
    ``step_reason`` does; else the stored outcome as ``audit_text.reason_text`` reads it."""
    reason = run.reason or ""
    refused = [s for s in run.steps if s.kind == "guardrail" and s.status == "REFUSED"]
    if run.status == "REFUSED" and refused:
        plan = _plan(run)
        verdicts = []
        for step in refused:
            name = _named(plan, "campaigns", step.target).get("name") or version_label(
                step.target or ""
            )
            verdicts.append(f"{name}: {step_reason(run, step)}")
        return _("Not deployed by the guardrail: {verdicts}").format(verdicts="; ".join(verdicts))
    failed = next((s for s in run.steps if s.status == "FAILED"), None)
    if run.status == "FAILED" and failed is not None:
        return _relabelled(run, failed, reason)
    return reason_text(reason)
