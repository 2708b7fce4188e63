"""The request-count source for these settings: CloudWatch on AWS, the engine's own locally."""

from __future__ import annotations

from services.config import Settings
from services.costs.usage import RequestSource


def request_source(settings: Settings) -> RequestSource | None:
    """CloudWatch (AWS mode), the local engine's counters, or None when there are none."""
    if settings.is_local:
        return None
    from services.aws_session import aws_session
    from services.costs.cloudwatch import CloudWatchRequests

    return CloudWatchRequests(aws_session(settings).client("cloudwatch"))
