"""What is still in progress across the workspace: every resource of the snapshot whose status
is in flight (``services.personalize.statuses.IN_FLIGHT``), for the Operations page's
self-updating list and anything else that needs it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.i18n import N_
from services.personalize.models import SolutionVersion, version_label
from services.personalize.statuses import STOPPABLE_VERSION, in_flight
from services.workspace.overview import DatasetGroupOverview, SolutionStatus

REFRESH = N_("Refresh")  # the kind of a refresh run (services.pipeline.runs.running_runs)


@dataclass(frozen=True)
class Running:
    kind: str  # N_-marked: "Training", "Campaign update", "Import", "Recommender", REFRESH…
    name: str
    status: str
    started: datetime | None
    arn: str
    stoppable: bool = False
    live: bool = True  # False: nothing is moving (a refresh whose process stopped)


def _versions(status: SolutionStatus) -> tuple[SolutionVersion, ...]:
    """Every listed version, or the newest alone for a snapshot built without the list."""
    if status.versions:
        return status.versions
    return (status.newest_version,) if status.newest_version else ()


def _group_work(g: DatasetGroupOverview) -> Iterator[Running]:
    group = g.group
    if in_flight(group.status):
        yield Running(N_("Dataset group"), group.name, group.status, group.created, group.arn)
    for d in g.datasets:
        dataset = d.dataset
        if in_flight(dataset.status):
            yield Running(N_("Dataset"), dataset.name, dataset.status, dataset.created, dataset.arn)
        job = d.latest_import
        if job and in_flight(job.status):
            yield Running(N_("Import"), job.name, job.status, job.created, job.arn)
    for t in g.event_trackers:
        if in_flight(t.status):
            yield Running(N_("Event tracker"), t.name, t.status, t.created, t.arn)
    for s in g.solutions:
        solution = s.solution
        if in_flight(solution.status):
            yield Running(
                N_("Solution"), solution.name, solution.status, solution.created, solution.arn
            )
        for v in _versions(s):
            if in_flight(v.status):
                name = f"{version_label(v.arn)} ({v.training_mode or 'FULL'})"
                stoppable = v.status in STOPPABLE_VERSION
                yield Running(N_("Training"), name, v.status, v.created, v.arn, stoppable)
    for c in g.campaigns:
        campaign = c.campaign
        if in_flight(campaign.status):
            yield Running(
                N_("Campaign"), campaign.name, campaign.status, campaign.created, campaign.arn
            )
        update = campaign.pending_update
        if c.updating_to and update:
            name = f"{campaign.name} → {version_label(c.updating_to)}"
            yield Running(N_("Campaign update"), name, update.status, update.created, campaign.arn)
    for r in g.recommenders:
        if in_flight(r.status):
            yield Running(N_("Recommender"), r.name, r.status, r.created, r.arn)
        if in_flight(r.pending_status) and r.pending_status:
            yield Running(N_("Recommender update"), r.name, r.pending_status, r.updated, r.arn)


def running_work(groups: list[DatasetGroupOverview]) -> list[Running]:
    """Every resource of ``groups`` whose status is in flight (``statuses.IN_FLIGHT``): dataset
    groups, datasets and their newest import, event trackers, solutions, every solution version
    (not only the newest: one still CREATE STOPPING outlives a newer one that finished),
    campaigns and their updates, recommenders and their updates; group by group."""
    return [work for g in groups for work in _group_work(g)]


def _moving(work: Sequence[Running]) -> set[tuple[str, str, str, bool]]:
    """What runs and whether it moves, not how far it got (a status or a step)."""
    return {(w.arn, w.kind, w.name, w.live) for w in work}


def settled(before: Sequence[Running], now: Sequence[Running]) -> bool:
    """Whether the work ``now`` changes what the rest of the Operations page shows since
    ``before`` (both ``running_work`` lists, a poll apart): something of ``before`` ended or
    stalled, and no refresh run is still moving. A refresh's own trainings, imports and
    deploys end inside it, one after the other; the end of the refresh says what they made,
    once, instead of a redraw of the page at each of them (trial s12: four whole-page redraws
    in a one-minute refresh). What started, or moved on to its next status, changes the
    running-work list alone."""
    if not _moving(before) - _moving(now):
        return False
    return not any(w.kind == REFRESH and w.live for w in now)
