"""The demo shop seeded once per test run (``seed_demo``, about a minute on two busy cores),
shared by tests/local/test_demo.py and tests/dashboard/test_demo_view.py, which each work on
their own copy of it.

While seeding, the demo's runtime and events clients log what they sent and got back
(``DemoLog``): the offline-vs-online check counts from that log, not from the engine's tables.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from services.config import Settings
from services.db import dispose_engines
from services.demo import shop
from services.demo.shop import seed_demo
from services.local.engine import reset_engines
from services.personalize.clients import Clients, build_clients


@dataclass
class DemoLog:
    """What the demo's own clients sent and got back while seeding: per recommendationId the
    campaign asked and how many items it listed; every PutEvents event, with ``_arrived``:
    the (before, after) epoch seconds of its PutEvents call."""

    served: dict[str, tuple[str, int]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)


class _Recording:
    """A boto3 client that logs GetRecommendations answers and PutEvents requests."""

    def __init__(self, client: Any, log: DemoLog) -> None:
        self._client, self._log = client, log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def get_recommendations(self, **params: Any) -> dict[str, Any]:
        resp = self._client.get_recommendations(**params)
        source = params.get("campaignArn") or params["recommenderArn"]
        self._log.served[resp["recommendationId"]] = (source, len(resp["itemList"]))
        return resp

    def put_events(self, **params: Any) -> dict[str, Any]:
        before = time.time()
        resp = self._client.put_events(**params)
        after = time.time()
        # when the call was made: CloudWatch takes events less than 14 days old on arrival
        self._log.events.extend({**e, "_arrived": (before, after)} for e in params["eventList"])
        return resp


def recording(log: DemoLog) -> Any:
    """``build_clients`` whose runtime and events clients log into ``log``."""

    def build(settings: Settings) -> Clients:
        c = build_clients(settings)
        return Clients(c.personalize, _Recording(c.runtime, log), _Recording(c.events, log))

    return build


@dataclass(frozen=True)
class DemoSeed:
    """One ``seed_demo`` run: its data directory (a template: use ``copy``), exit code, output
    (stdout and stderr), duration and the clients' log."""

    template: Path
    exit_code: int
    output: str
    seconds: float
    log: DemoLog

    def copy(self, data_dir: Path) -> Settings:
        """A private copy of the seeded data directory at ``data_dir``; its settings."""
        shutil.copytree(self.template, data_dir)
        return Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")


def seed_once(root: Path) -> DemoSeed:
    """Seed the demo into ``root / "data"`` with recording clients; close every engine after."""
    settings = Settings(data_dir=root / "data", lifecycle_seconds=0.0, worker_mode="thread")
    log = DemoLog()
    out = io.StringIO()
    started = time.monotonic()
    with (
        pytest.MonkeyPatch.context() as mp,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(out),
    ):
        mp.setattr(shop, "build_clients", recording(log))
        code = seed_demo(settings)
    seconds = time.monotonic() - started
    reset_engines()
    dispose_engines()  # the WAL is folded into the file before anyone copies it
    return DemoSeed(settings.data_dir, code, out.getvalue(), seconds, log)
