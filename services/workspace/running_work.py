"""What is still in progress across the workspace: imports, training, campaigns and their
updates (the Operations page's self-updating list, and anything else that needs it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.i18n import N_
from services.personalize.models import is_terminal, version_label
from services.workspace.overview import DatasetGroupOverview


@dataclass(frozen=True)
class Running:
    kind: str  # "Training", "Campaign update", "Import", "Campaign", "Refresh"
    name: str
    status: str
    started: datetime | None
    arn: str
    stoppable: bool = False
    live: bool = True  # False: nothing is moving (a refresh whose process stopped)


def running_work(groups: list[DatasetGroupOverview]) -> list[Running]:
    """What is still in progress (the newest version per solution, newest import per dataset)."""
    work: list[Running] = []
    for g in groups:
        for d in g.datasets:
            job = d.latest_import
            if job and not is_terminal(job.status):
                work.append(Running(N_("Import"), job.name, job.status, job.created, job.arn))
        for s in g.solutions:
            v = s.newest_version
            if v and not is_terminal(v.status):
                name = f"{version_label(v.arn)} ({v.training_mode or 'FULL'})"
                stoppable = v.status in ("CREATE PENDING", "CREATE IN_PROGRESS")
                work.append(Running(N_("Training"), name, v.status, v.created, v.arn, stoppable))
        for c in g.campaigns:
            campaign = c.campaign
            if not is_terminal(campaign.status):
                work.append(
                    Running(
                        N_("Campaign"),
                        campaign.name,
                        campaign.status,
                        campaign.created,
                        campaign.arn,
                    )
                )
            update = campaign.pending_update
            if c.updating_to and update:
                name = f"{campaign.name} → {version_label(c.updating_to)}"
                work.append(
                    Running(
                        N_("Campaign update"), name, update.status, update.created, campaign.arn
                    )
                )
    return work
