"""Which version is best per metric, and when two versions saw different data (by hand)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from services.evaluation.version_data import (
    TrainingEnd,
    VersionData,
    best_versions,
    data_difference,
    data_range,
    training_end_text,
)
from services.personalize.models import SolutionVersion
from services.workspace.recipe_capabilities import metrics_group

T0 = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
T1 = datetime(2024, 6, 30, 18, 12, tzinfo=UTC)
T2 = datetime(2024, 7, 31, 8, 0, tzinfo=UTC)


def test_best_per_metric_ties_all_win_and_nan_never_does() -> None:
    metrics = {
        "a": {"precision_at_10": 0.2, "coverage": 0.5, "mean_reciprocal_rank_at_25": math.nan},
        "b": {"precision_at_10": 0.3, "coverage": 0.5},
        "c": {"precision_at_10": 0.1},
    }
    assert best_versions(metrics) == {
        "precision_at_10": frozenset({"b"}),
        "coverage": frozenset({"a", "b"}),  # a tie: both are best
    }  # MRR: a's NaN is no value, and nobody else has one


def test_best_is_picked_among_versions_of_comparable_recipes_only() -> None:
    """Trial s11, F10: a Personalized-Ranking version was marked "best" on NDCG next to
    User-Personalization versions. By hand: ranking's 0.40 is the highest NDCG, but it is the
    only ranking version, so nothing of its kind is beaten; among the user-recommending
    versions (User-Personalization and the Popularity-Count baseline) up2's 0.25 wins; the two
    SIMS versions tie on coverage."""
    recipe = {
        "up1": "aws-user-personalization",
        "up2": "arn:aws:personalize:::recipe/aws-user-personalization-v2",
        "pop": "aws-popularity-count",
        "rank": "aws-personalized-ranking",
        "sims1": "aws-sims",
        "sims2": "aws-similar-items",
    }
    metrics = {
        "up1": {"normalized_discounted_cumulative_gain_at_10": 0.20, "coverage": 0.3},
        "up2": {"normalized_discounted_cumulative_gain_at_10": 0.25, "coverage": 0.1},
        "pop": {"normalized_discounted_cumulative_gain_at_10": 0.10, "coverage": 0.01},
        "rank": {"normalized_discounted_cumulative_gain_at_10": 0.40, "coverage": 0.9},
        "sims1": {"coverage": 0.5},
        "sims2": {"coverage": 0.5},
    }
    groups = {arn: metrics_group(r) for arn, r in recipe.items()}
    assert groups == {
        "up1": "user",
        "up2": "user",
        "pop": "user",
        "rank": "ranking",
        "sims1": "item",
        "sims2": "item",
    }
    assert best_versions(metrics, groups) == {
        "normalized_discounted_cumulative_gain_at_10": frozenset({"up2"}),
        "coverage": frozenset({"up1", "sims1", "sims2"}),
    }
    # a recipe the table does not know is a group of its own
    assert metrics_group("arn:aws:personalize:::recipe/aws-new-thing") == "aws-new-thing"


def test_record_from_the_engine() -> None:
    record = {"testUsers": 333, "usersWithTruth": 330, "dataFrom": 1704099600, "dataTo": 1719771120}
    got = VersionData.from_record(record, 100_023)
    # 1704099600 = 2024-01-01 09:00 UTC; 1719771120 = 2024-06-30 18:12 UTC
    assert got == VersionData(333, 330, T0, T1, 100_023)
    assert data_range(got) == "2024-01-01 09:00 → 2024-06-30 18:12"
    assert data_range(None) is None and data_range(VersionData()) is None


def _version(arn: str, event_type: str | None = None) -> SolutionVersion:
    return SolutionVersion(arn=arn, status="ACTIVE", event_type=event_type)


def test_same_data_says_nothing_different_data_names_each_difference() -> None:
    a, b = _version("s/1"), _version("s/2")
    same = VersionData(6, 6, T0, T1, 1800)
    assert data_difference(a, same, b, same) == []
    later = VersionData(7, 7, T0, T2, 1860)
    assert data_difference(a, later, b, same) == [
        "trained on 2024-01-01 09:00 → 2024-07-31 08:00 vs 2024-01-01 09:00 → 2024-06-30 18:12"
        " (UTC)",
        "1,860 vs 1,800 interactions",
        "scored on 7 vs 6 test users",
    ]


def test_event_types_differ_even_when_nothing_else_is_known() -> None:
    # AWS mode: no record, but Describe's eventType still says the data differ
    assert data_difference(_version("s/1", "purchase"), None, _version("s/2"), None) == [
        "event type purchase vs all"
    ]
    assert data_difference(_version("s/1"), None, _version("s/2"), None) == []


def test_how_training_stopped_from_the_engines_report() -> None:
    # SequenceModel.training of a v2 fit that its 10 s ran out at epoch 3 of 100, after
    # 108.177 s (the demo's, seeded at load 17-22: its steps compile the network)
    budget = dict(
        epochs=100, epochs_run=3, stopped="time_budget", max_training_seconds=10.0, seconds=108.177
    )
    got = VersionData.from_record({"testUsers": 6}, 1800, budget)
    assert got.training == TrainingEnd("time_budget", 3, 100, 10.0, 108.177)
    assert got.training.at_budget
    # 108.177 s = 1 min 48 s
    assert training_end_text(got.training) == "time budget 10 s (took 1 min 48 s), epoch 3 of 100"
    early = TrainingEnd.from_report({**budget, "stopped": "early_stopping", "epochs_run": 31})
    assert early is not None and not early.at_budget
    assert training_end_text(early) == "early stopping, epoch 31 of 100 (took 1 min 48 s)"
    every = TrainingEnd.from_report({**budget, "stopped": "epochs", "seconds": 1234.5})
    assert training_end_text(every) == "every epoch: 100 (took 20 min 35 s)"  # 1,234.5 s
    assert training_end_text(TrainingEnd("time_budget", 1, 100, 60.0)) == (
        "time budget 1 min (took –), epoch 1 of 100"
    )
    # a report written since compiling is outside the budget: the fits' training seconds and
    # the version's compile seconds (the metrics fit's 7.2 s plus the final fit's 0.0)
    counted = {
        **budget,
        "seconds": 6.1,
        "training_seconds": 4.9,
        "compile_seconds": 0.0,
        "version_compile_seconds": 7.2,
    }
    end = TrainingEnd.from_report(counted)
    assert end == TrainingEnd("time_budget", 3, 100, 10.0, 4.9, 7.2)
    assert training_end_text(end) == (
        "time budget 10 s (took 4.9 s), epoch 3 of 100; compiling 7.2 s, outside the budget"
    )
    # a fit on its own (performHPO's trials, a test's fit) has only its own compile seconds
    alone = TrainingEnd.from_report({k: v for k, v in counted.items() if k[:8] != "version_"})
    assert alone is not None and alone.compile_seconds == 0.0
    assert training_end_text(alone) == (
        "time budget 10 s (took 4.9 s), epoch 3 of 100; compiling 0 s, outside the budget"
    )
    # an older report (no training_seconds): its seconds counted compiling, shown as before
    older = TrainingEnd.from_report({**budget, "compile_seconds": 7.2})
    assert older is not None and older.compile_seconds is None and older.seconds == 108.177
    # a model that does not train for epochs: its report has no "stopped" (or there is none)
    assert TrainingEnd.from_report({"retrieval": {"kind": "exact"}}) is None
    assert VersionData.from_record({}, None, None).training is None
    assert training_end_text(None) is None
