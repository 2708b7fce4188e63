"""Campaign steps: guardrail, UpdateCampaign (waiting out a busy campaign), verification."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from services.datasets.local_engine.versions import version_data_source
from services.errors import Conflict, InvalidInput, NotFound, ServiceError
from services.evaluation.version_data import VersionData
from services.i18n import ngettext
from services.personalize.models import Campaign, is_terminal, version_label
from services.pipeline.options import RefreshOptions
from services.pipeline.runs.records import REFUSED, SKIPPED, SUCCEEDED
from services.pipeline.steps.calls import StepFailed
from services.pipeline.steps.guardrail import judge
from services.pipeline.steps.step_context import StepContext, StepResult
from services.workspace.recipe_capabilities import (
    ACTION_REQUEST,
    ITEM_REQUEST,
    RANKING_REQUEST,
    request_kind,
)

_log = logging.getLogger(__name__)

PROBE_ID = "refresh-check"  # unknown to every model: the campaign answers with its fallback
PROBE_ITEMS = ("refresh-check-a", "refresh-check-b")


class CampaignSteps(StepContext):
    def _served_metrics(self, arn: str | None) -> Mapping[str, float] | None:
        if not arn:
            return None
        try:
            return self._call(lambda: self._svc.get_solution_metrics(arn))
        except (NotFound, InvalidInput):
            # The served version may be gone from Personalize; its metrics were snapshotted.
            history = self._store.metric_history(arn) if self._store else []
            return dict(history[-1].metrics) if history else None

    def _version_data(self, arns: list[str]) -> dict[str, VersionData]:
        """What each version was trained and scored on, where the backend keeps it (the
        in-process engine); {} on AWS, or when it cannot be read (the verdict stands without)."""
        source = version_data_source(self._settings)
        if source is None:
            return {}
        try:
            return source(arns)
        except ServiceError:
            _log.warning("could not read the versions' data for the guardrail", exc_info=True)
            return {}

    def _guardrail(
        self, campaign: Mapping[str, Any], new_arn: str, options: RefreshOptions
    ) -> StepResult:
        described = self._call(lambda: self._svc.describe_campaign(campaign["arn"]))
        served = described.solution_version_arn
        if served == new_arn:
            return SKIPPED, f"{campaign['name']} already serves {version_label(new_arn)}", {}
        new_metrics = self._call(lambda: self._svc.get_solution_metrics(new_arn))
        data = self._version_data([new_arn, served] if served else [new_arn])
        result = judge(
            options.metric,
            new_metrics,
            self._served_metrics(served),
            options.tolerance_pct,
            force=options.force,
            new_data=data.get(new_arn),
            served_data=data.get(served) if served else None,
        )
        detail = {
            **result.to_dict(),
            "campaign": campaign["name"],
            "new_version": new_arn,
            "served_version": served,
        }
        return (SUCCEEDED if result.allowed else REFUSED), result.reason, detail

    def _campaign(self, arn: str) -> Campaign:
        return self._call(lambda: self._svc.describe_campaign(arn))

    def _deploy(
        self,
        campaign: Mapping[str, Any],
        new_arn: str,
        options: RefreshOptions,
        prior: Mapping[str, Any],
    ) -> StepResult:
        if not options.deploy:
            return SKIPPED, "--no-deploy: campaigns keep their versions", {}
        arn, name = campaign["arn"], campaign["name"]
        key = f"deploy:{arn}"
        previous = prior.get("previous_version")
        before = prior.get("probe_before")
        if not prior.get("requested"):
            current = self._campaign(arn)
            previous = current.solution_version_arn
            before = self._probe(campaign, self._subjects(campaign)[0])
            self._request_update(arn, new_arn, options)
            self._runs.record(
                self._run.id, key, requested=True, previous_version=previous, probe_before=before
            )
            self._audit(
                "update_campaign",
                arn,
                {"solution_version_arn": new_arn, "previous_version_arn": previous},
                f"{version_label(previous or '')} → {version_label(new_arn)}",
            )

        def settled(c: Campaign) -> bool:
            update = c.pending_update
            return (
                update is not None
                and update.solution_version_arn == new_arn
                and not update.in_progress
            )

        final = self._caller.wait(
            lambda: self._campaign(arn),
            settled,
            options.campaign_timeout_s,
            lambda c: f"the update of {name} is still {_update_status(c)}",
        )
        update = final.pending_update
        if update is None or update.status != "ACTIVE":
            status = update.status if update else final.status
            raise StepFailed(
                f"the update ended {status}: "
                f"{(update.failure_reason if update else None) or 'no reason given'}; "
                f"{name} still serves {version_label(final.solution_version_arn or previous or '')}"
            )
        return (
            SUCCEEDED,
            f"{name} now serves {version_label(new_arn)}",
            {
                "requested": True,
                "version_arn": new_arn,
                "previous_version": previous,
                "probe_before": before,
            },
        )

    def _request_update(self, arn: str, new_arn: str, options: RefreshOptions) -> None:
        """UpdateCampaign; a campaign busy with another change (ResourceInUse) is waited out."""

        def idle(c: Campaign) -> bool:
            return is_terminal(c.status) and not (c.pending_update and c.pending_update.in_progress)

        deadline_s = options.campaign_timeout_s
        while True:
            try:
                self._call(lambda: self._svc.update_campaign(arn, new_arn))
                return
            except Conflict as err:
                if "already exists" in str(err):
                    raise
                _log.info("campaign %s busy; waiting before UpdateCampaign again", arn)
                self._caller.wait(
                    lambda: self._campaign(arn),
                    idle,
                    deadline_s,
                    lambda c: f"{c.name} stayed busy ({c.status}); UpdateCampaign was refused",
                )
                self._caller.sleep(self._caller.poll_s)

    def _subjects(self, campaign: Mapping[str, Any]) -> tuple[list[str], str]:
        """Whom the verify step asks about: users (items, for a similar-items campaign) of this
        run's imported interactions, or an unknown ID when the run imported none."""
        kind = request_kind(campaign.get("recipe_type"))
        key = "sample_items" if kind == ITEM_REQUEST else "sample_users"
        found = self._samples(key)
        noun = "item" if kind == ITEM_REQUEST else "user"
        if found:
            whom = (
                ngettext("{n} item of this run's data", "{n} items of this run's data", len(found))
                if kind == ITEM_REQUEST
                else ngettext(
                    "{n} user of this run's data", "{n} users of this run's data", len(found)
                )
            )
            return found, whom.format(n=len(found))
        return [PROBE_ID], f"an unknown {noun} (this run imported no interactions to sample)"

    def _samples(self, key: str) -> list[str]:
        """``sample_users`` or ``sample_items`` of this run's imported interactions."""
        return [str(x) for x in self._run_detail("check:INTERACTIONS").get(key) or []]

    def _probe(self, campaign: Mapping[str, Any], subjects: list[str]) -> dict[str, list[str]]:
        """The campaign's answer for each subject, asked the way its recipe type is served:
        GetActionRecommendations for PERSONALIZED_ACTIONS (action IDs; GetRecommendations
        refuses such a campaign), GetPersonalizedRanking of this run's sampled items (or two
        unknown ones) for PERSONALIZED_RANKING, GetRecommendations with itemId for
        RELATED_ITEMS and with userId otherwise."""
        kind = request_kind(campaign.get("recipe_type"))
        arn = campaign["arn"]
        to_rank = self._samples("sample_items") or list(PROBE_ITEMS)
        answers = {}
        for subject in subjects:
            if kind == RANKING_REQUEST:
                answer = self._call(
                    partial(self._svc.get_personalized_ranking, arn, subject, to_rank)
                )
            elif kind == ACTION_REQUEST:
                answer = self._call(
                    partial(self._svc.get_action_recommendations, arn, user_id=subject)
                )
            elif kind == ITEM_REQUEST:
                answer = self._call(
                    partial(self._svc.get_recommendations, arn, item_id=subject, num_results=10)
                )
            else:
                answer = self._call(
                    partial(self._svc.get_recommendations, arn, user_id=subject, num_results=10)
                )
            answers[subject] = list(answer.item_ids)
        return answers

    def _verify(
        self, campaign: Mapping[str, Any], new_arn: str, deploy: Mapping[str, Any]
    ) -> StepResult:
        """What is checked: DescribeCampaign reports the new version, with no update still in
        progress, and the campaign answers (as ``_probe`` asks it for its recipe type) with a
        non-empty list for every sample subject. Personalize offers
        no way to score a version outside a campaign short of a batch inference job (minutes
        and billed), so the lists themselves are not compared with the version's own."""
        name = campaign["name"]
        described = self._campaign(campaign["arn"])
        if described.solution_version_arn != new_arn:
            raise StepFailed(
                f"{name} reports serving "
                f"{version_label(described.solution_version_arn or '')}, "
                f"not {version_label(new_arn)}"
            )
        if described.pending_update is not None and described.pending_update.in_progress:
            raise StepFailed(f"{name} still has an update in progress")
        subjects, whom = self._subjects(campaign)
        after = self._probe(campaign, subjects)
        empty = [s for s, items in after.items() if not items]
        if empty:
            raise StepFailed(f"{name} answered with an empty list for {', '.join(empty)}")
        before = deploy.get("probe_before")
        changed = (
            sum(1 for s, items in after.items() if before.get(s) != items)
            if isinstance(before, dict)
            else None
        )
        change = (
            ngettext(
                "; {changed} of {n} list changed", "; {changed} of {n} lists changed", len(after)
            ).format(changed=changed, n=len(after))
            if changed is not None
            else ""
        )
        return (
            SUCCEEDED,
            f"{name} reports {version_label(new_arn)} and answers for {whom}{change}",
            {"answers": after, "changed": changed},
        )


def _update_status(campaign: Campaign) -> str:
    return campaign.pending_update.status if campaign.pending_update else campaign.status
