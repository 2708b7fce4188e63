"""The offline metrics GetSolutionMetrics reports for a custom solution version, keyed as
Personalize names them (developer guide, "Evaluating a solution version with metrics";
PERSONALIZE.md section 5): the engine scores exactly these
(``services.local.models.metrics.score``), and the refresh guardrail compares by one of them
(``services.pipeline.options``, which adds Next-Best-Action's ``average_rewards_at_k``). One of
the engine's public rules (``services.local.rules``), so the pipeline reads it without the rest
of the engine.
"""

METRIC_KEYS = (
    "coverage",
    "mean_reciprocal_rank_at_25",
    "normalized_discounted_cumulative_gain_at_5",
    "normalized_discounted_cumulative_gain_at_10",
    "normalized_discounted_cumulative_gain_at_25",
    "precision_at_5",
    "precision_at_10",
    "precision_at_25",
)
