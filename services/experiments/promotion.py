"""Promote an experiment's winner: every arm's traffic then gets what the winner served.

For arms that are campaigns, every other arm's campaign is updated (UpdateCampaign,
https://docs.aws.amazon.com/personalize/latest/APIReference/API_UpdateCampaign.html) to the
solution version the winner's campaign serves, so users get the winner whichever arm the shop
still sends them to; each old version keeps serving until its update is ACTIVE, as
Personalize does. A recommender's recipe cannot be changed, so a recommender arm is not
updated: the shop sends everybody to the winner's recommender (the page says so). The
experiment is then marked promoted, with its winner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from services.experiments.records import Experiment, ExperimentRefused, ExperimentStore
from services.personalize.models import Campaign


class CampaignCalls(Protocol):
    def describe_campaign(self, arn: str) -> Campaign: ...

    def update_campaign(
        self, campaign_arn: str, version_arn: str, min_provisioned_tps: int | None = None
    ) -> str: ...


@dataclass(frozen=True)
class Promotion:
    """What promoting did: the experiment as stored now, the campaigns updated to
    ``version`` (the winner's; None for a recommender winner), and the arms whose
    campaign or recommender the shop must now stop sending traffic to (``redirect``)."""

    experiment: Experiment
    version: str | None
    updated: tuple[str, ...]
    redirect: tuple[str, ...]


def is_campaign(arn: str) -> bool:
    """A campaign ARN (``arn:aws:personalize:…:campaign/name``), not a recommender's."""
    return ":campaign/" in arn


def promote(
    service: CampaignCalls, store: ExperimentStore, experiment: Experiment, winner: str
) -> Promotion:
    """Give every arm the winner's model where Personalize allows it, then end the
    experiment as promoted.

    Every campaign is described before any is updated, so a campaign that is gone or still
    being updated stops the promotion before anything changes.

    Raises:
        ExperimentRefused: the experiment is not running or ``winner`` is no arm of it, or a
            loser's campaign is being updated already.
        ServiceError: Personalize refused a describe or an update (the message names it).
    """
    if experiment.status != "running":
        raise ExperimentRefused(f"Experiment {experiment.name} is {experiment.status}.")
    try:
        arm = experiment.arm(winner)
    except KeyError:
        raise ExperimentRefused(f"Experiment {experiment.name} has no arm {winner}.") from None
    version = None
    to_update: list[str] = []
    redirect: list[str] = []
    if is_campaign(arm.target):
        version = service.describe_campaign(arm.target).solution_version_arn
        if not version:
            raise ExperimentRefused(f"The winner's campaign {arm.target} serves no version yet.")
    for other in experiment.arms:
        if other.name == winner:
            continue
        if version is None or not is_campaign(other.target):
            redirect.append(other.name)
            continue
        campaign = service.describe_campaign(other.target)
        if campaign.pending_update is not None and campaign.pending_update.in_progress:
            raise ExperimentRefused(
                f"Campaign {campaign.name} (arm {other.name}) is being updated already: "
                "promote once that update has finished."
            )
        if campaign.solution_version_arn != version:
            to_update.append(other.target)
    for target in to_update:
        assert version is not None
        service.update_campaign(target, version)
    stored = store.stop(experiment.id, winner=winner)
    return Promotion(stored, version, tuple(to_update), tuple(redirect))
