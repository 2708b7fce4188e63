"""Applying a plan: each change made with Personalize's own Create*/Update*/Delete* calls, in
dependency levels (``references.levels``): every change of a level is started together and
the level is waited for once (``services.polling.wait_for`` reading all of them), as
Personalize requires before the next level: the dataset groups ACTIVE before their datasets,
the datasets ACTIVE before their imports (started together, waited for together), the imports
done before filters and solutions, the solution versions trained (together) before their
campaigns, a deletion finished before what it depended on is deleted. A setup of N levels
costs N waits, not one per resource.

Idempotent and resumable: the plan is made from the account as it is, so a second apply
after a failure finds what the first one created (unchanged), waits for what is still
CREATE PENDING/IN_PROGRESS, replaces what ended CREATE FAILED, and goes on from there; a
campaign whose solution already has a version training waits for that one instead of
starting another. Nothing is rolled back (Personalize has no transactions); the error names
the step.

Deletions (``--prune``, replacements) go first, dependents before what they depend on
(campaigns, recommenders, attributions, solutions, filters, trackers, datasets, groups,
schemas), each waited for until its Describe answers ResourceNotFoundException.

The parameters each call sends are built in ``call_params``; a level's wait is ``waiting``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.polling import Polling, PollTimedOut, wait_for
from services.setup_file.call_params import (
    RECIPES,
    campaign_config,
    create_tags,
    metric_definition,
    metrics_output,
    solution_config,
)
from services.setup_file.model import SetupFile
from services.setup_file.plan import TAG_FIELD, Change, FieldChange, Plan
from services.setup_file.references import KINDS, Key, levels
from services.setup_file.state import Account
from services.setup_file.waiting import RUNNING, ApplyError, Wait, wait_all
from services.store.audit_text import changes_note
from services.store.tables import Store

DEFAULT_POLLING = Polling(interval_s=0.5, timeout_s=3600.0, max_interval_s=30.0)

# kind -> (describe method, its ARN parameter, the answer's key, delete method)
CALLS: dict[str, tuple[str, str, str, str]] = {
    "schemas": ("describe_schema", "schemaArn", "schema", "delete_schema"),
    "dataset_groups": (
        "describe_dataset_group",
        "datasetGroupArn",
        "datasetGroup",
        "delete_dataset_group",
    ),
    "datasets": ("describe_dataset", "datasetArn", "dataset", "delete_dataset"),
    "event_trackers": (
        "describe_event_tracker",
        "eventTrackerArn",
        "eventTracker",
        "delete_event_tracker",
    ),
    "filters": ("describe_filter", "filterArn", "filter", "delete_filter"),
    "solutions": ("describe_solution", "solutionArn", "solution", "delete_solution"),
    "campaigns": ("describe_campaign", "campaignArn", "campaign", "delete_campaign"),
    "recommenders": ("describe_recommender", "recommenderArn", "recommender", "delete_recommender"),
    "metric_attributions": (
        "describe_metric_attribution",
        "metricAttributionArn",
        "metricAttribution",
        "delete_metric_attribution",
    ),
}


@dataclass
class Applier:
    """Makes one plan's changes. ``say`` gets one line per step, and with ``progress_s`` one
    at least that often (seconds) while a level is waited for, naming what is still running
    and its status; ``role_arn`` is passed to import jobs (AWS needs a role that reads the
    bucket; the engine needs none)."""

    p: Any
    setup: SetupFile
    account: Account
    polling: Polling = DEFAULT_POLLING
    say: Callable[[str], None] = print
    role_arn: str | None = None
    progress_s: float | None = None
    # where a PENDING resource's job waits, for the progress lines (local engine only:
    # services.datasets.local_engine.queue); None says nothing more than the status
    queued: Callable[[str], str | None] | None = None

    def __post_init__(self) -> None:
        self.arns: dict[Key, str] = dict(self.account.arns)
        self.specs = {(k, s.name): s for k in KINDS for s in getattr(self.setup, k)}
        self.versions: dict[str, str] = {}
        self.stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())

    def apply(self, plan: Plan) -> list[str]:
        """Make every pending change; returns the labels of what changed.

        Raises:
            ApplyError: a blocked change (before any call), a step that failed, or a call
                Personalize refused (botocore's error, with the step it stopped).
        """
        self.step = "starting"
        try:
            return self._apply(plan)
        except (ClientError, BotoCoreError) as err:
            raise ApplyError(self.step, " ".join(str(err).split())) from err

    def _say(self, step: str) -> None:
        self.step = step
        self.say(step)

    def _apply(self, plan: Plan) -> list[str]:
        if plan.blocked:
            first = plan.blocked[0]
            raise ApplyError(first.label, f"blocked: {first.blocked}")
        done: list[str] = []
        rank = {kind: n for n, kind in enumerate(KINDS)}
        goes = [c for c in plan.changes if c.action in ("delete", "replace")]
        for change in sorted(goes, key=lambda c: -rank[c.kind]):
            self._delete(change)
            if change.action == "delete":
                done.append(change.label)
        level_of = levels(self.setup)
        work = [c for c in plan.changes if c.action not in ("delete", "extra")]
        for level in sorted({level_of[(c.kind, c.name)] for c in work}):
            batch = [c for c in work if level_of[(c.kind, c.name)] == level]
            done += self._level(batch)
        return done

    def _level(self, batch: list[Change]) -> list[str]:
        """Start every change of one dependency level, then wait for all of them at once;
        then the level's imports, started together and waited for together."""
        done: list[str] = []
        waits: list[Wait] = []
        imports: list[Any] = []
        self.versions = self._versions_to_serve(
            [
                self.specs[(c.kind, c.name)].solution
                for c in batch
                if c.kind == "campaigns" and c.action in ("create", "replace")
            ]
        )
        for change in batch:
            key = (change.kind, change.name)
            if change.action in ("create", "replace"):
                self._say(f"creating {change.label}")
                spec = self.specs[key]
                self.arns[key] = getattr(self, f"_create_{change.kind}")(spec, change)
                if change.kind != "schemas":  # a schema has no status: usable at once
                    waits.append(self._active(change.kind, change.name))
                if change.kind == "datasets" and spec.import_from:
                    imports.append(spec)
                done.append(change.label)
            elif change.action == "update":
                self._say(f"updating {change.label}: {', '.join(f.field for f in change.fields)}")
                waits += self._update(change, imports)
                done.append(change.label)
            elif self.account.status.get(key, "ACTIVE") in RUNNING:
                waits.append(self._active(change.kind, change.name))  # left by an earlier apply
        self._wait_all(waits)
        self._wait_all([self._import(spec) for spec in imports])
        return done

    # -- deleting ------------------------------------------------------------------------------
    def _delete(self, change: Change) -> None:
        key = (change.kind, change.name)
        arn = self.arns.pop(key)
        describe, param, _, delete = CALLS[change.kind]
        self._say(f"deleting {change.label}")
        getattr(self.p, delete)(**{param: arn})

        def exists() -> bool:
            try:
                getattr(self.p, describe)(**{param: arn})
            except ClientError as err:
                if err.response["Error"]["Code"] == "ResourceNotFoundException":
                    return False
                raise
            return True

        try:
            wait_for(exists, lambda there: not there, self.polling)
        except PollTimedOut:
            raise ApplyError(f"deleting {change.label}", "still there") from None

    # -- creating ------------------------------------------------------------------------------
    def _group(self, name: str) -> str:
        return self.arns[("dataset_groups", name)]

    def _create_schemas(self, spec: Any, _: Change) -> str:
        extra = {"domain": spec.domain} if spec.domain else {}
        return str(
            self.p.create_schema(name=spec.name, schema=spec.definition, **extra)["schemaArn"]
        )

    def _create_dataset_groups(self, spec: Any, _: Change) -> str:
        extra = {"domain": spec.domain} if spec.domain else {}
        return str(
            self.p.create_dataset_group(name=spec.name, **extra, **create_tags(spec))[
                "datasetGroupArn"
            ]
        )

    def _create_datasets(self, spec: Any, _: Change) -> str:
        return str(
            self.p.create_dataset(
                name=spec.name,
                schemaArn=self.arns[("schemas", spec.schema_)],
                datasetGroupArn=self._group(spec.dataset_group),
                datasetType=spec.type,
                **create_tags(spec),
            )["datasetArn"]
        )

    def _create_event_trackers(self, spec: Any, _: Change) -> str:
        answer = self.p.create_event_tracker(
            name=spec.name, datasetGroupArn=self._group(spec.dataset_group), **create_tags(spec)
        )
        return str(answer["eventTrackerArn"])

    def _create_filters(self, spec: Any, _: Change) -> str:
        return str(
            self.p.create_filter(
                name=spec.name,
                datasetGroupArn=self._group(spec.dataset_group),
                filterExpression=spec.expression,
                **create_tags(spec),
            )["filterArn"]
        )

    def _create_solutions(self, spec: Any, _: Change) -> str:
        config = solution_config(spec)
        params: dict[str, Any] = {
            "name": spec.name,
            "datasetGroupArn": self._group(spec.dataset_group),
            "recipeArn": RECIPES + spec.recipe,
            "performHPO": spec.perform_hpo,
            "performAutoTraining": spec.auto_training,
        }
        if spec.event_type:
            params["eventType"] = spec.event_type
        if config:
            params["solutionConfig"] = config
        return str(self.p.create_solution(**params, **create_tags(spec))["solutionArn"])

    def _create_campaigns(self, spec: Any, change: Change) -> str:
        version = self.versions[spec.solution]
        if spec.sync_with_latest:  # CampaignConfig: sync needs the solution's $LATEST
            version = self._latest(spec.solution)
        params: dict[str, Any] = {
            "name": spec.name,
            "solutionVersionArn": version,
            "minProvisionedTPS": spec.min_tps,
        }
        config = campaign_config(spec)
        if config:
            params["campaignConfig"] = config
        return str(self.p.create_campaign(**params, **create_tags(spec))["campaignArn"])

    def _create_recommenders(self, spec: Any, _: Change) -> str:
        params: dict[str, Any] = {
            "name": spec.name,
            "datasetGroupArn": self._group(spec.dataset_group),
            "recipeArn": RECIPES + spec.use_case,
        }
        if spec.min_rps is not None:
            params["recommenderConfig"] = {"minRecommendationRequestsPerSecond": spec.min_rps}
        return str(self.p.create_recommender(**params, **create_tags(spec))["recommenderArn"])

    def _create_metric_attributions(self, spec: Any, _: Change) -> str:
        return str(
            self.p.create_metric_attribution(
                name=spec.name,
                datasetGroupArn=self._group(spec.dataset_group),
                metrics=[metric_definition(m) for m in spec.metrics],
                metricsOutputConfig=metrics_output(spec),
            )["metricAttributionArn"]
        )

    def _latest(self, solution: str) -> str:
        """``<solutionArn>/$LATEST``: what a syncing campaign names as its version."""
        return f"{self.arns[('solutions', solution)]}/$LATEST"

    def _versions_to_serve(self, solutions: list[str]) -> dict[str, str]:
        """Each solution's newest ACTIVE version; for one without, its training version (an
        earlier apply's) or a new one; the trainings are waited for together."""
        out: dict[str, str] = {}
        waits: list[Wait] = []
        for solution in dict.fromkeys(solutions):
            arn = self.arns[("solutions", solution)]
            versions = self.p.list_solution_versions(solutionArn=arn)["solutionVersions"]
            versions.sort(key=lambda v: v["creationDateTime"], reverse=True)
            active = [v for v in versions if v["status"] == "ACTIVE"]
            running = [v for v in versions if v["status"] in RUNNING]
            if active or running:
                out[solution] = str((active or running)[0]["solutionVersionArn"])
            else:
                self._say(f"training a version of solutions/{solution}")
                out[solution] = str(
                    self.p.create_solution_version(solutionArn=arn, trainingMode="FULL")[
                        "solutionVersionArn"
                    ]
                )
            if not active:
                waits.append(self._version(solution, out[solution]))
        self._wait_all(waits)
        return out

    def _import(self, spec: Any) -> Wait:
        """Start an import job into the dataset ``spec``; returns its wait."""
        step = f"importing {spec.import_from} into datasets/{spec.name}"
        self._say(step)
        params: dict[str, Any] = {
            "jobName": f"{spec.name}-{self.stamp}"[:63],
            "datasetArn": self.arns[("datasets", spec.name)],
            "dataSource": {"dataLocation": spec.import_from},
            "importMode": "FULL",
        }
        if self.role_arn:
            params["roleArn"] = self.role_arn
        job = self.p.create_dataset_import_job(**params)["datasetImportJobArn"]
        return Wait(
            step,
            lambda: self.p.describe_dataset_import_job(datasetImportJobArn=job)["datasetImportJob"],
            arn=job,
        )

    # -- updating ------------------------------------------------------------------------------
    def _update(self, change: Change, imports: list[Any]) -> list[Wait]:
        """Call the change's Update* operation; returns what to wait for (a changed
        ``import_from`` goes to ``imports``, started after the level's waits)."""
        key = (change.kind, change.name)
        spec, arn = self.specs[key], self.arns[key]
        tags = [f for f in change.fields if f.field.startswith(TAG_FIELD)]
        if tags:
            self._retag(arn, tags)
        changed = {f.field for f in change.fields} - {f.field for f in tags}
        if not changed:
            return []  # tags are set at once: nothing to wait for
        if change.kind == "datasets":
            if "import_from" in changed:
                imports.append(spec)
            if "schema" not in changed:
                return []
            self.p.update_dataset(datasetArn=arn, schemaArn=self.arns[("schemas", spec.schema_)])
        elif change.kind == "solutions":
            params: dict[str, Any] = {"solutionArn": arn, "performAutoTraining": spec.auto_training}
            if spec.auto_training and spec.auto_training_schedule:
                params["solutionUpdateConfig"] = {
                    "autoTrainingConfig": {"schedulingExpression": spec.auto_training_schedule}
                }
            self.p.update_solution(**params)
        elif change.kind == "campaigns":
            # the booleans are always said: an update may turn them off
            config = {
                **campaign_config(spec),
                "enableMetadataWithRecommendations": spec.enable_metadata,
                "syncWithLatestSolutionVersion": spec.sync_with_latest,
            }
            version = {"solutionVersionArn": self._latest(spec.solution)}
            self.p.update_campaign(
                campaignArn=arn,
                minProvisionedTPS=spec.min_tps,
                campaignConfig=config,
                **(version if spec.sync_with_latest else {}),
            )
            return [
                Wait(
                    f"updating {change.label}",
                    lambda: (
                        self.p.describe_campaign(campaignArn=arn)["campaign"].get(
                            "latestCampaignUpdate"
                        )
                        or {"status": "ACTIVE"}
                    ),
                )
            ]
        elif change.kind == "recommenders":
            # UpdateRecommender replaces the whole recommenderConfig (API reference
            # UpdateRecommender, botocore RecommenderConfig): what the file does not declare
            # (exploration, training columns, metadata) is sent back as it is
            current = self.p.describe_recommender(recommenderArn=arn)["recommender"]
            self.p.update_recommender(
                recommenderArn=arn,
                recommenderConfig={
                    **(current.get("recommenderConfig") or {}),
                    "minRecommendationRequestsPerSecond": spec.min_rps,
                },
            )
        elif change.kind == "metric_attributions":
            self._update_attribution(arn, spec)
        return [self._active(change.kind, change.name)]

    def _retag(self, arn: str, tags: list[FieldChange]) -> None:
        """TagResource for the tags added or changed, UntagResource for those removed."""
        put = [
            {"tagKey": f.field.removeprefix(TAG_FIELD), "tagValue": f.wanted}
            for f in tags
            if f.wanted is not None
        ]
        drop = [f.field.removeprefix(TAG_FIELD) for f in tags if f.wanted is None]
        if put:
            self.p.tag_resource(resourceArn=arn, tags=put)
        if drop:
            self.p.untag_resource(resourceArn=arn, tagKeys=drop)

    def _update_attribution(self, arn: str, spec: Any) -> None:
        have = {
            m["metricName"]: m
            for m in self.p.list_metric_attribution_metrics(metricAttributionArn=arn)["metrics"]
        }
        want = {m.name: metric_definition(m) for m in spec.metrics}
        remove = [name for name, m in have.items() if want.get(name) != m]
        add = [m for name, m in want.items() if have.get(name) != m]
        params: dict[str, Any] = {
            "metricAttributionArn": arn,
            "metricsOutputConfig": metrics_output(spec),
        }
        if remove:
            params["removeMetrics"] = remove
        if add:
            params["addMetrics"] = add
        self.p.update_metric_attribution(**params)

    # -- waiting -------------------------------------------------------------------------------
    def _active(self, kind: str, name: str) -> Wait:
        describe, param, key, _ = CALLS[kind]
        arn = self.arns[(kind, name)]
        return Wait(
            f"waiting for {kind}/{name}",
            lambda: getattr(self.p, describe)(**{param: arn})[key],
            arn=arn,
        )

    def _version(self, solution: str, version: str) -> Wait:
        return Wait(
            f"training a version of solutions/{solution}",
            lambda: self.p.describe_solution_version(solutionVersionArn=version)["solutionVersion"],
            arn=version,
        )

    def _wait_all(self, waits: list[Wait]) -> None:
        """Wait for a level (``waiting.wait_all``), the step it is on in ``self.step``."""

        def on_step(step: str) -> None:
            self.step = step

        wait_all(
            waits,
            self.polling,
            say=self.say,
            progress_s=self.progress_s,
            on_step=on_step,
            queued=self.queued,
        )


def audited_apply(store: Store, actor: str, source: str, applier: Applier, plan: Plan) -> list[str]:
    """``applier.apply(plan)`` recorded in the audit log as "apply setup file" on ``source``
    by ``actor``, with the changes it was asked to make; the row is written first (a store
    that cannot record it stops the apply before any call) and ends ok or error with the
    failed step.

    Raises StoreUnavailable, and whatever ``Applier.apply`` raises."""
    params = {
        "changes": [f"{c.action} {c.label}" for c in plan.pending],
        "prune": plan.prune,
    }
    with store.audit(actor, "apply setup file", source, params) as entry:
        done = applier.apply(plan)
        entry.message = changes_note(len(done))
    return done
