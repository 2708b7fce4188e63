"""Training a recommender: the real model behind its use case, on the use case's events.

Personalised and item-to-item use cases learn from every event type (views and purchases both
say what a shopper likes); popularity and co-purchase use cases count only their own event
type. Every use case needs at least 1000 events of its type (developer guide, "ECOMMERCE use
cases": "Required event types: At minimum, 1000 View events", and likewise Purchase/Watch).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from services.local.context import EngineContext
from services.local.data.storage.faults import StorageFault
from services.local.data.storage.model_files import recorded
from services.local.data.storage.resources import ACTIVE, FAILED
from services.local.jobs.context import Cancelled, JobContext
from services.local.jobs.outputs import attempt_output
from services.local.jobs.tasks.lifecycle import end_job, start_job
from services.local.jobs.tasks.training import load_training_data
from services.local.models import training
from services.local.models.recipes.base import TrainingConfig, TrainingError
from services.local.rules.use_cases import PERSONALISED, RECIPE_PREFIX, RELATED, USE_CASES

MIN_USE_CASE_EVENTS = 1000


def use_case_config(name: str) -> TrainingConfig:
    """The event filtering a use case trains with."""
    case = USE_CASES[name]
    learns_from_all = case.kind in (PERSONALISED, RELATED)
    return TrainingConfig(event_type=None if learns_from_all else case.event_type)


def run_recommender_training(engine: EngineContext, arn: str, ctx: JobContext) -> None:
    """Train one recommender; it becomes ACTIVE with modelMetrics, or CREATE FAILED."""
    doc = start_job(engine, arn)
    if doc is None:
        return
    case = USE_CASES[doc["recipeArn"][len(RECIPE_PREFIX) :]]
    model_id = secrets.token_hex(4)
    out = engine.models_dir / f"recommender-{doc['name']}-{model_id}.npz"
    started = time.time()

    def progress(_fraction: float) -> None:
        ctx.check_cancelled()

    try:
        data = load_training_data(engine, doc["datasetGroupArn"])
        events = int((data.interactions["EVENT_TYPE"] == case.event_type).sum())
        if events < MIN_USE_CASE_EVENTS:
            raise TrainingError(
                f"use case {case.title} needs at least {MIN_USE_CASE_EVENTS} {case.event_type} "
                f"events; the dataset group has {events}"
            )
        with attempt_output(engine, ctx, out, "the model file") as staged:
            outcome = training.train(
                data,
                case.backing,
                use_case_config(case.name),
                out_path=staged,
                on_progress=progress,
            )
    except Cancelled:
        end_job(engine, arn, FAILED, "training was cancelled")
        return
    except (TrainingError, ValueError, StorageFault) as err:
        end_job(engine, arn, FAILED, str(err))
        return
    fields: dict[str, Any] = {
        "modelMetrics": outcome.metrics,
        "_modelPath": recorded(engine.data_dir, out),
        "_modelKey": f"{arn}/{model_id}",
        "_recipeName": case.backing,
        "_trainingHours": round((time.time() - started) / 3600, 6),
    }
    end_job(engine, arn, ACTIVE, **fields)
