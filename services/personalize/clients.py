"""The three boto3 clients every other module uses, for AWS or for the local engine."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.parsers import ResponseParserError

from services.config import LOCAL_REGION, Settings
from services.personalize.session import aws_client, aws_session

SERVICES = ("personalize", "personalize-runtime", "personalize-events")


@dataclass(frozen=True)
class Clients:
    """boto3 clients for the control plane, the runtime and event ingestion."""

    personalize: Any
    runtime: Any
    events: Any


def refuse_unreadable_bodies(client: Any) -> Any:
    """Make a 2xx answer whose body is not JSON raise ``ResponseParserError``.

    botocore parses such a body (a proxy's HTML page, a body cut off mid-way) as an empty
    answer, so a List would silently say "nothing there". Every Personalize answer is JSON
    (awsJson1.1 and restJson1) or empty.
    """

    def check(response_dict: dict[str, Any], **_: Any) -> None:
        body = response_dict.get("body") or b""
        if response_dict.get("status_code", 0) >= 300 or not body.strip():
            return
        try:
            json.loads(body)
        except ValueError as err:
            raise ResponseParserError(f"the body is not JSON: {body[:60]!r}") from err

    client.meta.events.register("before-parse", check)
    return client


def build_clients(settings: Settings) -> Clients:
    """Build the three clients described by ``settings``.

    Local mode attaches the in-process engine through botocore ``before-send`` hooks, so no
    socket is opened; with ``endpoint_url`` all three go to an HTTP endpoint (``make serve``);
    AWS mode uses the profile or the normal credential chain (or a role assumed with them,
    ``services.personalize.session``) with standard retries, and ``endpoint_url`` when one is set.

    Raises:
        AwsSetupError: AWS mode with a profile that does not exist or cannot be used (and, from
            any later call, credentials missing, expired or refused, or no network).
    """
    if settings.backend == "aws":
        session = aws_session(settings)  # clients with ``CLIENT_CONFIG``'s retries and timeouts
        return Clients(
            *(
                refuse_unreadable_bodies(
                    aws_client(settings, name, session=session, endpoint_url=settings.endpoint_url)
                )
                for name in SERVICES
            )
        )

    # An engine on loopback accepts any credentials; fixed dummy ones keep boto3 from
    # searching the credential chain (and from ever signing with a real AWS key). An engine
    # served elsewhere checks its own key, which the settings carry.
    session = boto3.Session(
        aws_access_key_id=settings.engine_access_key_id or "local",
        aws_secret_access_key=settings.engine_secret_access_key or "local",
        region_name=settings.region or LOCAL_REGION,
    )
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    if settings.endpoint_url:
        return Clients(
            *(
                refuse_unreadable_bodies(
                    session.client(name, endpoint_url=settings.endpoint_url, config=config)
                )
                for name in SERVICES
            )
        )

    from services.local.engine import get_engine  # the engine is only loaded when used
    from services.local.wire.protocol import attach

    engine = get_engine(settings)
    clients = Clients(
        *(refuse_unreadable_bodies(session.client(name, config=config)) for name in SERVICES)
    )
    for client in (clients.personalize, clients.runtime, clients.events):
        attach(client, engine)
    return clients
