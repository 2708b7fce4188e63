"""Faults at the boto3 boundary: a botocore ``before-call`` handler (the hook botocore's
Stubber uses) answers chosen operations with AWS-shaped errors before the request is sent, so
the engine never sees them; retries, stops and waits go through the facade's error mapping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSResponse

from services.pipeline import FAILED, SUCCEEDED, RefreshOptions
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


def test_throttling_is_retried_with_backoff(shop: Shop) -> None:
    calls = inject(shop, "CreateSolutionVersion", "ThrottlingException", 400, times=3)
    sleeps: list[float] = []
    original: Callable[[float], None] = shop.pipeline._sleep
    shop.pipeline._sleep = lambda s: (sleeps.append(s), original(0))[1]
    run = _run(shop, tolerance_pct=100)
    assert run.status == SUCCEEDED, run.reason
    assert calls[0] == 4  # three throttled, the fourth went through
    assert "3 throttled call(s) retried" in run.reason
    # backoff doubles (with ±50 % jitter) from 0.01 s
    backoffs = sleeps[:3]
    assert (
        0.005 <= backoffs[0] <= 0.015
        and 0.01 <= backoffs[1] <= 0.03
        and 0.02 <= backoffs[2] <= 0.06
    )


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
