"""Turn the workspace snapshot into the Overview's alert list: what is wrong, most urgent first.

Pure logic over ``services.workspace.overview`` values (no Streamlit, no calls), so the same list
can be
printed by a CLI or checked in a unit test. Each alert names the page where the fix happens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from services.i18n import _, ngettext
from services.i18n.formats import count, duration
from services.personalize.models import (
    Campaign,
    Recommender,
    is_failed,
    is_terminal,
    version_label,
)
from services.readiness.limits import MIN_INTERACTIONS, MIN_USERS_WITH_TWO
from services.workspace.overview import (
    CampaignStatus,
    DatasetGroupOverview,
    DatasetStatus,
    SolutionStatus,
)

Severity = Literal["error", "warning", "info"]
Page = Literal["operations", "data", "recommendations", "solutions"]

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

# A newer ACTIVE version waiting this long undeployed is no longer a detail: it is an error.
STALE_DEPLOYMENT = timedelta(days=7)


@dataclass(frozen=True)
class Alert:
    """One finding: ``message`` says what is wrong and what to do; ``page`` where to do it."""

    severity: Severity
    message: str
    page: Page
    target: str | None = None  # the ARN the alert is about (for a deep link and hover text)
    since: datetime | None = None  # when the problem started, if known
    kind: str = ""  # a stable code for tests and filters: "campaign_behind", "import_failed"…


@dataclass(frozen=True)
class DataCounts:
    """Interaction counts of one dataset group, when someone could compute them cheaply."""

    interactions: int
    users_with_two: int


def _age(since: datetime | None, now: datetime) -> str:
    return " " + _("{duration} ago").format(duration=duration(now - since)) if since else ""


def _reason(text: str | None) -> str:
    return f": {text}" if text else ""


def _dataset_alerts(group: str, status: DatasetStatus, now: datetime) -> Iterable[Alert]:
    dataset, job = status.dataset, status.latest_import
    kind = dataset.dataset_type.capitalize()
    if is_failed(dataset.status):
        yield Alert(
            "error",
            _("{kind} dataset of {group} failed to create. Recreate it on the Data page.").format(
                kind=_(kind), group=group
            ),
            "data",
            dataset.arn,
            dataset.created,
            "dataset_failed",
        )
        return
    if job is None:
        if dataset.dataset_type == "INTERACTIONS":
            yield Alert(
                "warning",
                _(
                    "{kind} dataset of {group} has no import yet: nothing to train on. "
                    "Import interactions on the Data page."
                ).format(kind=_(kind), group=group),
                "data",
                dataset.arn,
                dataset.created,
                "no_import",
            )
        return
    if is_failed(job.status):
        when = job.completed or job.updated or job.created
        yield Alert(
            "error",
            _("Import {job} into the {kind} dataset of {group} failed{age}{reason}").format(
                job=job.name,
                kind=_(kind.lower()),
                group=group,
                age=_age(when, now),
                reason=_reason(job.failure_reason),
            ),
            "data",
            job.arn,
            when,
            "import_failed",
        )


def _solution_alerts(status: SolutionStatus, now: datetime) -> Iterable[Alert]:
    solution, newest = status.solution, status.newest_version
    if newest is not None and is_failed(newest.status):
        when = newest.updated or newest.created
        yield Alert(
            "error",
            _("Training of version {version} failed{age}{reason}").format(
                version=version_label(newest.arn),
                age=_age(when, now),
                reason=_reason(newest.failure_reason),
            ),
            "operations",
            newest.arn,
            when,
            "version_failed",
        )
    elif status.newest_active is None and (newest is None or is_terminal(newest.status)):
        yield Alert(
            "info",
            _("Solution {solution} has no ACTIVE version: train one on Operations.").format(
                solution=solution.name
            ),
            "operations",
            solution.arn,
            solution.created,
            "never_trained",
        )


def _creation_failed(text: str, page: Page, resource: Campaign | Recommender, kind: str) -> Alert:
    """The error alert of a campaign or recommender whose creation failed, dated when it
    last changed."""
    return Alert("error", text, page, resource.arn, resource.updated or resource.created, kind)


def _campaign_alerts(status: CampaignStatus, now: datetime) -> Iterable[Alert]:
    campaign = status.campaign
    if is_failed(campaign.status):
        text = _("Campaign {campaign} failed to create{reason}").format(
            campaign=campaign.name, reason=_reason(campaign.failure_reason)
        )
        yield _creation_failed(text, "operations", campaign, "campaign_failed")
        return
    update = campaign.pending_update
    if update is not None and is_failed(update.status):
        yield Alert(
            "error",
            _(
                "The last update of campaign {campaign} (to version {version}) failed{reason}. "
                "It still serves {served}."
            ).format(
                campaign=campaign.name,
                version=version_label(update.solution_version_arn or "?"),
                reason=_reason(update.failure_reason),
                served=version_label(campaign.solution_version_arn or "?"),
            ),
            "operations",
            campaign.arn,
            update.updated or update.created,
            "update_failed",
        )
    if status.updating_to:
        yield Alert(
            "info",
            _(
                "Campaign {campaign} is updating to version {version}; it serves {served} until "
                "then."
            ).format(
                campaign=campaign.name,
                version=version_label(status.updating_to),
                served=version_label(campaign.solution_version_arn or "?"),
            ),
            "operations",
            campaign.arn,
            update.created if update else None,
            "campaign_updating",
        )
    elif status.behind and status.newest_active is not None:
        age = status.undeployed_age
        waited = (
            _("has been ACTIVE for {duration}").format(duration=duration(age))
            if age
            else _("is ACTIVE")
        )
        served = version_label(campaign.solution_version_arn or "?")
        yield Alert(
            "error" if age and age >= STALE_DEPLOYMENT else "warning",
            _(
                "Campaign {campaign} serves version {served}; version {newest} {waited} and is not "
                "deployed."
            ).format(
                campaign=campaign.name,
                served=served,
                newest=version_label(status.newest_active.arn),
                waited=waited,
            ),
            "operations",
            campaign.arn,
            status.newest_active.created,
            "campaign_behind",
        )


def _recommender_alerts(recommender: Recommender) -> Iterable[Alert]:
    if is_failed(recommender.status):
        text = _("Recommender {recommender} failed to create{reason}").format(
            recommender=recommender.name, reason=_reason(recommender.failure_reason)
        )
        yield _creation_failed(text, "recommendations", recommender, "recommender_failed")


def data_minimum_alerts(group: DatasetGroupOverview, counts: DataCounts) -> list[Alert]:
    """Alerts when a group's interactions are below Personalize's training minimum."""
    short = []
    if counts.interactions < MIN_INTERACTIONS:
        short.append(
            ngettext(
                "{count} interaction (minimum {minimum})",
                "{count} interactions (minimum {minimum})",
                counts.interactions,
            ).format(count=count(counts.interactions), minimum=count(MIN_INTERACTIONS))
        )
    if counts.users_with_two < MIN_USERS_WITH_TWO:
        short.append(
            ngettext(
                "{count} user with ≥ 2 interactions (minimum {minimum})",
                "{count} users with ≥ 2 interactions (minimum {minimum})",
                counts.users_with_two,
            ).format(count=count(counts.users_with_two), minimum=MIN_USERS_WITH_TWO)
        )
    if not short:
        return []
    return [
        Alert(
            "error",
            _(
                "{group} has too little data to train: {short}. Training fails, or every user "
                "gets the same popular items."
            ).format(group=group.group.name, short="; ".join(short)),
            "data",
            group.group.arn,
            kind="data_below_minimum",
        )
    ]


def build_alerts(
    groups: Sequence[DatasetGroupOverview],
    now: datetime,
    data_counts: Mapping[str, DataCounts] | None = None,
) -> list[Alert]:
    """Every alert of the snapshot, errors first, then the longest-standing first.

    ``data_counts`` (by dataset group ARN) is optional: counting interactions is not an API
    call, so callers pass it only when they have the numbers.
    """
    alerts: list[Alert] = []
    for overview in groups:
        group = overview.group
        if is_failed(group.status):
            alerts.append(
                Alert(
                    "error",
                    _("Dataset group {group} failed to create{reason}").format(
                        group=group.name, reason=_reason(group.failure_reason)
                    ),
                    "data",
                    group.arn,
                    group.created,
                    "group_failed",
                )
            )
            continue
        if not any(d.dataset.dataset_type == "INTERACTIONS" for d in overview.datasets):
            alerts.append(
                Alert(
                    "warning",
                    _(
                        "Dataset group {group} has no interactions dataset: create one and "
                        "import events on the Data page."
                    ).format(group=group.name),
                    "data",
                    group.arn,
                    group.created,
                    "no_interactions",
                )
            )
        for dataset in overview.datasets:
            alerts.extend(_dataset_alerts(group.name, dataset, now))
        if data_counts and group.arn in data_counts:
            alerts.extend(data_minimum_alerts(overview, data_counts[group.arn]))
        for solution in overview.solutions:
            alerts.extend(_solution_alerts(solution, now))
        for campaign in overview.campaigns:
            alerts.extend(_campaign_alerts(campaign, now))
        for recommender in overview.recommenders:
            alerts.extend(_recommender_alerts(recommender))
    return sort_alerts(alerts)


def sort_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    """Most severe first; within a severity, the oldest problem first (unknown age last)."""

    def key(alert: Alert) -> tuple[int, int, float]:
        since = alert.since.timestamp() if alert.since else 0.0
        return (SEVERITY_ORDER[alert.severity], alert.since is None, since)

    return sorted(alerts, key=key)
