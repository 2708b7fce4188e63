"""Fixtures for the services tests: boto3 clients behind botocore Stubbers, never the network."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from services.config import Settings
from services.db import dispose_engines
from services.local.engine import reset_engines
from services.personalize.facade import PersonalizeService
from tests.aws.conftest import AwsStubs


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
def aws_stubs() -> Iterator[AwsStubs]:
    """The AWS tests' stubbed clients (tests/aws/conftest.py): one Stubber setup for both
    suites; at teardown every queued response must have been used."""
    stubs = AwsStubs()
    yield stubs
    stubs.close()


@pytest.fixture
def clients(aws_stubs: AwsStubs) -> FakeClients:
    return FakeClients(
        aws_stubs.plain_client("personalize"),
        aws_stubs.plain_client("personalize-runtime"),
        aws_stubs.plain_client("personalize-events"),
    )


@pytest.fixture
def stubs(aws_stubs: AwsStubs, clients: FakeClients) -> Stubs:
    return Stubs(
        aws_stubs.stub("personalize", clients.personalize),
        aws_stubs.stub("personalize-runtime", clients.runtime),
        aws_stubs.stub("personalize-events", clients.events),
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
