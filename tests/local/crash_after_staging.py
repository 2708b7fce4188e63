"""A worker that dies (SIGKILL) right after an import wrote its Parquet file, before the file
is registered: what a power cut or an OOM kill leaves behind.

Run: python -m tests.local.crash_after_staging DATA_DIR — claims the oldest queued job, prints
the staged file's path, then kills itself.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from services.config import Settings
from services.local.data.storage.bulk import BulkStore, StagedFile
from services.local.engine import LocalEngine


def main() -> None:
    stage = BulkStore.stage

    def stage_then_die(self: BulkStore, *args: Any, **kwargs: Any) -> StagedFile:
        staged = stage(self, *args, **kwargs)
        print(staged.path, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        return staged  # never reached

    BulkStore.stage = stage_then_die  # type: ignore[method-assign]
    settings = Settings(data_dir=Path(sys.argv[1]), lifecycle_seconds=0.0, worker_mode="thread")
    LocalEngine(settings, start_worker=False).jobs.work(idle_exit=0)


if __name__ == "__main__":
    main()
