"""The engine counts its runtime calls per campaign and 5-minute window, like CloudWatch."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.local.runtime.usage import FLUSH_SECONDS, RequestCounter, read_counts

A = "arn:aws:personalize:us-east-1:000000000000:campaign/a"
B = "arn:aws:personalize:us-east-1:000000000000:campaign/b"
T0 = 1_700_000_000.0  # 1_700_000_000 // 300 * 300 = 1_699_999_800; +300 s → 1_700_000_100


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@pytest.fixture
def db(tmp_path: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{tmp_path / 'engine.db'}")


def test_counts_per_campaign_and_window(db: sa.Engine) -> None:
    now = [T0]
    counter = RequestCounter(db, lambda: now[0])
    for _ in range(3):
        counter.record("GetRecommendations", {"campaignArn": A})
    counter.record("GetPersonalizedRanking", {"campaignArn": B})
    counter.record("DescribeCampaign", {"campaignArn": A})  # not a runtime call
    now[0] = T0 + 300  # the next window
    counter.record("GetRecommendations", {"campaignArn": A})
    counter.flush()
    counts = read_counts(db, [A, B, "never-called"], at(T0 - 3600), at(T0 + 3600))
    assert counts == {
        A: [(at(1_699_999_800), 3), (at(1_700_000_100), 1)],
        B: [(at(1_699_999_800), 1)],
        "never-called": [],
    }
    # [start, end) excludes the later window
    assert read_counts(db, [A], at(T0 - 3600), at(1_700_000_100))[A] == [(at(1_699_999_800), 3)]


def test_a_recommenders_requests_are_counted_under_its_arn(db: sa.Engine) -> None:
    rec = "arn:aws:personalize:us-east-1:000000000000:recommender/best-sellers"
    counter = RequestCounter(db, lambda: T0)
    counter.record("GetRecommendations", {"recommenderArn": rec, "userId": "u"})
    counter.record("GetRecommendations", {"recommenderArn": rec, "userId": "v"})
    counter.flush()
    assert read_counts(db, [rec], at(T0 - 600), at(T0 + 600))[rec] == [(at(1_699_999_800), 2)]


def test_tallies_are_flushed_every_30_seconds_and_add_up_across_processes(db: sa.Engine) -> None:
    now = [T0]
    first, second = RequestCounter(db, lambda: now[0]), RequestCounter(db, lambda: now[0])
    first.record("GetRecommendations", {"campaignArn": A})
    second.record("GetRecommendations", {"campaignArn": A})
    assert read_counts(db, [A], at(0), at(T0 + 60))[A] == []  # still in memory
    now[0] = T0 + FLUSH_SECONDS
    first.record("GetRecommendations", {"campaignArn": A})  # due: flushes 2
    second.record("GetRecommendations", {"campaignArn": A})  # due: flushes 2 more
    assert read_counts(db, [A], at(0), at(T0 + 60))[A] == [(at(1_699_999_800), 4)]


def test_an_idle_tally_is_saved_by_a_timer_without_a_later_request(db: sa.Engine) -> None:
    counter = RequestCounter(db, lambda: T0, idle_flush_seconds=0.05)
    counter.record("GetRecommendations", {"campaignArn": A})
    counter.record("GetRecommendations", {"campaignArn": A})
    deadline = time.monotonic() + 10
    while not read_counts(db, [A], at(0), at(T0 + 60))[A] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert read_counts(db, [A], at(0), at(T0 + 60))[A] == [(at(1_699_999_800), 2)]


def test_a_short_lived_process_saves_its_tally_when_it_exits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'engine.db'}"
    script = (
        "import sqlalchemy as sa\n"
        "from services.local.runtime.usage import RequestCounter\n"
        f"counter = RequestCounter(sa.create_engine({url!r}), lambda: {T0})\n"
        "for _ in range(3):\n"
        f"    counter.record('GetRecommendations', {{'campaignArn': {A!r}}})\n"
    )  # exits without close() or a flush, as a CLI that made three calls would
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    db = sa.create_engine(url)
    assert read_counts(db, [A], at(0), at(T0 + 60))[A] == [(at(1_699_999_800), 3)]


def test_runtime_calls_through_boto3_are_counted(clients, settings) -> None:
    from services.costs.source import request_source
    from tests.local.workspace import create_group, train

    ws = create_group(clients, settings.data_dir)
    _, version = train(clients, ws["group"], "pop", "aws-popularity-count")
    p = clients.personalize
    arn = p.create_campaign(name="pop-campaign", solutionVersionArn=version)["campaignArn"]
    for user in ("u1", "u2", "u3"):
        clients.runtime.get_recommendations(campaignArn=arn, userId=user)
    with pytest.raises(clients.runtime.exceptions.InvalidInputException):
        clients.runtime.get_recommendations(campaignArn=arn, userId="u1", numResults=0)
    counts = request_source(settings).requests([arn], at(0), datetime.now(UTC).replace(year=2100))
    assert sum(n for _, n in counts[arn]) == 3  # failed calls are not counted
