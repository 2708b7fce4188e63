"""Automatic training (``performAutoTraining``) and campaigns that follow the newest version.

Like the waiting statuses in ``resources``, both advance lazily from timestamps whenever the
resources are read, using the engine's clock, so they survive restarts, need no scheduler
process, and tests move them by replacing ``engine.clock``:

- a solution with ``performAutoTraining`` (default true) gets a new version with trainingMode
  AUTOTRAIN and trainingType AUTOMATIC when ``training_schedule.next_training_time`` has
  passed and no version of it is training (API reference ``CreateSolution.performAutoTraining``,
  ``SolutionVersion.trainingType``);
- a campaign with ``campaignConfig.syncWithLatestSolutionVersion`` starts an update to its
  solution's newest ACTIVE version once that version is ACTIVE; the update completes after the
  usual lifecycle delay, and until then the campaign serves the version it had (API reference
  ``CampaignConfig.syncWithLatestSolutionVersion``).
"""

from __future__ import annotations

from typing import Any

from services.local.context import EngineContext, Operation
from services.local.data.storage.resources import ACTIVE, PENDING, READY_AT, WAITING, Resources
from services.local.models.solution_versions import add_version
from services.local.rules.training_schedule import ScheduleError, next_training_time

STOPPING = "CREATE STOPPING"
SYNC = "syncWithLatestSolutionVersion"


def schedule_of(solution: dict[str, Any]) -> str | None:
    """The solution's schedulingExpression (None: the default, every 7 days)."""
    config = (solution.get("solutionConfig") or {}).get("autoTrainingConfig") or {}
    return config.get("schedulingExpression")


def active_since(solution: dict[str, Any]) -> float:
    """When the solution became ACTIVE (epoch s)."""
    return float(solution.get(READY_AT, solution["creationDateTime"]))


def next_due(solution: dict[str, Any], versions: list[dict[str, Any]]) -> float | None:
    """When the solution's next automatic training is due; None if it does not auto-train."""
    if not solution.get("performAutoTraining", True) or solution.get("status") != ACTIVE:
        return None
    try:
        return next_training_time(
            active_since(solution),
            [float(v["creationDateTime"]) for v in versions],
            schedule_of(solution),
        )
    except ScheduleError:
        return None


def is_due(res: Resources, solution: dict[str, Any]) -> bool:
    """Whether the solution's automatic training is due now and none of its versions trains."""
    versions = res.all("solution-version", parent=solution["solutionArn"])
    if any(v["status"] in (*WAITING, STOPPING) for v in versions):
        return False  # one training at a time; the schedule resumes after it
    due = next_due(solution, versions)
    return due is not None and res.now >= due


def start_due_training(
    engine: EngineContext, res: Resources, solution: dict[str, Any]
) -> str | None:
    """Create and queue the solution's automatic version if it is due; returns its ARN.

    The caller kicks the job runner after its transaction commits.
    """
    if not is_due(res, solution):
        return None
    return add_version(engine, res, solution, "AUTOTRAIN", "AUTOMATIC")


def run_due(
    engine: EngineContext, group: str | None = None, solution: str | None = None
) -> list[str]:
    """Start every automatic training that is due: of one solution, of one dataset group's
    solutions, or of all. An ARN that names nothing starts nothing.

    Returns the ARNs of the versions it created.
    """

    def candidates(res: Resources) -> list[dict[str, Any]]:
        if solution is not None:
            found = res.find(solution)
            return [found] if found is not None and "solutionArn" in found else []
        return res.all("solution", group=group)

    # Mostly nothing is due: find that out in a read transaction, without the write lock.
    with engine.reading() as res:
        if not any(is_due(res, doc) for doc in candidates(res)):
            return []
    with engine.tx() as res:
        solutions = candidates(res)
        started = [
            arn for doc in solutions if (arn := start_due_training(engine, res, doc)) is not None
        ]
    if started:
        engine.jobs.kick()
    return started


def training_due_first(handler: Operation, param: str) -> Operation:
    """``handler`` preceded by the automatic trainings due in its scope: ``param`` names a
    solution (solutionArn) or a dataset group (datasetGroupArn, or all groups if absent)."""

    def wrapped(engine: EngineContext, params: dict[str, Any]) -> dict[str, Any] | None:
        scope = params.get(param)
        if param == "solutionArn":
            if scope:
                run_due(engine, solution=scope)
        else:
            run_due(engine, group=scope)
        return handler(engine, params)

    return wrapped


def sync_campaign(res: Resources, doc: dict[str, Any], lifecycle_seconds: float) -> bool:
    """Start an update of a syncing campaign to its solution's newest ACTIVE version.

    Returns True if ``doc`` changed (the caller saves it).
    """
    if not (doc.get("campaignConfig") or {}).get(SYNC):
        return False
    pending = doc.get("latestCampaignUpdate") or {}
    if pending.get("status") in WAITING:
        return False
    solution = doc["solutionVersionArn"].rsplit("/", 1)[0]
    active = [v for v in res.all("solution-version", parent=solution) if v["status"] == ACTIVE]
    if not active or active[-1]["solutionVersionArn"] == doc["solutionVersionArn"]:
        return False
    newest = active[-1]
    became_active = float(newest["lastUpdatedDateTime"])
    doc["latestCampaignUpdate"] = {
        "solutionVersionArn": newest["solutionVersionArn"],
        "minProvisionedTPS": doc.get("minProvisionedTPS", 1),
        "campaignConfig": dict(doc.get("campaignConfig") or {}),
        "status": PENDING,
        "creationDateTime": became_active,
        "lastUpdatedDateTime": became_active,
        READY_AT: became_active + lifecycle_seconds,
    }
    return True
