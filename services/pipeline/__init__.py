"""The refresh pipeline: import → train → guardrail → deploy → verify, as persisted runs.

Use ``Pipeline`` (``control``) to trigger and follow runs, ``RunStore`` (``runs.records``) to
read them, ``RefreshOptions`` (``options``) to say what a run does; ``python -m
services.pipeline`` is the command a scheduler calls (``cli``, printing with ``progress``).

- ``steps/``: what one run does, step by step (``runner``: plan → check → import → train →
  guardrail → deploy → verify; ``planning``, ``data_steps``, ``campaign_steps``, the
  ``guardrail``, where the data comes from (``sources``), and how a long run calls Personalize
  (``calls``, ``step_context``));
- ``runs/``: runs as persisted in the dashboard store (``records``, and its tables, lock, reads,
  step writes and values in ``run_*``), and what other pages read of them (``running_runs``,
  ``freshness``).
"""

from services.pipeline.control import Pipeline, Triggered
from services.pipeline.options import (
    DEFAULT_METRIC,
    GUARDRAIL_METRICS,
    DataSource,
    RefreshOptions,
)
from services.pipeline.runs.records import (
    FAILED,
    REFUSED,
    RUNNING,
    SKIPPED,
    SUCCEEDED,
    RefreshRun,
    RefreshStep,
    RunStore,
)
from services.pipeline.steps.guardrail import GuardrailResult, guardrail_reason, judge

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
