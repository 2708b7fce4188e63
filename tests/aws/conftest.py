"""AWS mode under botocore Stubbers: real boto3 clients, answers built from the service models."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from tests.aws import shapes


@cache
def _session() -> boto3.Session:
    # One session for the whole run: it caches the loaded service models, so a fresh client
    # per test costs milliseconds, not the model load.
    return boto3.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=shapes.REGION
    )


class AwsStubs:
    """One stubbed boto3 client per service; ``respond`` queues a model-shaped answer.

    The coverage test (test_coverage.py) counts an operation as tested when a test in this
    folder calls ``aws.respond("SERVICE", "METHOD", …)`` or ``aws.fail("SERVICE", "METHOD", …)``
    with literal names.
    """

    def __init__(self) -> None:
        self._session = _session()
        self._clients: dict[str, Any] = {}
        self._stubbers: dict[str, Stubber] = {}

    def plain_client(self, service: str) -> Any:
        """A client of ``service`` with no Stubber yet (botocore validates, nothing is sent
        once ``stub`` is called; before that a call would try the network)."""
        return self._session.client(service, config=Config(retries={"total_max_attempts": 1}))

    def stub(self, service: str, client: Any) -> Stubber:
        """Activate a Stubber on ``client`` and make it ``service``'s (checked at ``close``)."""
        stubber = Stubber(client)
        stubber.activate()
        self._clients[service], self._stubbers[service] = client, stubber
        return stubber

    def client(self, service: str) -> Any:
        """The stubbed client of ``service`` (created on first use)."""
        if service not in self._clients:
            self.stub(service, self.plain_client(service))
        return self._clients[service]

    def stubber(self, service: str) -> Stubber:
        """The activated Stubber of ``service``'s client, for tests that queue raw answers."""
        self.client(service)
        return self._stubbers[service]

    def respond(
        self,
        service: str,
        method: str,
        overrides: dict[str, Any] | None = None,
        expected_params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Queue the answer to the next ``method`` call; returns the answer queued.

        ``expected_params`` (when given) must equal the request exactly; the request is always
        validated against the model's input shape by botocore.
        """
        self.client(service)
        answer = shapes.response(service, method, overrides)
        self._stubbers[service].add_response(method, answer, expected_params)
        return answer

    def fail(
        self,
        service: str,
        method: str,
        code: str,
        status: int = 400,
        expected_params: dict[str, Any] | None = None,
    ) -> None:
        """Queue an AWS error (``code``, HTTP ``status``) as the answer to ``method``."""
        self.client(service)
        self._stubbers[service].add_client_error(
            method,
            service_error_code=code,
            service_message=f"{code} from the stub",
            http_status_code=status,
            expected_params=expected_params,
        )

    def close(self) -> None:
        for stubber in self._stubbers.values():
            stubber.deactivate()
        for stubber in self._stubbers.values():
            stubber.assert_no_pending_responses()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsStubs]:
    """Stubbed clients; at teardown every queued answer must have been used."""
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    stubs = AwsStubs()
    yield stubs
    stubs.close()


class Bundle:
    """The three Personalize clients of ``aws`` as ``services.personalize.clients.Clients`` offers
    them."""

    def __init__(self, aws: AwsStubs) -> None:
        self.personalize = aws.client("personalize")
        self.runtime = aws.client("personalize-runtime")
        self.events = aws.client("personalize-events")
