"""A refresh run's step labels and outcome in the reader's language.

The worker stores them in English (``services.pipeline.steps.runner``: "Plan the refresh of
kshop", "Deploy to kshop-reco", "Not deployed by the guardrail: …"), once, for the CLI's JSON
lines and the audit log. The pages render them again from the run's structured fields: the
step's key and target ARN, the plan step's detail (its imports, solutions and campaigns) and
each guardrail's numbers, a check's rejected rows and a plan's refusal (naming this page's
fields where the worker's English names the CLI's flags). A step or run whose fields do not say
enough (recorded by an older worker) keeps its stored text; an engine's or service's own
message inside a reason is quoted as it came.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboard.components.formatting import dataset_type_name, mode_name
from dashboard.components.operations.refresh_refusals import max_rejected_setting, plan_refusal
from services.i18n import N_, _, ngettext
from services.i18n.sentences import then
from services.personalize.models import version_label
from services.pipeline import RefreshRun, RefreshStep, guardrail_reason
from services.pipeline.steps.rejections import rejection_text, too_many
from services.pipeline.steps.runner import KEPT
from services.prepare.reader import missing_columns_text
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
    rendered = _failure(step)
    if rendered is not None:
        return rendered
    if step.kind == "deploy" and reason.startswith(_REFUSED_DEPLOY):
        kept = reason.removeprefix(_REFUSED_DEPLOY)
        return _("Refused by the guardrail; it keeps serving {version}").format(version=kept)
    succeeded = _succeeded(run, step) if step.status == "SUCCEEDED" else None
    return succeeded if succeeded is not None else _relabelled(run, step, reason)


def _succeeded(run: RefreshRun, step: RefreshStep) -> str | None:
    """A succeeded step's reason from its detail: the plan's counts, the import job, the
    trained version, the version a campaign now serves; None when the detail does not say it
    (an older run: its stored English stands)."""
    detail = step.detail
    if step.kind == "plan" and {"imports", "solutions", "campaigns"} <= detail.keys():
        imports, solutions, campaigns = (
            len(detail[k]) for k in ("imports", "solutions", "campaigns")
        )
        return ", ".join(
            (
                ngettext("{n} import", "{n} imports", imports).format(n=imports),
                ngettext("{n} solution to train", "{n} solutions to train", solutions).format(
                    n=solutions
                ),
                ngettext("{n} campaign", "{n} campaigns", campaigns).format(n=campaigns),
            )
        )
    if step.kind == "import" and detail.get("job_arn"):
        job = str(detail["job_arn"]).rpartition("/")[2]
        return _("Import job {job} is active").format(job=job)
    if step.kind == "train" and detail.get("version_arn"):
        return _("Version {version} is active").format(
            version=version_label(str(detail["version_arn"]))
        )
    name = _named(_plan(run), "campaigns", step.target).get("name")
    if step.kind == "deploy" and detail.get("version_arn") and name:
        return _("{campaign} now serves {version}").format(
            campaign=name, version=version_label(str(detail["version_arn"]))
        )
    return None


def _failure(step: RefreshStep) -> str | None:
    """A failed step's reason rendered from its detail: the columns a mapping reads that the
    raw export lacks, the rows a prepared export lost (with this page's field for the limit)
    or the plan's refusal; None when the detail does not say it (an older run, an engine's
    message)."""
    if step.status != "FAILED":
        return None
    missing = step.detail.get("missing_columns")
    if step.kind == "check" and isinstance(missing, dict):
        try:
            return missing_columns_text(missing)
        except KeyError:  # stored without one of its values: the stored text says it
            return None
    rejected = step.detail.get("rejected_rows")
    # below the limit the check failed for another reason, said after the rows (stored text)
    if step.kind == "check" and rejected and too_many(rejected):
        return rejection_text(rejected, max_rejected_setting())
    if step.kind == "plan":
        return plan_refusal(step.detail)
    return None


def _relabelled(run: RefreshRun, step: RefreshStep, reason: str) -> str:
    """``reason`` ("<label>: <message>", as a failed step stores it) with the label rendered
    in the reader's language and the worker's closing sentence translated."""
    message = reason
    if reason.startswith(f"{step.label}: "):
        message = f"{step_label(run, step)}: {reason.removeprefix(f'{step.label}: ')}"
    if message.endswith(KEPT):
        message = then(message.removesuffix(KEPT), _(KEPT))
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
        rendered = _failure(failed)
        if rendered is None:
            return _relabelled(run, failed, reason)
        said = f"{step_label(run, failed)}: {rendered}"
        # the worker's closing sentence, when it wrote one (not for a group without campaigns)
        return then(said, _(KEPT)) if reason.endswith(KEPT) else said
    return reason_text(reason)
