"""The workspace snapshot behind the Overview page: what exists, and what is out of date.

The question it answers first is lesson 3 of DESIGN.md: a new solution version changes nothing
until the campaign is updated to it, so each campaign is compared with the newest ACTIVE
version of its solution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from services.errors import NotFound
from services.i18n import _
from services.personalize.listed import described
from services.personalize.models import (
    Campaign,
    Dataset,
    DatasetGroup,
    EventTracker,
    ImportJob,
    Recommender,
    Solution,
    SolutionVersion,
    version_label,
)
from services.workspace.auto_training import Refresh, refresh_of
from services.workspace.serving import Serves, serves

if TYPE_CHECKING:
    from services.personalize.facade import PersonalizeService


@dataclass(frozen=True)
class DatasetStatus:
    dataset: Dataset
    latest_import: ImportJob | None  # the newest import job, whatever its status


@dataclass(frozen=True)
class SolutionStatus:
    solution: Solution
    newest_version: SolutionVersion | None  # the newest version, whatever its status
    newest_active: SolutionVersion | None  # the newest version that can be deployed
    version_count: int
    # every version, newest first (an older one can still be stopping while a newer one is done)
    versions: tuple[SolutionVersion, ...] = ()


@dataclass(frozen=True)
class CampaignStatus:
    """Deployment state of one campaign.

    ``behind`` is true when a newer ACTIVE version than the served one exists;
    ``undeployed_age`` is how long that version has been waiting (None when not behind).
    ``updating_to`` is the version an in-progress UpdateCampaign is switching to.
    ``syncing`` is true when the campaign follows its solution by itself
    (syncWithLatestSolutionVersion) and a newer ACTIVE version exists: the sync is due, so it is
    not ``behind``. ``refresh`` says how the campaign gets new models.
    """

    campaign: Campaign
    solution_arn: str
    served_version: SolutionVersion | None  # None when the served version is not listed
    newest_active: SolutionVersion | None
    behind: bool
    undeployed_age: timedelta | None
    updating_to: str | None
    syncing: bool = False
    refresh: Refresh | None = None

    @property
    def served_version_arn(self) -> str | None:
        return self.campaign.solution_version_arn

    @property
    def waiting_version(self) -> SolutionVersion | None:
        """The newer ACTIVE version this campaign does not serve yet (``behind``), or None: the
        version whose data the campaign's users do not get until UpdateCampaign."""
        return self.newest_active if self.behind else None

    def update_blocked(self) -> str | None:
        """Why UpdateCampaign may not start now, or None when it may.

        Personalize refuses UpdateCampaign while a campaign is still being created or updated
        (ResourceInUseException); a campaign whose creation failed can be updated again.
        """
        name = self.campaign.name
        if self.updating_to:
            return _("{campaign} is already updating to {version}.").format(
                campaign=name, version=version_label(self.updating_to)
            )
        if self.campaign.status not in ("ACTIVE", "CREATE FAILED"):
            return _("{campaign} is {status}: wait until it is ACTIVE.").format(
                campaign=name, status=self.campaign.status
            )
        return None


@dataclass(frozen=True)
class DatasetGroupOverview:
    group: DatasetGroup
    datasets: tuple[DatasetStatus, ...]
    event_trackers: tuple[EventTracker, ...]
    solutions: tuple[SolutionStatus, ...]
    campaigns: tuple[CampaignStatus, ...]
    recommenders: tuple[Recommender, ...] = ()

    @property
    def serves(self) -> Serves:
        """What the group answers recommendations through (``serving.serves``)."""
        return serves(
            domain=self.group.domain,
            campaigns=len(self.campaigns),
            recommenders=len(self.recommenders),
        )

    @property
    def campaigns_behind(self) -> tuple[CampaignStatus, ...]:
        return tuple(c for c in self.campaigns if c.behind)

    def campaign_status(self, campaign_arn: str) -> CampaignStatus | None:
        """The deployment state of one of the group's campaigns, or None when not listed."""
        return next((c for c in self.campaigns if c.campaign.arn == campaign_arn), None)


