"""Rules kept on both sides of the facade agree (issue #18, "one copy of each rule").

The engine (``services.local``) is a server in its own right and imports nothing of the
dashboard's side, and the dashboard's side reads the engine only through
``services.datasets.local_engine``; so where both need the same Personalize fact, each keeps
its constant and this test holds them to one value.
"""

from __future__ import annotations

from services.local.data import schemas
from services.local.data.imports import import_columns
from services.local.models import metrics, training
from services.local.models.recipes import RECIPES
from services.local.models.recipes import capabilities as engine_caps
from services.local.runtime import handlers
from services.personalize import facade
from services.pipeline import options
from services.readiness import limits
from services.workspace import recipe_capabilities as dashboard_caps


def test_data_limits_are_the_same_on_both_sides():
    # Personalize's dataset schema requirements: IDs 256 characters, categorical values 1000,
    # textual values 20,000. The readiness check warns of what the import would refuse.
    assert (limits.MAX_ID_LENGTH, limits.MAX_CATEGORICAL_LENGTH, limits.MAX_TEXTUAL_LENGTH) == (
        import_columns.MAX_ID_CHARS,
        import_columns.MAX_CATEGORICAL_CHARS,
        import_columns.MAX_TEXTUAL_CHARS,
    )
    assert (limits.MAX_ID_LENGTH, limits.MAX_CATEGORICAL_LENGTH, limits.MAX_TEXTUAL_LENGTH) == (
        256,
        1_000,
        20_000,
    )


def test_metadata_column_quotas_are_the_same_on_both_sides():
    # Personalize's service quotas: metadata columns (reserved fields excluded) up to 5 in
    # Interactions, 100 in Items (one of them textual), 25 in Users. The readiness check
    # warns of what CreateSchema refuses.
    assert (
        limits.MAX_INTERACTIONS_METADATA,
        limits.MAX_ITEMS_METADATA,
        limits.MAX_USERS_METADATA,
        limits.MAX_TEXTUAL_FIELDS,
    ) == (
        schemas.MAX_INTERACTIONS_METADATA,
        schemas.MAX_ITEMS_METADATA,
        schemas.MAX_USERS_METADATA,
        schemas.MAX_ITEMS_TEXTUAL,
    )
    assert (
        limits.MAX_INTERACTIONS_METADATA,
        limits.MAX_ITEMS_METADATA,
        limits.MAX_USERS_METADATA,
        limits.MAX_TEXTUAL_FIELDS,
    ) == (5, 100, 25, 1)


def test_training_minimums_are_the_same_on_both_sides():
    # Personalize's training minimum ("Data requirements"): 1,000 interactions and 25 users
    # with two or more, after the solution's event filter. The readiness check and the
    # workspace's alerts warn of what the engine's training refuses.
    assert (limits.MIN_INTERACTIONS, limits.MIN_USERS_WITH_TWO) == (
        training.MIN_INTERACTIONS,
        training.MIN_USERS_WITH_TWO,
    )
    assert (limits.MIN_INTERACTIONS, limits.MIN_USERS_WITH_TWO) == (1_000, 25)


def test_the_import_job_minimum_is_the_same_on_both_sides():
    # "Minimum number of item interaction records per dataset import job in FULL or
    # INCREMENTAL import mode: 1000" (Service quotas): the readiness check blocks the import
    # the engine's import job would fail.
    from services.local.jobs.tasks import imports

    assert limits.MIN_IMPORT_INTERACTIONS == imports.MIN_IMPORT_INTERACTIONS == 1_000


def test_result_limits_are_the_same_on_both_sides():
    # GetRecommendations' numResults and GetPersonalizedRanking's inputList: at most 500, at
    # most 50 with metadataColumns (runtime limits). The facade refuses before sending what
    # the engine (and AWS) would refuse.
    assert (facade.MAX_RESULTS, facade.MAX_RESULTS_WITH_METADATA) == (
        handlers.MAX_RESULTS,
        handlers.MAX_RESULTS_WITH_METADATA,
    )
    assert (facade.MAX_RESULTS, facade.MAX_RESULTS_WITH_METADATA) == (500, 50)


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
