"""Fixtures for engine tests: a fresh engine per test, reached through real boto3 clients."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from services.config import Settings
from services.local.engine import reset_engines
from services.personalize.clients import Clients, build_clients
from tests.local.refusals import World, serve_world


@pytest.fixture(scope="session")
def compile_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One JAX compilation cache (``TrainingConfig.cache_dir``) for the whole pytest run,
    shared by its xdist workers, which compile the same small v2 networks: what one worker
    compiled the other loads. A temporary directory of this run, never the source tree."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "compile-cache"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for an engine in tmp_path: no waiting lifecycles, training in a thread."""
    return Settings(data_dir=tmp_path / "data", lifecycle_seconds=0.0, worker_mode="thread")


@pytest.fixture
def shared_settings(tmp_path: Path, db_url: Callable[[str], str]) -> Iterator[Settings]:
    """``settings`` with the engine's store on SQLite, then on PostgreSQL (``db_url``): the
    suites a shared deployment depends on run on both."""
    yield Settings(
        data_dir=tmp_path / "data",
        lifecycle_seconds=0.0,
        worker_mode="thread",
        engine_db_url=db_url("engine"),
    )
    reset_engines()


@pytest.fixture
def clients(settings: Settings) -> Iterator[Clients]:
    """boto3 clients answered in-process by the engine."""
    yield build_clients(settings)
    reset_engines()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A trained dataset group reachable in-process and over HTTP (tests/local/refusals.py)."""
    with serve_world(tmp_path_factory.mktemp("refusals") / "data") as built:
        yield built
