"""Data and training steps: readiness check, dataset import, solution version."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from services.datasets.snapshot import LOCAL_ROLE_ARN
from services.i18n import ngettext
from services.personalize.models import version_label
from services.personalize.schema_avro import avro
from services.pipeline.options import RefreshOptions
from services.pipeline.runs.records import SUCCEEDED
from services.pipeline.steps.calls import StepFailed
from services.pipeline.steps.rejections import rejected_detail, rejection_text, too_many
from services.pipeline.steps.same_content import content_hash, imported_before
from services.pipeline.steps.sources import check_source, importable_location, refusal, sample_ids
from services.pipeline.steps.step_context import StepContext, StepResult
from services.prepare.reader import MissingColumns
from services.store.audit_text import NEW_VERSION, note


class DataSteps(StepContext):
    def _check(self, source: Mapping[str, Any], options: RefreshOptions) -> StepResult:
        """Prepare (with a mapping) and check the source. A prepared export that lost more
        than ``options.max_rejected_pct`` of its rows is refused first, before the readiness
        check: when most rows are lost, "too few interactions" is a symptom, not the cause."""
        try:
            resolved = importable_location(
                source["location"], self._settings, self._objects, source.get("mapping")
            )
        except MissingColumns as err:  # stored with its values: the page says it in its language
            raise StepFailed(str(err), {"missing_columns": err.values}) from err
        except ValueError as err:
            raise StepFailed(str(err)) from err
        dataset = self._call(lambda: self._svc.describe_dataset(source["dataset_arn"]))
        schema, schema_arn = None, dataset.schema_arn
        if schema_arn:
            described = self._call(lambda: self._svc.describe_schema(schema_arn))
            schema = avro(described) if described.fields else None
        rejected = (
            rejected_detail(resolved.conversion, options.max_rejected_pct)
            if resolved.conversion is not None
            else None
        )
        found: dict[str, Any] = {"rejected_rows": rejected} if rejected else {}
        if rejected and too_many(rejected):
            raise StepFailed(rejection_text(rejected), found)
        reports = check_source(resolved, source["dataset_type"], schema)
        refused = refusal(reports)
        if refused:
            # the rows lost in preparing come first: they may be why the rest falls short
            raise StepFailed(
                f"{rejection_text(rejected)}; {refused}" if rejected else refused, found
            )
        rows = sum(r.summary.rows for r in reports)
        sha256 = content_hash(resolved.check_paths)
        history = self._runs.history(self._run.dataset_group_arn, 50, with_steps=True)
        same_as = imported_before(history, self._run.id, f"check:{source['dataset_type']}", sha256)
        found = {**found, "sha256": sha256, **({"same_as_run": same_as} if same_as else {})}
        warnings = (
            sum(len(r.warnings) for r in reports) + (1 if rejected else 0) + (1 if same_as else 0)
        )
        samples = (
            sample_ids(resolved.check_paths) if source["dataset_type"] == "INTERACTIONS" else {}
        )
        return (
            SUCCEEDED,
            " ".join(
                (
                    ngettext("{n} row", "{n} rows", rows).format(n=f"{rows:,}"),
                    ngettext("in {n} file,", "in {n} files,", len(reports)).format(n=len(reports)),
                    ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings),
                )
            )
            + (f"; {resolved.note}" if resolved.note else "")
            + (
                f"; the same content as run #{same_as} imported: importing it again "
                "duplicates every row (INCREMENTAL) or changes nothing (FULL)"
                if same_as
                else ""
            ),
            {
                "uri": resolved.uri,
                "rows": rows,
                "warnings": warnings,
                **found,
                **samples,
            },
        )

    def _import(
        self, source: Mapping[str, Any], options: RefreshOptions, prior: Mapping[str, Any]
    ) -> StepResult:
        key = f"import:{source['dataset_type']}"
        job_arn = prior.get("job_arn")
        if not job_arn:
            check = self._run_detail(f"check:{source['dataset_type']}")
            uri = check.get("uri") or source["location"]
            stamp = f"{datetime.now(UTC):%Y%m%d%H%M%S}"
            name = f"refresh-{self._run.id}-{source['dataset_type'].lower()}-{stamp}"
            role = self._settings.role_arn if not self._settings.is_local else LOCAL_ROLE_ARN
            job_arn = self._call(
                lambda: self._svc.create_dataset_import_job(
                    name, source["dataset_arn"], uri, role_arn=role, import_mode=options.import_mode
                )
            )
            self._runs.record(self._run.id, key, job_arn=job_arn)
            self._audit(
                "create_dataset_import_job",
                source["dataset_arn"],
                {"location": uri, "mode": options.import_mode},
                job_arn,
            )
        job = self._caller.wait_active(
            lambda: self._svc.describe_import_job(job_arn),
            options.import_timeout_s,
            lambda j: f"import job {j.name}",
        )
        return SUCCEEDED, f"import job {job.name} ACTIVE", {"job_arn": job_arn}

    def _train(
        self, solution: Mapping[str, Any], options: RefreshOptions, prior: Mapping[str, Any]
    ) -> StepResult:
        key = f"train:{solution['arn']}"
        version_arn = prior.get("version_arn") or self._adopt(solution["arn"], key)
        if not version_arn:
            version_arn = self._call(
                lambda: self._svc.create_solution_version(
                    solution["arn"], training_mode=solution["mode"]
                )
            )
            self._runs.record(self._run.id, key, version_arn=version_arn)
            self._audit(
                "create_solution_version",
                solution["arn"],
                {"training_mode": solution["mode"]},
                note(NEW_VERSION, arn=version_arn),
            )
        self._caller.wait_active(
            lambda: self._svc.describe_solution_version(version_arn),
            options.training_timeout_s,
            lambda v: f"version {version_label(v.arn)}",
            still=" (training continues)",
        )
        metrics = self._call(lambda: self._svc.get_solution_metrics(version_arn))
        if self._store is not None and metrics:
            self._store.save_metrics(version_arn, metrics)
        return (
            SUCCEEDED,
            f"version {version_label(version_arn)} ACTIVE",
            {
                "version_arn": version_arn,
                "metrics": metrics,
            },
        )

    def _adopt(self, solution_arn: str, key: str) -> str | None:
        """After a restart between CreateSolutionVersion and recording its ARN, find that version
        (created after the step started) rather than paying for a second one."""
        step = self._run.step(key)
        if step is None:
            return None
        versions = self._call(lambda: self._svc.list_solution_versions(solution_arn))
        # Personalize's timestamps may be coarser than ours: allow a second of slack.
        since = step.started - timedelta(seconds=1)
        adopted = next((v.arn for v in versions if v.created and v.created >= since), None)
        if adopted:
            self._runs.record(self._run.id, key, version_arn=adopted)
        return adopted
