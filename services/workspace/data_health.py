"""Alerts that need the data itself, not just resource statuses: Personalize's training
minimums, events that stopped arriving, and campaigns that give everybody the same items."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from services.datasets.interaction_summary import InteractionSummary
from services.evaluation.inspection import (
    SAMPLE_TOP_N,
    SAMPLE_USERS,
    Verdict,
    assess,
    recommend_for_users,
)
from services.i18n import _
from services.i18n.formats import duration
from services.personalize.facade import PersonalizeService
from services.personalize.models import version_label
from services.workspace.alerts import Alert, data_minimum_alerts
from services.workspace.overview import DatasetGroupOverview
from services.workspace.recipe_capabilities import personal_lists

# A shop sends events all day; a day of silence means the tracker integration broke.
QUIET_AFTER = timedelta(hours=24)


def quiet_tracker_alerts(
    group: DatasetGroupOverview, latest_put: int | None, now: datetime
) -> list[Alert]:
    """A warning when a group with an event tracker got no PutEvents lately (``latest_put``:
    the newest streamed event's TIMESTAMP, epoch seconds, None if none arrived)."""
    if not group.event_trackers:
        return []
    latest = None if latest_put is None else datetime.fromtimestamp(latest_put, UTC)
    if latest is not None and now - latest < QUIET_AFTER:
        return []
    when = (
        _("the latest is {age} old").format(age=duration(now - latest))
        if latest
        else _("none ever arrived")
    )
    tracker = group.event_trackers[0]
    which = f"trackingId {tracker.tracking_id}" if tracker.tracking_id else tracker.name
    return [
        Alert(
            "warning",
            _(
                "No events through PutEvents for {group} in the last {quiet}: {when}. Check "
                "the shop's event tracker integration ({which})."
            ).format(group=group.group.name, quiet=duration(QUIET_AFTER), when=when, which=which),
            "data",
            group.group.arn,
            latest,
            "no_recent_events",
        )
    ]


def identical_list_alerts(
    group: DatasetGroupOverview,
    recent_users: Sequence[str],
    probe: Callable[[str, Sequence[str], str | None], Verdict],
) -> list[Alert]:
    """Errors for personalised campaigns whose recently active users (latest first; the
    first ``inspection.SAMPLE_USERS`` are asked, the Recommendations page's default sample) get
    the same items; the alert says which users were asked."""
    users = list(recent_users[:SAMPLE_USERS])
    if not users:
        return []
    recipes = {s.solution.arn: (s.solution.recipe_arn or "") for s in group.solutions}
    alerts = []
    for status in group.campaigns:
        campaign = status.campaign
        if campaign.status != "ACTIVE" or not personal_lists(recipes.get(status.solution_arn)):
            continue
        waiting = status.waiting_version
        verdict = probe(campaign.arn, users, version_label(waiting.arn) if waiting else None)
        if verdict.severity == "error":
            alerts.append(
                Alert(
                    "error",
                    _(
                        "Campaign {campaign}: {headline} Asked for its {n} most recently active "
                        "users, the sample the Recommendations page opens on."
                    ).format(campaign=campaign.name, headline=verdict.headline, n=len(users)),
                    "recommendations",
                    campaign.arn,
                    kind="identical_recommendations",
                )
            )
    return alerts


def probe_campaign(
    service: PersonalizeService,
) -> Callable[[str, Sequence[str], str | None], Verdict]:
    """A probe that asks a campaign for each user's top N and judges the overlap; its third
    argument is the newer version the campaign does not serve yet (``assess``'s
    ``newer_version``)."""

    def probe(campaign_arn: str, users: Sequence[str], newer: str | None) -> Verdict:
        results = recommend_for_users(service, campaign_arn, users, num_results=SAMPLE_TOP_N)
        return assess(results, top_n=SAMPLE_TOP_N, newer_version=newer)

    return probe


def data_alerts(
    group: DatasetGroupOverview,
    summary: InteractionSummary,
    service: PersonalizeService,
    now: datetime,
) -> list[Alert]:
    """Every data-based alert of one dataset group, from its interactions' summary."""
    return [
        *data_minimum_alerts(group, summary.counts),
        *quiet_tracker_alerts(group, summary.latest_put, now),
        *identical_list_alerts(group, summary.recent_users, probe_campaign(service)),
    ]
