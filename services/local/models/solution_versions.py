"""Recording a new solution version and queueing its training (manual or automatic)."""

from __future__ import annotations

import secrets
from typing import Any

from services.local.context import EngineContext
from services.local.data.storage.resources import PENDING, Resources

# SolutionVersionSummary's fields: ListSolutionVersions entries and a solution's
# latestSolutionVersion (botocore shape ``SolutionVersionSummary``).
VERSION_SUMMARY = (
    "solutionVersionArn",
    "status",
    "trainingMode",
    "trainingType",
    "creationDateTime",
    "lastUpdatedDateTime",
    "failureReason",
)


def add_version(
    engine: EngineContext,
    res: Resources,
    solution: dict[str, Any],
    mode: str,
    training_type: str,
    name: str | None = None,
    tags: list[dict[str, str]] | None = None,
) -> str:
    """Create a CREATE PENDING version of ``solution`` and queue its training in ``res``'s
    transaction; returns its ARN (``<solutionArn>/<8 hex>``). The caller kicks the runner
    after the transaction commits.

    ``mode`` is trainingMode (FULL | UPDATE | AUTOTRAIN), ``training_type`` MANUAL | AUTOMATIC.
    """
    arn = f"{solution['solutionArn']}/{secrets.token_hex(4)}"
    doc: dict[str, Any] = {
        "solutionVersionArn": arn,
        "solutionArn": solution["solutionArn"],
        "performHPO": solution.get("performHPO", False),
        "performAutoML": solution.get("performAutoML", False),
        "datasetGroupArn": solution["datasetGroupArn"],
        "solutionConfig": solution.get("solutionConfig", {}),
        "trainingMode": mode,
        "trainingType": training_type,
        "status": PENDING,
        "creationDateTime": res.now,
        "lastUpdatedDateTime": res.now,
    }
    for key in ("recipeArn", "eventType"):
        if solution.get(key):
            doc[key] = solution[key]
    if name:
        doc["name"] = name
    res.create(
        arn,
        "solution-version",
        arn.rsplit("/", 1)[-1],
        doc,
        parent=solution["solutionArn"],
        group=solution["datasetGroupArn"],
        tags=tags,
    )
    engine.jobs.enqueue(res.conn, "train", arn)
    return arn
