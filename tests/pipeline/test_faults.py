"""Faults at the boto3 boundary: a botocore ``before-call`` handler (the hook botocore's
Stubber uses) answers chosen operations with AWS-shaped errors before the request is sent, so
the engine never sees them; retries, stops and waits go through the facade's error mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from services.config import Settings
from services.local.engine import get_engine
from services.local.wire.protocol import attach
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.pipeline import FAILED, SUCCEEDED, Pipeline, RefreshOptions
from tests.aws.backoff import recorded_backoff
from tests.dashboard.faults import error
from tests.pipeline.conftest import Shop


def inject(shop: Shop, operation: str, code: str, status: int, times: int) -> list[int]:
    """Answer the next ``times`` calls of ``operation`` with an error; returns a call counter."""
    calls = [0]

    def handler(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        calls[0] += 1
        if calls[0] > times:
            return None  # let the request go to the engine
        parsed = {
            "Error": {"Code": code, "Message": f"injected {code}"},
            "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "fault"},
        }
        return AWSResponse("https://personalize", status, {}, None), parsed

    shop.clients.personalize.meta.events.register_first(
        f"before-call.personalize.{operation}", handler
    )
    return calls


def _run(shop: Shop, **options: Any) -> Any:
    group = shop.pipeline.resolve_group("shop")
    t = shop.pipeline.trigger(group, RefreshOptions(**options), actor="tester", trigger="test")
    assert t.owner
    shop.pipeline.execute(t.run_id, t.owner)
    return shop.runs.get(t.run_id)


def _throttled_sends(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, times: int
) -> tuple[Pipeline, list[str], list[float]]:
    """A pipeline over the AWS-mode clients ``build_clients`` makes (standard retries), answered
    by the shop's engine, whose first ``times`` CreateSolutionVersion sends are throttled."""
    home = tmp_path / "aws-home"
    home.mkdir()
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "config"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    delays = recorded_backoff(monkeypatch)
    clients = build_clients(Settings(backend="aws", region="us-east-1"))
    sends: list[str] = []

    def throttle(request: Any, **_: Any) -> AWSResponse | None:
        if request.headers.get("X-Amz-Target", b"").endswith(b".CreateSolutionVersion"):
            sends.append("CreateSolutionVersion")
            if len(sends) <= times:
                return error(request, 400, "ThrottlingException", "Rate exceeded")
        return None  # on to the engine

    engine = get_engine(shop.settings)
    for client in (clients.personalize, clients.runtime, clients.events):
        attach(client, engine)
    clients.personalize.meta.events.register_first("before-send", throttle)
    pipeline = Pipeline(
        PersonalizeService(clients), shop.runs, shop.settings, store=shop.store, poll_s=0.02
    )
    return pipeline, sends, delays


def _run_with(pipeline: Pipeline, **options: Any) -> Any:
    group = pipeline.resolve_group("shop")
    t = pipeline.trigger(group, RefreshOptions(**options), actor="tester", trigger="test")
    assert t.owner
    pipeline.execute(t.run_id, t.owner)
    return pipeline.runs.get(t.run_id)


def test_throttling_is_retried_by_botocore_once(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pipeline, sends, delays = _throttled_sends(shop, monkeypatch, tmp_path, times=3)
    run = _run_with(pipeline, tolerance_pct=100)
    assert run.status == SUCCEEDED, run.reason
    assert len(sends) == 4  # three throttled, the fourth went through
    # botocore's standard mode: a random share of 2^attempt seconds, capped at 20 s
    assert len(delays) == 3 and all(0 <= d <= 2 ** (i + 1) for i, d in enumerate(delays))


def test_throttling_past_botocores_retries_fails_the_run_after_six_sends(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pipeline, sends, _ = _throttled_sends(shop, monkeypatch, tmp_path, times=99)
    run = _run_with(pipeline, tolerance_pct=100)
    assert run.status == FAILED
    assert "Throttled by Personalize" in run.reason
    # one retry layer: the send and botocore's 5 retries (``max_attempts`` counts retries), not
    # 6 for each try of a second layer on top (the 30 of a retrying caller with 5 tries)
    assert len(sends) == 6
    assert shop.served() == shop.v1


def test_access_denied_stops_the_run_with_a_clear_message(shop: Shop) -> None:
    inject(shop, "UpdateCampaign", "AccessDeniedException", 400, times=99)
    run = _run(shop, tolerance_pct=100)
    assert run.status == FAILED
    assert "AWS denied personalize:UpdateCampaign: the role needs that permission" in run.reason
    deploy = run.step(f"deploy:{shop.campaign}")
    assert deploy.status == FAILED and "The run stopped" in deploy.reason
    assert shop.served() == shop.v1
    assert not [s for s in run.steps if s.kind == "verify"]


def test_resource_in_use_on_update_campaign_is_waited_out(shop: Shop) -> None:
    calls = inject(shop, "UpdateCampaign", "ResourceInUseException", 400, times=2)
    run = _run(shop, tolerance_pct=100)
    assert run.status == SUCCEEDED, run.reason
    assert calls[0] == 3
    assert shop.served() == run.guardrails[0]["new_version"]
