"""The steps of one refresh run: plan → check → import → train → guardrail → deploy → verify.

Each step is recorded as it starts and ends (``RunStore``); a step that already ended is
skipped when a run is resumed, and a resumed step finds the resource it had created (an import
job, a solution version, a campaign update) in its recorded detail and waits on it instead of
creating another. No UpdateCampaign is sent before every import and training step succeeded,
and a campaign keeps serving its version until its update is ACTIVE, so a failed step never
changes what a campaign serves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from services.errors import AccessDenied, ServiceError
from services.i18n import N_, ngettext
from services.i18n.sentences import then
from services.personalize.models import version_label
from services.pipeline.options import RefreshOptions
from services.pipeline.runs.records import FAILED, REFUSED, SKIPPED, SUCCEEDED, RefreshRun
from services.pipeline.runs.run_end import finish_despite_faults
from services.pipeline.steps.calls import LostLock, StepFailed
from services.pipeline.steps.campaign_steps import CampaignSteps
from services.pipeline.steps.data_steps import DataSteps
from services.pipeline.steps.planning import CAMPAIGNS_IN_GROUP, Planning
from services.pipeline.steps.rejections import check_warnings
from services.pipeline.steps.step_context import StepResult
from services.store.audit_text import (
    ALREADY_SERVED,
    DEPLOYED,
    GUARDRAIL_REFUSED,
    RUN_ENDED,
    note,
)

_log = logging.getLogger(__name__)

# A failed run's closing sentence: no UpdateCampaign is sent before every import and training
# succeeded (module docstring). The pages translate it (refresh_text).
KEPT = N_("Campaigns keep serving their previous versions.")

Body = Callable[[Mapping[str, Any]], StepResult]  # prior → result


def _ignoring_prior(work: Callable[[], StepResult]) -> Body:
    """A step body for work that does not read what an earlier attempt of the step recorded."""

    def body(_prior: Mapping[str, Any]) -> StepResult:
        return work()

    return body


def _skipped(reason: str) -> StepResult:
    return SKIPPED, reason, {}


def _failed(said: str, detail: Mapping[str, Any]) -> str:
    """A failed run's reason: the step's ``said``, then that campaigns keep their versions,
    unless the failed step found the group has no campaign (then a stop ends ``said``)."""
    if detail.get(CAMPAIGNS_IN_GROUP) == 0:
        return then(said, "").rstrip()
    return then(said, KEPT)


class RefreshRunner(Planning, DataSteps, CampaignSteps):
    """Executes one claimed run to its end (or until another process takes it over)."""

    def _step(
        self, key: str, kind: str, label: str, target: str | None, body: Body
    ) -> tuple[str, dict[str, Any]]:
        done = self._run.step(key)
        if done is not None and done.status in (SUCCEEDED, SKIPPED, REFUSED):
            return done.status, dict(done.detail)  # finished before a restart
        prior = self._runs.begin_step(self._run.id, key, kind, label, target)
        try:
            status, reason, detail = body(prior)
        except LostLock:
            raise
        except StepFailed as err:
            self._runs.end_step(self._run.id, key, FAILED, f"{label}: {err}", err.detail)
            raise StepFailed(f"{label}: {err}", err.detail) from err
        except AccessDenied as err:
            reason = f"{label}: {err} The run stopped."
            self._runs.end_step(self._run.id, key, FAILED, reason)
            raise StepFailed(reason) from err
        except ServiceError as err:
            self._runs.end_step(self._run.id, key, FAILED, f"{label}: {err}")
            raise StepFailed(f"{label}: {err}") from err
        self._runs.end_step(self._run.id, key, status, reason, detail)
        return status, {**prior, **detail}

    # --- the run ----------------------------------------------------------------------------

    def execute(self, run: RefreshRun, owner: str) -> str:
        """Run every remaining step; returns the run's final status (or RUNNING if taken over)."""
        self._run = run
        options = RefreshOptions.from_dict(run.options)
        try:
            status, reason = self._steps(options)
        except LostLock:
            _log.warning("refresh #%s was taken over by another process", run.id)
            return "RUNNING"
        except StepFailed as err:
            status, reason = FAILED, _failed(str(err), err.detail)
        except Exception as err:  # a bug must still end the run, not leave it RUNNING
            _log.exception("refresh #%s crashed", run.id)
            status, reason = FAILED, then(f"Unexpected error: {err!r}", KEPT)
        if finish_despite_faults(
            self._runs, run.id, owner, status, reason, sleep=self._caller.sleep
        ):
            # The start is audited by whoever triggered the run; the outcome is audited here,
            # once, whatever started it (the button, the CLI, a resumed run).
            try:
                self._audit(
                    "refresh finished",
                    run.dataset_group_arn,
                    {"run": run.id},
                    note(RUN_ENDED, run=run.id, status=status, reason=reason),
                    "ok" if status == SUCCEEDED else "error",
                )
            except ServiceError:
                _log.warning("could not audit the end of refresh #%s", run.id, exc_info=True)
        return status

    def _steps(self, options: RefreshOptions) -> tuple[str, str]:
        """The run's outcome and its summary; rows a prepared export lost (below the run's
        limit: above it the check step failed) are named after the outcome, not only in the
        check step's line."""
        warnings: list[str] = []
        status, reason = self._outcome(options, warnings)
        if warnings:
            reason += " " + ngettext("Warning: {text}.", "Warnings: {text}.", len(warnings)).format(
                text="; ".join(warnings)
            )
        return status, reason

    def _outcome(self, options: RefreshOptions, warnings: list[str]) -> tuple[str, str]:
        _, plan = self._step(
            "plan",
            "plan",
            f"Plan the refresh of {self._run.dataset_group_name}",
            self._run.dataset_group_arn,
            lambda _: self._plan(options),
        )
        for source in plan["imports"]:
            dtype = source["dataset_type"]
            _, checked = self._step(
                f"check:{dtype}",
                "check",
                f"Check the {dtype.lower()} data",
                source["location"],
                _ignoring_prior(partial(self._check, source, options)),
            )
            warnings.extend(
                check_warnings([checked["rejected_rows"]] if checked.get("rejected_rows") else [])
            )
            if checked.get("same_as_run"):
                warnings.append(
                    f"the {dtype.lower()} file has the same content as run "
                    f"#{checked['same_as_run']} imported"
                )
            self._step(
                f"import:{dtype}",
                "import",
                f"Import {dtype.lower()} ({options.import_mode})",
                source["dataset_arn"],
                partial(self._import, source, options),
            )
        versions: dict[str, str] = {}
        for solution in plan["solutions"]:
            _, detail = self._step(
                f"train:{solution['arn']}",
                "train",
                f"Train {solution['name']} ({solution['mode']})",
                solution["arn"],
                partial(self._train, solution, options),
            )
            versions[solution["arn"]] = detail["version_arn"]
        refused: list[str] = []
        would_refuse: list[str] = []
        deployed: list[str] = []
        for campaign in plan["campaigns"]:
            new_arn = versions[campaign["solution_arn"]]
            name = campaign["name"]
            status, verdict = self._step(
                f"guardrail:{campaign['arn']}",
                "guardrail",
                f"Guardrail for {name}",
                campaign["arn"],
                _ignoring_prior(partial(self._guardrail, campaign, new_arn, options)),
            )
            if status == REFUSED:
                # With --no-deploy the verdict is information, not the run's outcome.
                (refused if options.deploy else would_refuse).append(f"{name}: {verdict['reason']}")
                kept = version_label(verdict.get("served_version") or "")
                self._step(
                    f"deploy:{campaign['arn']}",
                    "deploy",
                    f"Deploy to {name}",
                    campaign["arn"],
                    _ignoring_prior(
                        partial(_skipped, f"refused by the guardrail; it keeps serving {kept}")
                    ),
                )
                continue
            if status == SKIPPED:
                continue
            _, deploy = self._step(
                f"deploy:{campaign['arn']}",
                "deploy",
                f"Deploy to {name}",
                campaign["arn"],
                partial(self._deploy, campaign, new_arn, options),
            )
            if deploy.get("requested"):
                self._step(
                    f"verify:{campaign['arn']}",
                    "verify",
                    f"Verify {name} answers",
                    campaign["arn"],
                    _ignoring_prior(partial(self._verify, campaign, new_arn, deploy)),
                )
                deployed.append(f"{name} → {version_label(new_arn)}")
        if refused:
            return REFUSED, note(GUARDRAIL_REFUSED, refused="; ".join(refused))
        if deployed:
            return SUCCEEDED, note(DEPLOYED, deployed=", ".join(deployed))
        if not options.deploy:
            trained = "Trained " + ", ".join(version_label(v) for v in versions.values())
            verdicts = (
                "; the guardrail would refuse " + "; ".join(would_refuse) if would_refuse else ""
            )
            return SUCCEEDED, f"{trained} (--no-deploy){verdicts}."
        return SUCCEEDED, note(ALREADY_SERVED)

    # --- steps ------------------------------------------------------------------------------
