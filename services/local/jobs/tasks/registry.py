"""Job kind (as queued in the jobs table) → the task that runs it (a storage fault that
escapes a task ends its job FAILED with the cause: ``ends_on_storage_faults``)."""

from __future__ import annotations

from services.local.jobs.tasks.batch import run_batch
from services.local.jobs.tasks.data_deletion import run_data_deletion
from services.local.jobs.tasks.exports import run_export
from services.local.jobs.tasks.imports import run_import
from services.local.jobs.tasks.lifecycle import ends_on_storage_faults
from services.local.jobs.tasks.recommenders import run_recommender_training
from services.local.jobs.tasks.segments import run_segment
from services.local.jobs.tasks.training import run_training

TASKS = {
    kind: ends_on_storage_faults(task)
    for kind, task in {
        "delete-data": run_data_deletion,
        "import": run_import,
        "train": run_training,
        "train-recommender": run_recommender_training,
        "batch": run_batch,
        "segment": run_segment,
        "export": run_export,
    }.items()
}
