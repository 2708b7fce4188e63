"""Fixtures for the services tests: boto3 clients behind botocore Stubbers, never the network."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from services.config import Settings
from services.db import dispose_engines
from services.local.engine import reset_engines
from services.personalize.facade import PersonalizeService


@dataclass(frozen=True)
class FakeClients:
    personalize: Any
    runtime: Any
    events: Any


@dataclass(frozen=True)
class Stubs:
    personalize: Stubber
    runtime: Stubber
    events: Stubber


@pytest.fixture(autouse=True)
def _no_aws_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def clients() -> FakeClients:
    session = boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    config = Config(retries={"total_max_attempts": 1})
    return FakeClients(
        session.client("personalize", config=config),
        session.client("personalize-runtime", config=config),
        session.client("personalize-events", config=config),
    )


@pytest.fixture
def make_stubber() -> Iterator[Callable[[Any], Stubber]]:
    """Activate a Stubber on a client; at teardown, every queued response must have been used."""
    stubbers: list[Stubber] = []

    def make(client: Any) -> Stubber:
        stubber = Stubber(client)
        stubber.activate()
        stubbers.append(stubber)
        return stubber

    yield make
    for stubber in stubbers:
        stubber.deactivate()
    for stubber in stubbers:
        stubber.assert_no_pending_responses()


@pytest.fixture
def stubs(clients: FakeClients, make_stubber: Callable[[Any], Stubber]) -> Stubs:
    return Stubs(
        make_stubber(clients.personalize),
        make_stubber(clients.runtime),
        make_stubber(clients.events),
    )


@pytest.fixture
def service(clients: FakeClients, stubs: Stubs) -> PersonalizeService:
    return PersonalizeService(clients)


@pytest.fixture
def fresh_engines() -> Iterator[None]:
    """Forget cached SQLAlchemy engines after the test (each test has its own database)."""
    yield
    dispose_engines()


@pytest.fixture
def engine_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings of a local engine in a fresh data directory (engines closed afterwards)."""
    yield Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread")
    reset_engines()
    dispose_engines()
