"""The solution version job: train a recipe on a dataset group's data and store the model."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from services.local.context import EngineContext
from services.local.data.schemas import parse_schema
from services.local.data.storage import frames as datasets
from services.local.data.storage.faults import StorageFault
from services.local.data.storage.marks import DATA_MARK, data_mark
from services.local.data.storage.model_files import model_file, recorded
from services.local.data.storage.resources import ACTIVE, FAILED
from services.local.jobs.context import Cancelled, JobContext
from services.local.jobs.outputs import attempt_output
from services.local.jobs.tasks.lifecycle import STOPPED, end_job, start_job
from services.local.models.hpo import hpo_ranges
from services.local.models.recipes.base import (
    INTERACTION_COLUMNS,
    EventWeight,
    TrainingConfig,
    TrainingData,
    TrainingError,
)
from services.local.models.recipes.retrieval import Calibration

_log = logging.getLogger(__name__)

# The version document's engine-private record of where a stopped training stopped (never on
# the wire): {"phase": "metrics fit: ALS iterations", "done": 3, "total": 15}, the last
# checkpoint (``base.Checkpoint``) passed before the stop was seen.
STOPPED_AT = "_stoppedAt"


def load_training_data(engine: EngineContext, group: str) -> TrainingData:
    """Everything a recipe may learn from, for one dataset group (bulk files + streamed rows,
    read without the write lock)."""
    inter = datasets.interactions(engine.read_db, engine.bulk, group)
    items = datasets.records(engine.read_db, engine.bulk, group, "Items")
    users = datasets.records(engine.read_db, engine.bulk, group, "Users")
    return TrainingData(
        inter[list(INTERACTION_COLUMNS)],
        items,
        users,
        item_fields(engine, group),
        actions=datasets.records(engine.read_db, engine.bulk, group, "Actions"),
        action_interactions=datasets.action_interactions(engine.read_db, engine.bulk, group),
    )


def item_fields(engine: EngineContext, group: str) -> dict[str, str]:
    """How the group's Items schema marks its columns (TrainingData.item_fields); empty
    without an Items dataset."""
    with engine.reading() as res:
        docs = [d for d in res.all("dataset", group=group) if d["datasetType"] == "Items"]
        schema = parse_schema(res.get(docs[0]["schemaArn"], "schema")["schema"]) if docs else None
    marks: dict[str, str] = {}
    for f in schema.fields if schema else ():
        if f.item_name:
            marks[f.name] = "itemName"
        elif f.textual or f.categorical:
            marks[f.name] = "textual" if f.textual else "categorical"
    return marks


def training_config(
    solution: dict[str, Any], seed: int = 42, cache_dir: Path | None = None
) -> TrainingConfig:
    """TrainingConfig from a solution's document; ``cache_dir`` as ``TrainingConfig``'s."""
    cfg = solution.get("solutionConfig") or {}
    threshold = cfg.get("eventValueThreshold")
    events = tuple(
        EventWeight(
            event_type=e["eventType"],
            weight=float(e.get("weight", 1.0)),
            event_value_threshold=e.get("eventValueThreshold"),
        )
        for e in (cfg.get("eventsConfig") or {}).get("eventParametersList") or []
    )
    hpo = cfg.get("hpoConfig") or {}
    jobs = (hpo.get("hpoResourceConfig") or {}).get("maxNumberOfTrainingJobs")
    return TrainingConfig(
        event_type=solution.get("eventType"),
        event_value_threshold=float(threshold) if threshold is not None else None,
        events=events,
        hyperparameters=dict(cfg.get("algorithmHyperParameters") or {}),
        features=dict(cfg.get("featureTransformationParameters") or {}),
        perform_hpo=bool(solution.get("performHPO")),
        hpo_ranges=hpo_ranges(hpo),
        hpo_max_trials=int(jobs) if jobs else None,
        seed=seed,
        incremental=bool(solution.get("performIncrementalUpdate")),
        cache_dir=cache_dir,
    )


def run_training(engine: EngineContext, arn: str, ctx: JobContext) -> None:
    """Train one solution version; the result is ACTIVE with metrics, or CREATE FAILED."""
    from services.local.models import training

    doc = start_job(engine, arn)
    if doc is None:
        return
    started = time.time()
    with engine.reading() as res:
        solution = res.get(doc["solutionArn"], "solution")
        versions = res.all("solution-version", parent=doc["solutionArn"])
    previous = [v for v in versions if v["status"] == ACTIVE and v.get("_modelPath")]
    recipe = doc.get("recipeArn", "").rsplit("/", 1)[-1]
    automl = (
        [
            a.rsplit("/", 1)[-1]
            for a in ((solution.get("solutionConfig") or {}).get("autoMLConfig") or {}).get(
                "recipeList", []
            )
        ]
        if solution.get("performAutoML")
        else []
    )
    out = engine.models_dir / f"{arn.rsplit('/', 2)[-2]}-{arn.rsplit('/', 1)[-1]}.npz"

    # Where training was last seen (phase, units done, units): what the version records when a
    # stop ends it, so its record says how far past the request the work went.
    position: dict[str, Any] = {"phase": "reading the data", "done": 0, "total": 1}

    def checkpoint(phase: str, done: int, total: int) -> None:
        position.update(phase=phase, done=done, total=total)
        _log.debug("%s: %s %d/%d", arn, phase, done, total)
        ctx.check_cancelled()

    def progress(_fraction: float) -> None:
        ctx.check_cancelled()

    # Taken before the data is read: data arriving meanwhile makes the next UPDATE allowed.
    mark = data_mark(engine.read_db, doc["datasetGroupArn"])
    try:
        data = load_training_data(engine, doc["datasetGroupArn"])
        config = training_config(solution, cache_dir=engine.settings.compile_cache_dir)
        with attempt_output(engine, ctx, out, "the model file") as staged:
            outcome = training.train(
                data,
                recipe or (automl[0] if automl else ""),
                replace(config, checkpoint=checkpoint),
                # an automatic training (AUTOTRAIN) retrains in full
                "UPDATE" if doc.get("trainingMode") == "UPDATE" else "FULL",
                model_file(engine.data_dir, previous[-1]["_modelPath"]) if previous else None,
                out_path=staged,
                auto_ml_recipes=automl,
                on_progress=progress,
            )
            _hold(engine, started, ctx)
    except Cancelled:
        # attempt_output discarded the staged model: nothing of this training is published
        where = f"{position['phase']} {position['done']}/{position['total']}"
        _log.info("%s stopped at %s", arn, where)
        end_job(engine, arn, STOPPED, None, **{STOPPED_AT: dict(position)})
        return
    except (TrainingError, ValueError, StorageFault) as err:
        end_job(engine, arn, FAILED, str(err))
        return
    used = outcome.best_recipe_name or recipe
    hours = (time.time() - started) / 3600
    fields: dict[str, Any] = {
        "trainingHours": round(hours, 6),
        "_metrics": outcome.metrics,
        training.EVALUATION: outcome.evaluation,
        "_modelPath": recorded(engine.data_dir, out),
        "_recipeName": used,
        "_numInteractions": outcome.num_interactions,
        "_numUsers": outcome.num_users,
        "_numItems": outcome.num_items,
        DATA_MARK: mark,
    }
    if outcome.training_report:
        # Not a wire field (botocore's SolutionVersion has none for it): the engine's own
        # record of how an iterative model's training ended, e.g. at its time budget.
        fields["_trainingReport"] = outcome.training_report
        _log.info("%s: %s", arn, training_summary(outcome.training_report))
    if outcome.tuned_hyperparameters and doc.get("performHPO"):
        fields["tunedHPOParams"] = {"algorithmHyperParameters": outcome.tuned_hyperparameters}
    if outcome.best_recipe_name:
        fields["recipeArn"] = f"arn:aws:personalize:::recipe/{used}"
    if outcome.best_recipe_name:
        # Before the version turns ACTIVE: whoever sees it ACTIVE also sees the solution's pick
        # (written after, a DescribeSolution in between had no autoMLResult).
        with engine.tx() as res:
            sol = res.find(doc["solutionArn"])
            if sol is not None:
                sol["autoMLResult"] = {"bestRecipeArn": fields["recipeArn"]}
                res.save(doc["solutionArn"], sol)
    end_job(engine, arn, ACTIVE, **fields)


def training_summary(report: dict[str, Any]) -> str:
    """One line on how an iterative model's training ended (``TrainingOutcome.training_report``),
    e.g. "stopped at its time budget (max_training_seconds=60) after 12 of 100 epochs; best
    validation NDCG@10 0.2090 at epoch 10 (610 users)", and how its candidate index was set
    (``Calibration.summary``), either alone when the report has only one of them."""
    parts = [_epochs_summary(report)] if "stopped" in report else []
    if isinstance(report.get("retrieval"), dict):
        parts.append(Calibration.from_dict(report["retrieval"]).summary())
    return "; ".join(parts)


def _epochs_summary(report: dict[str, Any]) -> str:
    why = {
        "time_budget": f"stopped at its time budget (max_training_seconds="
        f"{report.get('max_training_seconds', 0):g})",
        "early_stopping": "stopped early (validation NDCG@10 no longer improved)",
        "epochs": "ran every epoch",
    }.get(str(report.get("stopped")), f"stopped ({report.get('stopped')})")
    text = f"{why} after {report.get('epochs_run')} of {report.get('epochs')} epochs"
    if report.get("validation_ndcg_at_10") is not None:
        text += (
            f"; best validation NDCG@10 {report['validation_ndcg_at_10']:.4f} at epoch "
            f"{report.get('best_epoch')} ({report.get('validation_users')} users)"
        )
    return text


def _hold(engine: EngineContext, started: float, ctx: JobContext) -> None:
    """Stretch training to the configured minimum (demos and restart tests need slow jobs)."""
    floor = engine.settings.min_training_seconds
    while time.time() - started < floor:
        ctx.check_cancelled()
        time.sleep(0.1)
