"""Overview: served version vs newest ACTIVE version, from stubbed list/describe responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.personalize.facade import PersonalizeService
from services.personalize.models import (
    Campaign,
    CampaignConfig,
    CampaignUpdate,
    Solution,
    SolutionVersion,
)
from services.workspace.overview import build_overview, campaign_status

A = "arn:aws:personalize:us-east-1:123456789012"
GROUP = f"{A}:dataset-group/shop"
DATASET = f"{A}:dataset/shop/INTERACTIONS"
SOL_UP, SOL_POP = f"{A}:solution/shop-up", f"{A}:solution/shop-pop"
UP_OLD, UP_NEW, UP_TRAINING = f"{SOL_UP}/00000001", f"{SOL_UP}/00000002", f"{SOL_UP}/00000003"
POP_V1 = f"{SOL_POP}/0000000a"
CAMP_BEHIND, CAMP_CURRENT = f"{A}:campaign/home-recs", f"{A}:campaign/popular"
T0 = datetime(2024, 1, 1, tzinfo=UTC)
NOW = T0 + timedelta(days=3)
PAGE = {"maxResults": 100}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def version(arn: str, status: str, hours: float) -> dict:
    return {"solutionVersionArn": arn, "status": status, "creationDateTime": at(hours)}


def stub_workspace(p) -> None:
    """One group; solution shop-up is retrained but its campaign still serves the old version;
    shop-pop's campaign serves its only version."""
    p.add_response(
        "list_dataset_groups",
        {"datasetGroups": [{"name": "shop", "datasetGroupArn": GROUP, "status": "ACTIVE"}]},
        PAGE,
    )
    p.add_response(
        "list_datasets",
        {"datasets": [{"name": "i", "datasetArn": DATASET, "datasetType": "INTERACTIONS",
                       "status": "ACTIVE"}]},
        {**PAGE, "datasetGroupArn": GROUP},
    )  # fmt: skip
    p.add_response(
        "list_dataset_import_jobs",
        {"datasetImportJobs": [
            {"datasetImportJobArn": f"{A}:dataset-import-job/a", "jobName": "a",
             "status": "ACTIVE", "creationDateTime": at(0)},
            {"datasetImportJobArn": f"{A}:dataset-import-job/b", "jobName": "b",
             "status": "CREATE FAILED", "creationDateTime": at(10)},
        ]},
        {**PAGE, "datasetArn": DATASET},
    )  # fmt: skip
    p.add_response("list_event_trackers", {"eventTrackers": []}, {**PAGE, "datasetGroupArn": GROUP})
    p.add_response(
        "list_solutions",
        {"solutions": [{"name": "shop-up", "solutionArn": SOL_UP, "status": "ACTIVE"},
                       {"name": "shop-pop", "solutionArn": SOL_POP, "status": "ACTIVE"}]},
        {**PAGE, "datasetGroupArn": GROUP},
    )  # fmt: skip
    # shop-up: old ACTIVE (served), newer ACTIVE (not deployed), newest still training;
    # it retrains itself every 2 days
    p.add_response(
        "describe_solution",
        {"solution": {"name": "shop-up", "solutionArn": SOL_UP, "status": "ACTIVE",
                      "performAutoTraining": True, "creationDateTime": at(0),
                      "solutionConfig": {"autoTrainingConfig": {
                          "schedulingExpression": "rate(2 days)"}}}},
        {"solutionArn": SOL_UP},
    )  # fmt: skip
    p.add_response(
        "list_solution_versions",
        {"solutionVersions": [version(UP_OLD, "ACTIVE", 0), version(UP_NEW, "ACTIVE", 24),
                              version(UP_TRAINING, "CREATE IN_PROGRESS", 60)]},
        {**PAGE, "solutionArn": SOL_UP},
    )  # fmt: skip
    p.add_response(
        "list_campaigns",
        {"campaigns": [{"name": "home-recs", "campaignArn": CAMP_BEHIND, "status": "ACTIVE"}]},
        {**PAGE, "solutionArn": SOL_UP},
    )
    p.add_response(
        "describe_campaign",
        {"campaign": {"name": "home-recs", "campaignArn": CAMP_BEHIND, "status": "ACTIVE",
                      "solutionVersionArn": UP_OLD, "minProvisionedTPS": 1}},
        {"campaignArn": CAMP_BEHIND},
    )  # fmt: skip
    p.add_response(
        "describe_solution",
        {"solution": {"name": "shop-pop", "solutionArn": SOL_POP, "status": "ACTIVE",
                      "performAutoTraining": False}},
        {"solutionArn": SOL_POP},
    )  # fmt: skip
    p.add_response(
        "list_solution_versions",
        {"solutionVersions": [version(POP_V1, "ACTIVE", 1)]},
        {**PAGE, "solutionArn": SOL_POP},
    )
    p.add_response(
        "list_campaigns",
        {"campaigns": [{"name": "popular", "campaignArn": CAMP_CURRENT, "status": "ACTIVE"}]},
        {**PAGE, "solutionArn": SOL_POP},
    )
    p.add_response(
        "describe_campaign",
        {"campaign": {"name": "popular", "campaignArn": CAMP_CURRENT, "status": "ACTIVE",
                      "solutionVersionArn": POP_V1}},
        {"campaignArn": CAMP_CURRENT},
    )  # fmt: skip


