"""The local engine's PutEvents attribution figures: what CloudWatch holds for a metric
attribution on AWS (services.evaluation.online_cloudwatch), computed by the engine from the
events it received (services.local.runtime.attribution_report.putevents_metrics), in the same
15-minute rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from services.config import Settings
from services.datasets.local_engine.data_versions import attribution_version
from services.errors import ServiceError
from services.evaluation.online_metrics import (
    EVENTS,
    PointsQuery,
    empty_points,
    in_window,
    report_rows,
)
from services.personalize.models import AttributedMetric, MetricAttribution

if TYPE_CHECKING:
    from services.local.engine import LocalEngine


class EngineAttribution:
    """``AttributionSource`` over the local engine (in-process, or its database behind
    ``make serve``). ``all_points`` is the costly part (every PutEvents row of the group);
    ``version`` names what it reads from, so a caller may keep its rows until that changes."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def _engine(self) -> LocalEngine:
        from services.local.engine import get_engine

        # Behind ``make serve`` the server's worker runs the jobs; this process only reads.
        return get_engine(self._settings, start_worker=not self._settings.endpoint_url)

    def points(self, query: PointsQuery) -> pd.DataFrame:
        return in_window(self.all_points(query.attribution, query.metrics), query.start, query.end)

    def all_points(
        self, attribution: MetricAttribution, metrics: Sequence[AttributedMetric]
    ) -> pd.DataFrame:
        """Every 15-minute row (``POINT_COLUMNS``, origin ``events``) of ``metrics`` of
        ``attribution``, at any time.

        Raises:
            ServiceError: the attribution is gone, or the engine's storage cannot be read.
        """
        from services.local.errors import EngineError
        from services.local.runtime.attribution_report import putevents_metrics

        engine = self._engine()
        try:
            with engine.reading() as res:
                doc = res.get(attribution.arn, "metric-attribution")
        except EngineError as err:
            raise ServiceError(f"Metric attribution {attribution.name}: {err}") from err
        wanted = {m.name for m in metrics}
        doc = {**doc, "_metrics": [m for m in doc["_metrics"] if m["metricName"] in wanted]}
        rows = report_rows(putevents_metrics(engine, doc).astype(str), EVENTS)
        return empty_points() if rows.empty else rows

    def version(self, group_arn: str) -> tuple[int, int, float]:
        """What ``all_points`` of an attribution of ``group_arn`` reads from
        (``data_versions.attribution_version``).

        Raises:
            ServiceError: the engine's database cannot be read.
        """
        return attribution_version(self._engine(), group_arn)
