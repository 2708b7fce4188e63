"""Job kind (as queued in the jobs table) → the task that runs it."""

from __future__ import annotations

from services.local.tasks.batch import run_batch
from services.local.tasks.data_deletion import run_data_deletion
from services.local.tasks.exports import run_export
from services.local.tasks.imports import run_import
from services.local.tasks.recommenders import run_recommender_training
from services.local.tasks.training import run_training

TASKS = {
    "delete-data": run_data_deletion,
    "import": run_import,
    "train": run_training,
    "train-recommender": run_recommender_training,
    "batch": run_batch,
    "export": run_export,
}
