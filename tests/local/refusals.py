"""A small trained world reachable two ways, and a check that a refused request changed nothing.

``world`` builds one dataset group with a trained popularity version, a campaign and an event
tracker, then starts ``python -m services.local serve`` on the same data directory, so every
request can be sent in-process (botocore's before-send hook) and over HTTP (a real socket on
127.0.0.1) against the same state. ``refused`` sends a request, checks the error code, the
HTTP status and a word of the message, and compares a digest of every stored table before and
after.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sqlalchemy import func, select

from services.config import Settings
from services.local.data.storage import tables as t
from services.local.engine import LocalEngine, get_engine, reset_engines
from services.personalize.clients import Clients, build_clients
from tests.local.server import EngineServer
from tests.local.workspace import create_group, train

REGION_ACCOUNT = "arn:aws:personalize:us-east-1:000000000000"
TRANSPORTS = ("in-process", "http")


@dataclass
class World:
    """The world's resources; ``clients`` are the transport a test case uses."""

    clients: Clients
    engine: LocalEngine
    data_dir: Path
    ws: dict[str, str]
    solution: str
    version: str
    campaign: str
    tracking_id: str
    http: Clients
    endpoint: str

    def over(self, transport: str) -> World:
        """The same world, reached in-process or over HTTP."""
        if transport == "http":
            return dataclasses.replace(self, clients=self.http)
        return self


@contextmanager
def serve_world(data_dir: Path, *, with_items: bool = False) -> Iterator[World]:
    """Build the world in ``data_dir`` and serve it over HTTP too (the ``world`` fixture);
    ``with_items`` adds an Items dataset (categories cat0-cat2)."""
    settings = Settings(data_dir=data_dir, lifecycle_seconds=0.0, worker_mode="thread")
    clients = build_clients(settings)
    ws = create_group(clients, data_dir, with_items=with_items)
    solution, version = train(clients, ws["group"], "pop", "aws-popularity-count")
    p = clients.personalize
    campaign = p.create_campaign(name="c", solutionVersionArn=version)["campaignArn"]
    tracker = p.create_event_tracker(name="tr", datasetGroupArn=ws["group"])
    server = EngineServer(
        data_dir, PERSONALIZE_LOCAL_LIFECYCLE_SECONDS="0", PERSONALIZE_LOCAL_WORKER="thread"
    ).start()
    http = build_clients(Settings(endpoint_url=server.url, data_dir=data_dir))
    try:
        yield World(
            clients,
            get_engine(settings),
            data_dir,
            ws,
            solution,
            version,
            campaign,
            tracker["trackingId"],
            http,
            server.url,
        )
    finally:
        server.stop()
        reset_engines()


def post_raw(
    world: World, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    """POST ``body`` to the world's HTTP endpoint at ``path`` as a client that skips boto3's
    own checks would; returns the HTTP status and the JSON answer."""
    request = urllib.request.Request(
        world.endpoint + path, data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def snapshot(engine: LocalEngine, *, ignore_import_jobs: bool = False) -> str:
    """A digest of everything the engine stores (import jobs optionally left out)."""
    parts: list[Any] = []
    with engine.db.connect() as conn:
        query = select(t.resources.c.arn, t.resources.c.doc).order_by(t.resources.c.arn)
        if ignore_import_jobs:
            query = query.where(t.resources.c.kind != "dataset-import-job")
        parts.append([(r.arn, r.doc) for r in conn.execute(query)])
        for table in (t.interactions, t.items, t.users):
            parts.append(conn.execute(select(func.count()).select_from(table)).scalar_one())
        parts.append(
            [tuple(r) for r in conn.execute(select(t.bulk_files).order_by(t.bulk_files.c.id))]
        )
        parts.append(conn.execute(select(func.max(t.interactions.c.id))).scalar_one())
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def refused(
    world: World, code: str, call: Callable[[], Any], needle: str, status: int = 400
) -> str:
    """Run ``call``; it must fail with error ``code`` and HTTP ``status``, name ``needle`` in
    its message, and leave the stored state as it was. Returns the message."""
    before = snapshot(world.engine)
    with pytest.raises(ClientError) as info:
        call()
    error = info.value.response["Error"]
    assert error["Code"] == code, error
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    # A modelled error arrives as its own class (client.exceptions.<Code>).
    modelled = [
        getattr(c.exceptions, code)
        for c in (world.clients.personalize, world.clients.runtime, world.clients.events)
        if hasattr(c.exceptions, code)
    ]
    if modelled:
        assert isinstance(info.value, tuple(modelled))
    assert needle.lower() in error["Message"].lower(), error["Message"]
    assert snapshot(world.engine) == before
    return error["Message"]


def refused_solution(
    world: World, name: str, recipe: str, solution_config: dict[str, Any], needle: str
) -> str:
    """CreateSolution in the world's group with ``solution_config`` must be refused with
    InvalidInputException naming ``needle``, nothing stored (``refused``)."""
    p = world.clients.personalize
    return refused(
        world,
        "InvalidInputException",
        lambda: p.create_solution(
            name=name,
            datasetGroupArn=world.ws["group"],
            recipeArn=f"arn:aws:personalize:::recipe/{recipe}",
            solutionConfig=solution_config,
        ),
        needle,
    )
