"""The local engine's PutEvents attribution figures: what CloudWatch holds for a metric
attribution on AWS (services.evaluation.online_cloudwatch), computed by the engine from the
events it received (services.local.runtime.attribution_report.putevents_metrics), in the same
15-minute rows."""

from __future__ import annotations

import pandas as pd

from services.config import Settings
from services.errors import ServiceError
from services.evaluation.online_metrics import EVENTS, PointsQuery, empty_points, report_rows


class EngineAttribution:
    """``AttributionSource`` over the local engine (in-process, or its database behind
    ``make serve``)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def points(self, query: PointsQuery) -> pd.DataFrame:
        from services.local.engine import get_engine
        from services.local.errors import EngineError
        from services.local.runtime.attribution_report import putevents_metrics

        # Behind ``make serve`` the server's worker runs the jobs; this process only reads.
        engine = get_engine(self._settings, start_worker=not self._settings.endpoint_url)
        try:
            with engine.reading() as res:
                doc = res.get(query.attribution.arn, "metric-attribution")
        except EngineError as err:
            raise ServiceError(f"Metric attribution {query.attribution.name}: {err}") from err
        wanted = {m.name for m in query.metrics}
        doc = {**doc, "_metrics": [m for m in doc["_metrics"] if m["metricName"] in wanted]}
        rows = report_rows(putevents_metrics(engine, doc).astype(str), EVENTS)
        if rows.empty:
            return empty_points()
        inside = (rows["time"] >= pd.Timestamp(query.start)) & (
            rows["time"] < pd.Timestamp(query.end)
        )
        return rows.loc[inside].reset_index(drop=True)
