"""Job kind (as queued in the jobs table) → the task that runs it."""

from __future__ import annotations

from services.local.tasks.batch import run_batch
from services.local.tasks.exports import run_export
from services.local.tasks.imports import run_import
from services.local.tasks.training import run_training

TASKS = {
    "import": run_import,
    "train": run_training,
    "batch": run_batch,
    "export": run_export,
}
