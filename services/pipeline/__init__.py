"""The refresh pipeline: import → train → guardrail → deploy → verify, as persisted runs.

Use ``Pipeline`` (``control``) to trigger and follow runs, ``RunStore`` (``records``) to read
them, ``RefreshOptions`` (``options``) to say what a run does; ``python -m services.pipeline``
is the command a scheduler calls.
"""

from services.pipeline.control import Pipeline, Triggered
from services.pipeline.guardrail import GuardrailResult, guardrail_reason, judge
from services.pipeline.options import (
    DEFAULT_METRIC,
    GUARDRAIL_METRICS,
    DataSource,
    RefreshOptions,
)
from services.pipeline.records import (
    FAILED,
    REFUSED,
    RUNNING,
    SKIPPED,
    SUCCEEDED,
    RefreshRun,
    RefreshStep,
    RunStore,
)

__all__ = [
    "DEFAULT_METRIC",
    "GUARDRAIL_METRICS",
    "FAILED",
    "REFUSED",
    "RUNNING",
    "SKIPPED",
    "SUCCEEDED",
    "DataSource",
    "GuardrailResult",
    "Pipeline",
    "RefreshOptions",
    "RefreshRun",
    "RefreshStep",
    "RunStore",
    "Triggered",
    "guardrail_reason",
    "judge",
]