def test_overview_flags_the_campaign_behind_its_newest_active_version(
    service: PersonalizeService, stubs
) -> None:
    stub_workspace(stubs.personalize)
    (group,) = build_overview(service, NOW)

    assert group.group.arn == GROUP
    (dataset,) = group.datasets
    assert dataset.latest_import is not None
    assert (dataset.latest_import.name, dataset.latest_import.status) == ("b", "CREATE FAILED")

    up, pop = group.solutions
    assert up.newest_version is not None and up.newest_version.arn == UP_TRAINING
    assert up.newest_active is not None and up.newest_active.arn == UP_NEW
    assert up.version_count == 3

    behind, current = group.campaigns
    assert (behind.campaign.name, behind.served_version_arn) == ("home-recs", UP_OLD)
    assert behind.behind
    assert behind.newest_active is not None and behind.newest_active.arn == UP_NEW
    assert behind.undeployed_age == NOW - at(24)
    assert (current.behind, current.undeployed_age) == (False, None)
    assert group.campaigns_behind == (behind,)
    # shop-up retrains every 2 days, counted from its newest version (hour 60)
    assert behind.refresh is not None and current.refresh is not None
    assert (behind.refresh.mode, behind.refresh.next_training) == (
        "automatic training, manual deploy",
        at(60 + 48),
    )
    assert (current.refresh.mode, current.refresh.next_training) == ("manual", None)
    assert group.recommenders == ()  # a Custom group: ListRecommenders is not even called


def _campaign(served: str, update: CampaignUpdate | None = None) -> Campaign:
    return Campaign(
        arn=CAMP_BEHIND, name="home-recs", status="ACTIVE", solution_version_arn=served,
        pending_update=update,
    )  # fmt: skip


VERSIONS = [
    SolutionVersion(UP_TRAINING, "CREATE IN_PROGRESS", created=at(60)),
    SolutionVersion(UP_NEW, "ACTIVE", created=at(24)),
    SolutionVersion(UP_OLD, "ACTIVE", created=at(0)),
]


def test_campaign_status_reports_update_in_progress() -> None:
    update = CampaignUpdate(status="CREATE IN_PROGRESS", solution_version_arn=UP_NEW)
    status = campaign_status(_campaign(UP_OLD, update), SOL_UP, VERSIONS, NOW)
    assert status.behind  # still serving the old version until the update is ACTIVE
    assert status.updating_to == UP_NEW


def test_campaign_status_failed_versions_do_not_count() -> None:
    versions = [SolutionVersion(UP_NEW, "CREATE FAILED", created=at(24)), VERSIONS[2]]
    status = campaign_status(_campaign(UP_OLD), SOL_UP, versions, NOW)
    assert (status.behind, status.undeployed_age, status.updating_to) == (False, None, None)


def test_campaign_serving_an_unlisted_version_is_behind() -> None:
    status = campaign_status(_campaign(f"{SOL_UP}/deleted0"), SOL_UP, VERSIONS, NOW)
    assert status.served_version is None
    assert status.behind and status.undeployed_age == NOW - at(24)


def test_a_syncing_campaign_is_not_behind_while_its_sync_is_due() -> None:
    config = CampaignConfig(sync_with_latest_version=True)
    campaign = Campaign(
        arn=CAMP_BEHIND, name="home-recs", status="ACTIVE", solution_version_arn=UP_OLD,
        config=config,
    )  # fmt: skip
    solution = Solution(SOL_UP, "shop-up", "ACTIVE", perform_auto_training=True)
    status = campaign_status(campaign, SOL_UP, VERSIONS, NOW, solution)
    assert (status.behind, status.syncing) == (False, True)
    assert status.refresh is not None
    assert status.refresh.mode == "automatic training + auto-sync"
    assert status.refresh.next_training == at(60) + timedelta(days=7)  # the default rate


def test_campaign_following_latest_is_not_behind() -> None:
    status = campaign_status(_campaign(f"{SOL_UP}/$LATEST"), SOL_UP, VERSIONS, NOW)
    assert not status.behind


def test_update_is_blocked_while_the_campaign_is_busy_and_allowed_otherwise() -> None:
    update = CampaignUpdate(status="CREATE IN_PROGRESS", solution_version_arn=UP_NEW)
    updating = campaign_status(_campaign(UP_OLD, update), SOL_UP, VERSIONS, NOW)
    assert updating.update_blocked() == "home-recs is already updating to shop-up/00000002."
    creating = Campaign(arn=CAMP_BEHIND, name="home-recs", status="CREATE IN_PROGRESS")
    assert campaign_status(creating, SOL_UP, VERSIONS, NOW).update_blocked() == (
        "home-recs is CREATE IN_PROGRESS: wait until it is ACTIVE."
    )
    assert campaign_status(_campaign(UP_OLD), SOL_UP, VERSIONS, NOW).update_blocked() is None
    failed = Campaign(arn=CAMP_BEHIND, name="home-recs", status="CREATE FAILED")
    assert campaign_status(failed, SOL_UP, VERSIONS, NOW).update_blocked() is None
