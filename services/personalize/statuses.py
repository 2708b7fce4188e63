"""Which Personalize statuses mean "still moving": the one list every page and poll uses.

Source: the ``status`` members of the Personalize service model (botocore
``personalize/2018-05-22/service-2.json``, the same text as the API reference's data types):

- Dataset, DatasetGroup, EventTracker, Solution, Campaign, CampaignUpdateSummary,
  DatasetImportJob, DatasetExportJob, FeatureTransformation, SolutionUpdateSummary,
  RecommenderUpdateSummary: "CREATE PENDING > CREATE IN_PROGRESS > ACTIVE -or- CREATE FAILED",
  and for those that can be deleted "DELETE PENDING > DELETE IN_PROGRESS" (a DatasetGroup only
  "DELETE PENDING").
- SolutionVersion: "CREATE PENDING, CREATE IN_PROGRESS, ACTIVE, CREATE FAILED, CREATE STOPPING,
  CREATE STOPPED" (StopSolutionVersionCreation: "CREATE_PENDING > CREATE_STOPPED or
  CREATE_IN_PROGRESS > CREATE_STOPPING > CREATE_STOPPED").
- Recommender: "STOP PENDING > STOP IN_PROGRESS > INACTIVE > START PENDING > START IN_PROGRESS
  > ACTIVE" besides the create and delete ones.
- BatchInferenceJob, BatchSegmentJob: "PENDING, IN PROGRESS, ACTIVE, CREATE FAILED" (with a
  space, unlike every other shape).
- DataDeletionJob: "PENDING > IN_PROGRESS > COMPLETED -or- FAILED".

"UPDATE PENDING" and "UPDATE IN_PROGRESS" are in no shape's documentation of the 2018-05-22
model; they are the spelling the update operations (UpdateDataset, UpdateSolution,
UpdateRecommender, UpdateCampaign) would use, so a resource reporting one is counted as moving
rather than as done.
"""

from __future__ import annotations

IN_FLIGHT: frozenset[str] = frozenset(
    {
        "CREATE PENDING",
        "CREATE IN_PROGRESS",
        "CREATE STOPPING",
        "DELETE PENDING",
        "DELETE IN_PROGRESS",
        "UPDATE PENDING",
        "UPDATE IN_PROGRESS",
        "STOP PENDING",
        "STOP IN_PROGRESS",
        "START PENDING",
        "START IN_PROGRESS",
        "PENDING",
        "IN PROGRESS",
        "IN_PROGRESS",
    }
)

# StopSolutionVersionCreation stops "a solution version that is in a state of CREATE_PENDING or
# CREATE IN_PROGRESS" (API reference); any other state is refused.
STOPPABLE_VERSION: frozenset[str] = frozenset({"CREATE PENDING", "CREATE IN_PROGRESS"})


def in_flight(status: str | None) -> bool:
    """Whether ``status`` (a Personalize status string, any resource) is one that still moves
    by itself: a poll must look again. False for None, "" and every final status (ACTIVE,
    INACTIVE, CREATE FAILED, CREATE STOPPED, COMPLETED, FAILED…)."""
    return status in IN_FLIGHT
