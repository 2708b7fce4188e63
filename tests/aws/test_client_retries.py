"""Every AWS client retries as the Personalize clients do (issue #18, "one retry layer:
botocore's, configured"): CloudWatch (costs, online metrics), STS (the account badge, assumed
roles) and S3 (exports) are built by ``services.personalize.session.aws_client`` with botocore's
standard retry mode, so a call refused as transient (HTTP 503: S3's SlowDown, a busy endpoint)
is sent once and retried 5 times with backoff, and a dropped network is known after a 5 s
connect timeout rather than botocore's 60 s.

The 503 answers come from a ``before-send`` handler: nothing leaves the process. The expected
count is botocore's documented standard mode with ``max_attempts`` 5 (retries after the first
send: 6 sends); with botocore's defaults, as these clients were built before, the same call
was sent 3 times.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from services.config import Settings
from services.personalize.session import aws_client
from tests.aws.backoff import recorded_backoff
from tests.dashboard.faults import response

# (service, method, arguments): one read each of what the dashboard asks these services
CALLS = [
    ("cloudwatch", "list_metrics", {}),
    ("sts", "get_caller_identity", {}),
    ("s3", "head_object", {"Bucket": "exports", "Key": "events.csv"}),
]


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[float]:
    """AWS mode with fixed test credentials and no config files; the backoff delays botocore
    asks for are recorded and not slept."""
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return recorded_backoff(monkeypatch)


@pytest.mark.parametrize(("service", "method", "kwargs"), CALLS)
def test_a_transient_failure_is_sent_six_times_with_standard_backoff(
    delays: list[float], service: str, method: str, kwargs: dict[str, Any]
) -> None:
    client = aws_client(Settings(backend="aws", region="us-east-1"), service)
    sends = [0]

    def busy(request: Any, **_: Any) -> AWSResponse:
        sends[0] += 1
        return response(request, 503, b"")

    client.meta.events.register_first("before-send", busy)
    with pytest.raises(ClientError) as raised:
        getattr(client, method)(**kwargs)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert sends[0] == 6  # the send and 5 retries
    # standard mode's backoff: a random share of 2^attempt seconds, one delay per retry
    assert len(delays) == 5 and all(0 <= d <= 2 ** (i + 1) for i, d in enumerate(delays))
    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == (5, 20)
