"""A second process that polls Describe*/List* every 100 ms until terminated.

Run: python -m tests.local.poller DATA_DIR DATASET_GROUP_ARN

Each round: DescribeDatasetGroup, ListDatasetImportJobs and DescribeDatasetImportJob of the
newest job, ListSolutionVersions and DescribeSolutionVersion of the newest version. It prints
``ready`` once the first round is done; on SIGTERM it prints one JSON line:
``{"seconds": [latency of each call], "failures": n, "errors": [first few messages],
"seen": ["<kind> <status>", …]}`` (the statuses the Describe calls returned).
"""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.config import Settings
from services.local.engine import get_engine
from services.personalize.clients import build_clients

INTERVAL = 0.1


def one_round(p: Any, group: str, timed: Callable[[Callable[[], Any]], Any]) -> None:
    """One round of polls; ``timed`` runs a call and records its latency or failure."""
    timed(lambda: p.describe_dataset_group(datasetGroupArn=group))
    jobs = timed(lambda: p.list_dataset_import_jobs(maxResults=5)) or {}
    for job in jobs.get("datasetImportJobs", [])[:1]:
        arn = job["datasetImportJobArn"]
        timed(
            lambda a=arn: p.describe_dataset_import_job(datasetImportJobArn=a)["datasetImportJob"]
        )
    versions = timed(lambda: p.list_solution_versions(maxResults=5)) or {}
    for version in versions.get("solutionVersions", [])[:1]:
        arn = version["solutionVersionArn"]
        timed(lambda a=arn: p.describe_solution_version(solutionVersionArn=a)["solutionVersion"])


def main() -> None:
    data_dir, group = Path(sys.argv[1]), sys.argv[2]
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="process")
    # Only reads: the writer's worker runs the jobs, none may run in (or be started by) this
    # process, whose latency is what is measured.
    get_engine(settings, start_worker=False)
    p = build_clients(settings).personalize
    seconds: list[float] = []
    errors: list[str] = []
    seen: set[str] = set()
    stop: list[int] = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))

    def timed(call: Callable[[], Any]) -> Any:
        t = time.perf_counter()
        try:
            out = call()
        except Exception as err:  # every failure counts, whatever its kind
            errors.append(f"{type(err).__name__}: {err}")
            return None
        seconds.append(time.perf_counter() - t)
        arn = out.get("datasetImportJobArn") or out.get("solutionVersionArn") or ""
        if arn and "status" in out:
            seen.add(f"{arn.split(':', 5)[-1].split('/')[0]} {out['status']}")
        return out

    one_round(p, group, lambda call: call())
    print("ready", flush=True)
    while not stop:
        start = time.monotonic()
        one_round(p, group, timed)
        time.sleep(max(0.0, INTERVAL - (time.monotonic() - start)))
    print(
        json.dumps(
            {
                "seconds": seconds,
                "failures": len(errors),
                "errors": errors[:5],
                "seen": sorted(seen),
            }
        )
    )


if __name__ == "__main__":
    main()
