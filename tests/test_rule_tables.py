"""Rules kept on both sides of the facade agree (issue #18, "one copy of each rule").

The engine (``services.local``) is a server in its own right and imports nothing of the
dashboard's side, and the dashboard's side reads the engine only through
``services.datasets.local_engine`` and its public rules (``services.local.rules``). A rule in
those rules is one table both sides import (the data limits, the metric keys); where both need
the same Personalize fact otherwise, each keeps its constant and this test holds them to one
value.
"""

from __future__ import annotations

from services.local.models import metrics
from services.local.models.recipes import RECIPES
from services.local.models.recipes import capabilities as engine_caps
from services.local.rules import data_limits, runtime_limits
from services.pipeline import options
from services.workspace import recipe_capabilities as dashboard_caps


def test_the_data_limits_are_personalizes():
    # One table, services.local.rules.data_limits: the engine's import, CreateSchema and
    # training refuse by it and the readiness check (services.readiness.limits) warns by it.
    # The values are the developer guide's: dataset schema requirements (IDs 256 characters,
    # categorical values 1000, textual values 20,000), service quotas (metadata columns up to 5
    # in Interactions, 100 in Items with one textual, 25 in Users; at least 1,000 interaction
    # records per import job) and the training minimum (1,000 interactions and 25 users with
    # two or more, after the solution's event filter).
    assert (
        data_limits.MAX_ID_LENGTH,
        data_limits.MAX_CATEGORICAL_LENGTH,
        data_limits.MAX_TEXTUAL_LENGTH,
    ) == (256, 1_000, 20_000)
    assert (
        data_limits.MAX_INTERACTIONS_METADATA,
        data_limits.MAX_ITEMS_METADATA,
        data_limits.MAX_USERS_METADATA,
        data_limits.MAX_TEXTUAL_FIELDS,
    ) == (5, 100, 25, 1)
    assert (data_limits.MIN_INTERACTIONS, data_limits.MIN_USERS_WITH_TWO) == (1_000, 25)
    assert data_limits.MIN_IMPORT_INTERACTIONS == 1_000


def test_runtime_limits_are_the_documented_ones():
    # GetRecommendations' numResults and GetPersonalizedRanking's inputList: at most 500, at
    # most 50 with metadataColumns, at most 10 metadata columns; GetActionRecommendations'
    # numResults 5 by default, at most 100; PutEvents' eventList at most 10 (API reference
    # pages and botocore shapes named in the module). One table: the facade and the engine
    # import it, so the facade refuses before sending exactly what the engine refuses.
    assert (
        runtime_limits.MAX_RESULTS,
        runtime_limits.MAX_RESULTS_WITH_METADATA,
        runtime_limits.MAX_METADATA_COLUMNS,
    ) == (500, 50, 10)
    assert (runtime_limits.DEFAULT_ACTIONS, runtime_limits.MAX_ACTIONS) == (5, 100)
    assert runtime_limits.MAX_EVENTS_PER_CALL == 10


def test_the_guardrail_offers_every_metric_the_engine_reports():
    # GetSolutionMetrics' keys; average_rewards_at_k comes only from Next-Best-Action on AWS.
    assert set(options.GUARDRAIL_METRICS) - set(metrics.METRIC_KEYS) == {"average_rewards_at_k"}
    assert set(metrics.METRIC_KEYS) <= set(options.GUARDRAIL_METRICS)
    assert options.DEFAULT_METRIC in metrics.METRIC_KEYS


def test_recipe_capabilities_agree_for_every_recipe_the_engine_trains():
    for name in RECIPES:
        arn = f"arn:aws:personalize:::recipe/{name}"
        assert dashboard_caps.supports_update(arn) == (name in engine_caps.UPDATE_RECIPES), name
        assert (name in dashboard_caps.NO_BATCH_RECIPES) == (
            name in engine_caps.NO_BATCH_RECIPES
        ), name
    assert dashboard_caps.UPDATE_RECIPES == engine_caps.UPDATE_RECIPES
