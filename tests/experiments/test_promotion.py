"""Promoting a winner against Personalize (AWS mode, botocore Stubber with answers shaped from
the real service model): the loser's campaign is updated to the winner's version, nothing is
updated when any campaign is busy, and a recommender winner updates nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.experiments.promotion import promote
from services.experiments.records import (
    PROMOTED,
    RUNNING,
    Arm,
    Experiment,
    ExperimentRefused,
    ExperimentStore,
)
from services.personalize.facade import PersonalizeService
from tests.aws.conftest import AwsStubs

PREFIX = "arn:aws:personalize:eu-west-1:123456789012:"
CAMPAIGN_A, CAMPAIGN_B = f"{PREFIX}campaign/home-a", f"{PREFIX}campaign/home-b"
VERSION_A = f"{PREFIX}solution/up/11111111"
VERSION_B = f"{PREFIX}solution/up-v2/22222222"
RECOMMENDER = f"{PREFIX}recommender/best-sellers"


@dataclass(frozen=True)
class _Clients:
    personalize: Any
    runtime: Any = None
    events: Any = None


@pytest.fixture
def aws() -> Iterator[tuple[PersonalizeService, AwsStubs]]:
    stubs = AwsStubs()
    yield PersonalizeService(_Clients(stubs.client("personalize"))), stubs
    stubs.close()  # every queued answer was asked for


@pytest.fixture
def store(tmp_path: Path) -> ExperimentStore:
    return ExperimentStore(f"sqlite:///{tmp_path / 'store.db'}")


def _experiment(store: ExperimentStore, b_target: str = CAMPAIGN_B) -> Experiment:
    return store.start(
        "home-ab",
        f"{PREFIX}dataset-group/shop",
        [Arm("A", 5_000, CAMPAIGN_A), Arm("B", 5_000, b_target)],
        actor="kim",
        click_event="View",
        conversion_event="Purchase",
        started=datetime(2026, 12, 1, tzinfo=UTC),
    )


def _campaign(
    stubs: AwsStubs, arn: str, version: str, update: dict[str, Any] | None = None
) -> None:
    doc: dict[str, Any] = {
        "campaignArn": arn,
        "name": arn.rsplit("/", 1)[-1],
        "solutionVersionArn": version,
        "status": "ACTIVE",
    }
    if update is not None:
        doc["latestCampaignUpdate"] = update
    stubs.respond("personalize", "describe_campaign", {"campaign": doc}, {"campaignArn": arn})


def _b_serves_its_version_and_a(stubs: AwsStubs, a_update: dict[str, Any] | None) -> None:
    """Queue Describe answers: B's campaign serves VERSION_B, A's VERSION_A (with its last
    update ``a_update``)."""
    _campaign(stubs, CAMPAIGN_B, VERSION_B)
    _campaign(stubs, CAMPAIGN_A, VERSION_A, a_update)


def test_the_losers_campaign_is_updated_to_the_winners_version(
    aws: tuple[PersonalizeService, AwsStubs], store: ExperimentStore
) -> None:
    service, stubs = aws
    experiment = _experiment(store)
    _b_serves_its_version_and_a(stubs, None)
    stubs.respond(
        "personalize",
        "update_campaign",
        {"campaignArn": CAMPAIGN_A},
        {"campaignArn": CAMPAIGN_A, "solutionVersionArn": VERSION_B},
    )
    done = promote(service, store, experiment, "B")
    assert (done.version, done.updated, done.redirect) == (VERSION_B, (CAMPAIGN_A,), ())
    assert (done.experiment.status, done.experiment.winner) == (PROMOTED, "B")


def test_a_busy_campaign_stops_the_promotion_before_anything_changes(
    aws: tuple[PersonalizeService, AwsStubs], store: ExperimentStore
) -> None:
    service, stubs = aws
    experiment = _experiment(store)
    _b_serves_its_version_and_a(
        stubs, {"solutionVersionArn": VERSION_A, "status": "CREATE IN_PROGRESS"}
    )
    with pytest.raises(ExperimentRefused, match="being updated already"):
        promote(service, store, experiment, "B")  # no UpdateCampaign is queued: none is sent
    assert store.get(experiment.id).status == RUNNING


def test_a_recommender_winner_updates_nothing_and_names_the_arm_to_redirect(
    aws: tuple[PersonalizeService, AwsStubs], store: ExperimentStore
) -> None:
    service, _stubs = aws
    experiment = _experiment(store, RECOMMENDER)
    done = promote(service, store, experiment, "B")
    assert (done.version, done.updated, done.redirect) == (None, (), ("A",))
    assert store.get(experiment.id).winner == "B"
    with pytest.raises(ExperimentRefused, match="is promoted"):
        promote(service, store, store.get(experiment.id), "A")


def test_an_unknown_winner_is_refused(
    aws: tuple[PersonalizeService, AwsStubs], store: ExperimentStore
) -> None:
    service, _stubs = aws
    with pytest.raises(ExperimentRefused, match="has no arm C"):
        promote(service, store, _experiment(store), "C")