def waiting_version_id(
    groups: Sequence[DatasetGroupOverview], group_arn: str, campaign_arn: str
) -> str | None:
    """The label (``version_label``) of the newer ACTIVE version ``campaign_arn`` does not serve yet
    (``CampaignStatus.waiting_version``), or None: not behind, or not in ``groups``."""
    for overview in groups:
        if overview.group.arn == group_arn:
            status = overview.campaign_status(campaign_arn)
            waiting = status.waiting_version if status else None
            return version_label(waiting.arn) if waiting else None
    return None


_EPOCH = datetime.min.replace(tzinfo=UTC)


def _created(version: SolutionVersion | None) -> datetime:
    return version.created if version and version.created else _EPOCH


def _newest_active(versions: Sequence[SolutionVersion]) -> SolutionVersion | None:
    return max((v for v in versions if v.status == "ACTIVE"), key=_created, default=None)


def campaign_status(
    campaign: Campaign,
    solution_arn: str,
    versions: Sequence[SolutionVersion],
    now: datetime,
    solution: Solution | None = None,
) -> CampaignStatus:
    """Compare what a (described) campaign serves with its solution's versions; with the
    (described) ``solution``, also say how the campaign is refreshed."""
    by_arn = {v.arn: v for v in versions}
    served_arn = campaign.solution_version_arn
    served = by_arn.get(served_arn) if served_arn else None
    newest_active = _newest_active(versions)
    follows_latest = bool(served_arn and served_arn.endswith("/$LATEST"))
    newer = (
        newest_active is not None
        and not follows_latest
        and served_arn != newest_active.arn
        # a served version missing from the list (deleted, or another solution) counts as older
        and _created(served) < _created(newest_active)
    )
    syncing = newer and bool(campaign.config and campaign.config.sync_with_latest_version)
    behind = newer and not syncing
    age = (
        now - newest_active.created if behind and newest_active and newest_active.created else None
    )
    update = campaign.pending_update
    return CampaignStatus(
        campaign=campaign,
        solution_arn=solution_arn,
        served_version=served,
        newest_active=newest_active,
        behind=behind,
        undeployed_age=age,
        updating_to=update.solution_version_arn if update and update.in_progress else None,
        syncing=syncing,
        refresh=refresh_of(solution, versions, campaign) if solution else None,
    )


def build_overview(
    service: PersonalizeService, now: datetime | None = None
) -> list[DatasetGroupOverview]:
    """Every dataset group with its data, solutions and campaign deployment state.

    Sequential calls through the facade (the page caches the result); ``now`` (default: the
    current UTC time) dates what is out of date.
    """
    now = now or datetime.now(UTC)
    return [_group(service, group, now) for group in service.list_dataset_groups()]


def _group(service: PersonalizeService, group: DatasetGroup, now: datetime) -> DatasetGroupOverview:
    datasets = tuple(
        DatasetStatus(d, next(iter(service.list_import_jobs(d.arn)), None))
        for d in service.list_datasets(group.arn)
    )
    trackers = tuple(service.list_event_trackers(group.arn))
    solutions: list[SolutionStatus] = []
    campaigns: list[CampaignStatus] = []
    for listed_solution in service.list_solutions(group.arn):
        try:  # Describe carries performAutoTraining and the schedule
            solution = service.describe_solution(listed_solution.arn)
        except NotFound:
            continue  # deleted between the list and the describe: not part of the snapshot
        versions = service.list_solution_versions(solution.arn)  # newest first
        solutions.append(
            SolutionStatus(
                solution=solution,
                newest_version=versions[0] if versions else None,
                newest_active=_newest_active(versions),
                version_count=len(versions),
                versions=tuple(versions),
            )
        )
        listed = [c.arn for c in service.list_campaigns(solution.arn)]
        campaigns += [
            campaign_status(c, solution.arn, versions, now, solution)
            for c in described(service.describe_campaign, listed)
        ]
    # Recommenders exist only in Domain dataset groups; a Custom group needs no call.
    recommenders = tuple(service.list_recommenders(group.arn)) if group.domain else ()
    return DatasetGroupOverview(
        group, datasets, trackers, tuple(solutions), tuple(campaigns), recommenders
    )
