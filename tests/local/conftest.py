"""Fixtures for engine tests: a fresh engine per test, reached through real boto3 clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.clients import Clients, build_clients
from services.config import Settings
from services.local.engine import reset_engines


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for an engine in tmp_path: no waiting lifecycles, training in a thread."""
    return Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread")


@pytest.fixture
def clients(settings: Settings) -> Iterator[Clients]:
    """boto3 clients answered in-process by the engine."""
    yield build_clients(settings)
    reset_engines()
