"""The request-count and import-size sources for these settings: CloudWatch on AWS, the
engine's own locally."""

from __future__ import annotations

from services.config import Settings
from services.costs.ingestion import SizeSource
from services.costs.usage import RequestSource
from services.datasets.local_engine.requests import EngineRequests


def request_source(settings: Settings) -> RequestSource:
    """CloudWatch in AWS mode, else the local engine's counters."""
    if settings.is_local:
        return EngineRequests(settings)
    from services.costs.cloudwatch import CloudWatchRequests
    from services.personalize.session import aws_client

    return CloudWatchRequests(aws_client(settings, "cloudwatch"))


def size_source(settings: Settings) -> SizeSource:
    """CloudWatch's DatasetSize in AWS mode, else the local engine's record."""
    if settings.is_local:
        from services.datasets.local_engine.ingestion import EngineSizes

        return EngineSizes(settings)
    from services.costs.ingestion import CloudWatchSizes
    from services.personalize.session import aws_client

    return CloudWatchSizes(aws_client(settings, "cloudwatch"))
