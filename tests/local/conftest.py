"""Fixtures for engine tests: a fresh engine per test, reached through real boto3 clients."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.config import Settings
from services.local.engine import reset_engines
from services.personalize.clients import Clients, build_clients
from tests.local.refusals import World, serve_world
from tests.local.server import EngineServer
from tests.local.workspace import create_group, start_training, worker_pid

# Long enough that the training is still running whatever the test does to it meanwhile.
SLOW_TRAINING_SECONDS = 120


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


@dataclass
class ServedTraining:
    """An engine server (its own process, workers in processes) whose worker is training a
    popularity count, held CREATE IN_PROGRESS for ``SLOW_TRAINING_SECONDS``."""

    data_dir: Path
    server: EngineServer
    clients: Clients
    version: str  # the solution version's ARN
    worker: int  # the process ID of the worker training it

    def restart(self, *, min_training_seconds: float = SLOW_TRAINING_SECONDS) -> Clients:
        """Kill the server, as a crash would, and start another on the same data directory
        (its trainings held at least ``min_training_seconds``); returns clients of the new
        one, also kept in ``clients``."""
        self.server.kill()
        self.server.stop()
        self.server = _engine_server(self.data_dir, min_training_seconds)
        self.clients = build_clients(Settings(endpoint_url=self.server.url, data_dir=self.data_dir))
        return self.clients


def _engine_server(data_dir: Path, min_training_seconds: float) -> EngineServer:
    return EngineServer(
        data_dir,
        PERSONALIZE_LOCAL_LIFECYCLE_SECONDS="0",
        PERSONALIZE_LOCAL_WORKER="process",
        PERSONALIZE_LOCAL_MIN_TRAINING_SECONDS=str(min_training_seconds),
    ).start()


@pytest.fixture
def served_training(tmp_path: Path) -> Iterator[ServedTraining]:
    """``ServedTraining`` in ``tmp_path``; the server (the last one, after a ``restart``) is
    stopped afterwards."""
    data_dir = tmp_path / "data"
    server = _engine_server(data_dir, SLOW_TRAINING_SECONDS)
    running: ServedTraining | None = None
    try:
        clients = build_clients(Settings(endpoint_url=server.url, data_dir=data_dir))
        version = start_training(clients, create_group(clients, data_dir)["group"])
        running = ServedTraining(data_dir, server, clients, version, worker_pid(data_dir, version))
        yield running
    finally:
        (running.server if running is not None else server).stop()
