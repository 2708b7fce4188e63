"""Job kind (as queued in the jobs table) → the task that runs it."""

from __future__ import annotations

from services.local.jobs.tasks.batch import run_batch
from services.local.jobs.tasks.data_deletion import run_data_deletion
from services.local.jobs.tasks.exports import run_export
from services.local.jobs.tasks.imports import run_import
from services.local.jobs.tasks.recommenders import run_recommender_training
from services.local.jobs.tasks.training import run_training

TASKS = {
    "delete-data": run_data_deletion,
    "import": run_import,
    "train": run_training,
    "train-recommender": run_recommender_training,
    "batch": run_batch,
    "export": run_export,
}
