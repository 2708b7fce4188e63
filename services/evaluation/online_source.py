"""Where a metric attribution's PutEvents figures come from for these settings: CloudWatch on
AWS, the engine's own locally (the same rows either way, see online_metrics)."""

from __future__ import annotations

from services.config import Settings
from services.evaluation.online_metrics import AttributionSource


def attribution_source(settings: Settings) -> AttributionSource:
    """CloudWatch in AWS mode, else the local engine."""
    if settings.is_local:
        from services.datasets.local_engine.attribution import EngineAttribution

        return EngineAttribution(settings)
    from services.evaluation.online_cloudwatch import CloudWatchAttribution
    from services.personalize.session import aws_client

    return CloudWatchAttribution(aws_client(settings, "cloudwatch"))
