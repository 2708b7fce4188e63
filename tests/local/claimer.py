"""A process that claims queued jobs as fast as it can, without running them.

Run: python -m tests.local.claimer DATA_DIR DB_URL — prints ``ready`` once its engine is open,
waits for a line on stdin, then claims (``JobRunner.claim``) until the queue is empty and
prints the claimed job IDs as one JSON list. Two of these racing on one database show whether
a job can be claimed twice.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from services.config import Settings
from services.local.engine import LocalEngine


def main() -> None:
    data_dir, url = Path(sys.argv[1]), sys.argv[2]
    settings = Settings(
        data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread", engine_db_url=url
    )
    engine = LocalEngine(settings, start_worker=False)
    print("ready", flush=True)
    sys.stdin.readline()
    claimed: list[int] = []
    while (job := engine.jobs.claim()) is not None:
        claimed.append(job[0])
    print(json.dumps(claimed), flush=True)
    engine.close()


if __name__ == "__main__":
    main()
