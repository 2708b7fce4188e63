"""Faults injected at the boto3 boundary of the clients the dashboard builds.

``FaultyClients`` replaces ``dashboard.deps.build_clients`` by a function that builds the real
AWS-mode clients (``services.personalize.clients.build_clients``: standard retries, the normal
credential
chain) and registers, first on each client's ``before-send`` event, a handler that answers
the requests a fault chooses (an exception, as botocore raises for a dead network; or an
AWS-shaped error or malformed response). Requests no fault takes go to the local engine,
attached to the same clients as in local mode, so the rest of the page has real data.
Nothing reaches a network: a request that nothing answers would fail the test.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.retries.standard import ExponentialBackoff

from services.config import Settings
from services.costs.cloudwatch import CloudWatchRequests
from services.datasets import snapshot as dataset_snapshot
from services.datasets.snapshot import LocalObjects
from services.personalize.account import Account, describe_account
from services.personalize.clients import Clients, build_clients
from services.personalize.session import aws_session

# (service, operation, parsed JSON body) → None to let the engine answer, else an exception
# to raise or an AWSResponse to return.
Fault = Callable[[str, str, dict[str, Any], Any], "AWSResponse | Exception | None"]


_CALLER_IDENTITY = b"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:sts::000000000000:assumed-role/Ops/s</Arn>
<UserId>AROAEXAMPLE:s</UserId><Account>000000000000</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>fault-sts</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"""


class _Raw(io.BytesIO):
    """What AWSResponse reads a body from (``raw.stream()``)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def response(request: Any, status: int, body: bytes | dict[str, Any]) -> AWSResponse:
    """An HTTP response to ``request`` with a JSON (or raw) body."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"x-amzn-RequestId": "fault-1", "Content-Type": "application/x-amz-json-1.1"}
    return AWSResponse(request.url, status, headers, _Raw(raw))


def error(request: Any, status: int, code: str, message: str) -> AWSResponse:
    """An AWS-shaped error (awsJson1.1 ``__type``; restJson1 also reads the header)."""
    resp = response(request, status, {"__type": code, "message": message})
    resp.headers["x-amzn-ErrorType"] = f"{code}:"
    return resp


def operation_of(request: Any) -> str:
    """The operation a request calls: X-Amz-Target (awsJson1.1) or the REST path."""
    target = request.headers.get("X-Amz-Target")
    if target:
        return (target.decode() if isinstance(target, bytes) else target).rsplit(".", 1)[-1]
    path = request.url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    return {
        "recommendations": "GetRecommendations",
        "personalize-ranking": "GetPersonalizedRanking",
        "events": "PutEvents",
        "items": "PutItems",
        "users": "PutUsers",
    }.get(path, path)


@dataclass
class FaultyClients:
    """Build the dashboard's clients with ``fault`` in front of the local engine."""

    settings: Settings
    fault: Fault
    calls: list[str] = field(default_factory=list)  # every operation attempted, retries too

    def build(self, _settings: Settings) -> Clients:
        from services.local.engine import get_engine
        from services.local.wire.protocol import attach

        clients = build_clients(self.settings)
        engine = get_engine(Settings.from_env({**_local_env(self.settings)}))
        for client in (clients.personalize, clients.runtime, clients.events):
            attach(client, engine)
            service = client.meta.service_model.service_name
            client.meta.events.register_first("before-send", self._handler(service))
        return clients

    def account(self, settings: Settings) -> Account:
        """The sidebar's account, asked of an STS client the fault applies to; an answer the
        fault lets through is STS's (query protocol, XML)."""
        sts = aws_session(settings).client("sts")

        def handler(request: Any, **_: Any) -> AWSResponse:
            self.calls.append("GetCallerIdentity")
            outcome = self.fault("sts", "GetCallerIdentity", {}, request)
            if isinstance(outcome, Exception):
                raise outcome
            return AWSResponse(request.url, 200, {}, _Raw(_CALLER_IDENTITY))

        sts.meta.events.register_first("before-send", handler)
        return describe_account(settings, sts)

    def cost_source(self, settings: Settings) -> CloudWatchRequests:
        """Campaign traffic from a CloudWatch client the fault applies to; an answer the fault
        lets through is an empty GetMetricData result (no traffic)."""
        cloudwatch = aws_session(settings).client("cloudwatch")

        def handler(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
            self.calls.append("GetMetricData")
            request = SimpleNamespace(url="https://monitoring.us-east-1.amazonaws.com/")
            outcome = self.fault("cloudwatch", "GetMetricData", {}, request)
            if isinstance(outcome, Exception):
                raise outcome
            return AWSResponse(request.url, 200, {}, _Raw(b"")), {"MetricDataResults": []}

        # before-call answers without serialising: CloudWatch speaks CBOR, not worth faking.
        cloudwatch.meta.events.register_first("before-call.cloudwatch.GetMetricData", handler)
        return CloudWatchRequests(cloudwatch)

    def _handler(self, service: str) -> Callable[..., AWSResponse | None]:
        def handler(request: Any, **_: Any) -> AWSResponse | None:
            operation = operation_of(request)
            self.calls.append(operation)
            body = request.body or b"{}"
            try:
                params = json.loads(body) if body else {}
            except ValueError:
                params = {}
            outcome = self.fault(service, operation, params, request)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

        return handler


def _local_env(settings: Settings) -> dict[str, str]:
    return {
        "PERSONALIZE_BACKEND": "local",
        "PERSONALIZE_DATA_DIR": str(settings.data_dir),
        "PERSONALIZE_LOCAL_LIFECYCLE_SECONDS": "0",
        "PERSONALIZE_LOCAL_WORKER": "thread",
    }


def use_aws_backend(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fault: Fault, *, credentials: bool = True
) -> FaultyClients:
    """Switch the dashboard to the AWS backend with ``fault`` injected; retries keep their
    count but not their sleeps, so a cell runs in well under a second."""
    home = tmp_path / "aws-home"
    home.mkdir(exist_ok=True)
    # No developer file can supply credentials or a profile.
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "config"))
    monkeypatch.setenv("PERSONALIZE_BACKEND", "aws")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("PERSONALIZE_EXPORT_BUCKET", "faults-bucket")
    monkeypatch.setenv("PERSONALIZE_ROLE_ARN", "arn:aws:iam::000000000000:role/Faults")
    if credentials:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    settings = Settings.from_env()
    # Exports are read where the engine writes them (its S3 stand-in), not through an S3 client.
    local_s3 = LocalObjects(settings.data_dir / "s3")
    monkeypatch.setattr(dataset_snapshot, "object_store", lambda *_a, **_k: local_s3)
    faulty = FaultyClients(settings, fault)
    monkeypatch.setattr("dashboard.deps.build_clients", faulty.build)
    monkeypatch.setattr("dashboard.reads.workspace.current_account", faulty.account)
    monkeypatch.setattr("dashboard.reads.costs.request_source", faulty.cost_source)
    monkeypatch.setattr("dashboard.reads.online.request_source", faulty.cost_source)
    return faulty
