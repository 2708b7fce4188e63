"""Training of one solution version: filter, check minimums, measure, fit, save.

The engine calls ``train`` in a worker process; the outcome carries what DescribeSolutionVersion
and GetSolutionMetrics report. Metrics come from Personalize's user split (``metrics``); the
model that is saved is then fitted on all the data.
"""

from __future__ import annotations

import logging
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from services.local.data.storage.faults import unreadable, write_fault
from services.local.models import metrics
from services.local.models.hpo import search_grid
from services.local.models.recipes import get_recipe
from services.local.models.recipes.base import (
    INTERACTION_COLUMNS,
    Checkpoint,
    Model,
    Recipe,
    TrainingConfig,
    TrainingData,
    TrainingError,
    load_npz_array,
)
from services.local.models.recipes.capabilities import required_datasets
from services.local.models.recipes.training_data import filter_interactions
from services.local.models.segment_metrics import segment_metrics
from services.local.rules.data_limits import MIN_INTERACTIONS, MIN_USERS_WITH_TWO

_log = logging.getLogger(__name__)

VALIDATION_KEY = "normalized_discounted_cumulative_gain_at_10"
# The version document's engine-private key for TrainingOutcome.evaluation (never on the wire:
# GetSolutionMetrics returns Personalize's metric keys only).
EVALUATION = "_evaluation"
# The names ``within`` gives a version's fits in checkpoint phases ("metrics fit: ALS
# iterations"), and the save's phase.
METRICS_FIT, FINAL_FIT, SAVE_PHASE = "metrics fit", "final fit", "saving the model"

Progress = Callable[[float], None]
# What numpy and zipfile raise for a model file that is truncated, damaged or not an .npz
# (a member cut short fails its CRC check: BadZipFile; a missing member: KeyError).
_UNREADABLE_MODEL = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


@dataclass(frozen=True)
class TrainingOutcome:
    """What one training run produced.

    ``metrics`` is what GetSolutionMetrics returns (NaN keys left out); ``evaluation`` the
    record the engine keeps next to the version (``Evaluation.record``: test users scored and
    with truth, truth items) plus ``dataFrom``/``dataTo``, the oldest and newest TIMESTAMP
    (epoch seconds) of the interactions the version trained on. An UPDATE computes no metrics:
    ``metrics`` is empty and ``evaluation`` holds only the time range.
    """

    metrics: dict[str, float]
    evaluation: dict[str, int]
    tuned_hyperparameters: dict[str, str]
    best_recipe_name: str | None
    num_interactions: int
    num_users: int
    num_items: int
    model_path: Path
    # how the saved model's training ended, for models that train iteratively (v2's
    # SequenceModel.training: epochs run, which bound stopped it, validation NDCG@10), and
    # under "retrieval" the calibration of a large catalogue's candidate index (search
    # setting, recall on sampled users, or why the exact scan); else {}
    training_report: dict[str, Any] = field(default_factory=dict)


def check_minimums(data: TrainingData, config: TrainingConfig) -> TrainingData:
    """Filter events as the solution asks and enforce Personalize's training minimums.

    Returns the filtered data (interaction columns only), marked ``distinct_events``: the
    repeated (USER_ID, ITEM_ID, TIMESTAMP) rows are dropped here, once, for every fit after.

    Raises:
        TrainingError: fewer than 1000 interactions or 25 users with two or more.
    """
    df = filter_interactions(data.interactions, config)
    per_user = df["USER_ID"].value_counts()
    n_two = int((per_user >= 2).sum())
    if len(df) < MIN_INTERACTIONS or n_two < MIN_USERS_WITH_TWO:
        raise TrainingError(
            f"not enough data after event filtering: {len(df)} interactions "
            f"(minimum {MIN_INTERACTIONS}) and {n_two} users with at least 2 interactions "
            f"(minimum {MIN_USERS_WITH_TWO})"
        )
    return replace(data, interactions=df.loc[:, list(INTERACTION_COLUMNS)], distinct_events=True)


def validation_score(recipe: Recipe, split: metrics.Split, config: TrainingConfig) -> float:
    """NDCG@10 of ``recipe`` trained on ``split.train`` and scored on its test users; −inf
    when no test user had truth, so such a candidate never wins."""
    model = recipe.fit(split.train, config)
    value = metrics.evaluate(model, split, checkpoint=config.checkpoint)[VALIDATION_KEY]
    return -np.inf if np.isnan(value) else value


def tune(
    recipe: Recipe, split: metrics.Split, config: TrainingConfig, on_progress: Progress
) -> dict[str, str]:
    """performHPO: the best of the candidate hyperparameters on a validation split: the
    solution's hpoConfig ranges when given, else the recipe's own small grid, at most
    hpoResourceConfig.maxNumberOfTrainingJobs trials (services.local.models.hpo).

    The validation split is a user split of the training users only, so the test users stay
    unseen. Recipes without ``hpo_candidates`` have nothing to tune.
    """
    candidates = getattr(recipe, "hpo_candidates", None)
    if candidates is None and not config.hpo_ranges:
        return dict(config.hyperparameters)
    grid: Sequence[Mapping[str, str]] = search_grid(
        config.hpo_ranges, candidates(config) if candidates else [{}], config.hpo_max_trials
    )
    val = metrics.split_users(split.train, config.seed + 1)
    best, best_score = dict(config.hyperparameters), -np.inf
    for i, hp in enumerate(grid):
        trial = {**config.hyperparameters, **hp}
        trial_config = within(replace(config, hyperparameters=trial), f"HPO trial {i + 1}")
        score = validation_score(recipe, val, trial_config)
        _log.info("hpo %s %s -> %.4f", recipe.name, trial, score)
        if score > best_score:
            best, best_score = trial, score
        on_progress(0.1 + 0.4 * (i + 1) / len(grid))
    return best


def pick_recipe(
    names: Sequence[str], split: metrics.Split, config: TrainingConfig, on_progress: Progress
) -> str:
    """performAutoML: the recipe with the best validation NDCG@10 (first wins a tie)."""
    val = metrics.split_users(split.train, config.seed + 2)
    best, best_score = names[0], -np.inf
    for i, name in enumerate(names):
        score = validation_score(get_recipe(name), val, within(config, f"AutoML {name}"))
        _log.info("automl %s -> %.4f", name, score)
        if score > best_score:
            best, best_score = name, score
        on_progress(0.1 + 0.3 * (i + 1) / len(names))
    return best


def train(
    data: TrainingData,
    recipe_name: str,
    config: TrainingConfig,
    mode: str = "FULL",
    previous_model: Path | None = None,
    *,
    out_path: Path,
    auto_ml_recipes: Sequence[str] = (),
    on_progress: Progress | None = None,
) -> TrainingOutcome:
    """Train a solution version and save its model to ``out_path`` (.npz).

    Args:
        data: the dataset group's interactions (+ items, users).
        recipe_name: the solution's recipe; ignored when ``auto_ml_recipes`` is given.
        config: event filtering, eventsConfig, hyperparameters, performHPO, seed.
        mode: "FULL" or "UPDATE". UPDATE folds new users and items into ``previous_model``
            without a full retrain and, like a cheap refresh, computes no new metrics.
        previous_model: the model file an UPDATE starts from.
        out_path: where the model is written.
        auto_ml_recipes: performAutoML's recipeList; the best by validation NDCG@10 is used.
        on_progress: called with the fraction done, 0.0 to 1.0.

    Raises:
        TrainingError: too little data, bad hyperparameters, or an impossible UPDATE.
        StorageFault: the model cannot be written (nothing of it is left behind), or an
            UPDATE's previous model cannot be read.
        ValueError: unknown recipe or mode.
    """
    started = time.monotonic()
    report = _monotonic(on_progress)
    if mode not in ("FULL", "UPDATE"):
        raise ValueError(f"mode must be FULL or UPDATE, not {mode!r}")
    recipe = get_recipe(auto_ml_recipes[0] if auto_ml_recipes else recipe_name)
    report(0.0)
    if "Interactions" not in required_datasets(recipe.name):
        return _fit_without_interactions(recipe, data, config, out_path, report)
    filtered = check_minimums(data, config)
    df = filtered.interactions
    n_inter, n_users = len(df), int(df["USER_ID"].nunique())
    span = (int(df["TIMESTAMP"].min()), int(df["TIMESTAMP"].max()))
    if mode == "UPDATE":
        model = _update(recipe, filtered, replace(config, clock_started=started), previous_model)
        hp = dict(config.hyperparameters)
        return _finish(
            model, None, span, hp, None, n_inter, n_users, out_path, report, config.checkpoint
        )

    if recipe.recipe_type == "USER_SEGMENTATION":
        scored = segment_metrics(recipe, filtered, within(config, METRICS_FIT))
        report(0.6)
        model = recipe.fit(filtered, within(config, FINAL_FIT))
        hp = dict(config.hyperparameters)
        return _finish(
            model, scored, span, hp, None, n_inter, n_users, out_path, report, config.checkpoint
        )
    split = metrics.split_users(filtered, config.seed)
    report(0.1)
    best_name = None
    if auto_ml_recipes:
        best_name = pick_recipe(list(auto_ml_recipes), split, config, report)
        recipe = get_recipe(best_name)
    tuned = dict(config.hyperparameters)
    if config.perform_hpo:
        tuned = tune(recipe, split, config, report)
        config = replace(config, hyperparameters=tuned)
    if auto_ml_recipes or config.perform_hpo:
        started = time.monotonic()  # each trial had a budget of its own
    # The metrics fit and the final fit share one time budget (TrainingConfig.clock_started).
    fit = within(config, METRICS_FIT)
    model = recipe.fit(split.train, replace(fit, clock_started=started, fits_left=2))
    # the budget counts training, not compiling: the final fit's share leaves the metrics fit's out
    compiled = _compile_seconds(model)
    result = metrics.score(model, split, checkpoint=config.checkpoint)
    report(0.6)
    # The split's training copy of the interactions and its model are not needed any more:
    # released before the final fit, which would otherwise hold them alongside its own.
    del model, split
    final = replace(
        within(config, FINAL_FIT), clock_started=started, fits_left=1,
        earlier_compile_seconds=compiled,
    )  # fmt: skip
    model = recipe.fit(filtered, final)
    serving = getattr(recipe, "for_serving", None)  # e.g. a candidate index (retrieval)
    if serving is not None:
        model = serving(model, final, filtered)
    report(0.95)
    return _finish(
        model, result, span, tuned, best_name, n_inter, n_users, out_path, report, config.checkpoint
    )


def _fit_without_interactions(
    recipe: Recipe, data: TrainingData, config: TrainingConfig, out_path: Path, report: Progress
) -> TrainingOutcome:
    """A recipe whose required data is not Interactions (Semantic-Similarity reads the Items
    dataset): no interaction minimums, no user split and so no metrics; interactions, when the
    group has them, are filtered as the solution asks and passed on."""
    df = filter_interactions(data.interactions, config) if len(data.interactions) else None
    filtered = data if df is None else replace(data, interactions=df)
    model = recipe.fit(filtered, within(config, FINAL_FIT))
    report(0.95)
    n_inter = 0 if df is None else len(df)
    n_users = 0 if df is None else int(df["USER_ID"].nunique())
    span = None
    if df is not None and n_inter:
        span = (int(df["TIMESTAMP"].min()), int(df["TIMESTAMP"].max()))
    hp = dict(config.hyperparameters)
    return _finish(
        model, None, span, hp, None, n_inter, n_users, out_path, report, config.checkpoint
    )


def within(config: TrainingConfig, prefix: str) -> TrainingConfig:
    """``config`` whose checkpoint names its phases "``prefix``: phase" (which fit of a
    version a phase belongs to: the metrics split's, the final one, an HPO trial)."""
    outer = config.checkpoint

    def checkpoint(phase: str, done: int, total: int) -> None:
        outer(f"{prefix}: {phase}", done, total)

    return replace(config, checkpoint=checkpoint)


def _compile_seconds(model: Model) -> float:
    """Seconds ``model``'s fit spent compiling (v2's ``compile_seconds`` in its training
    report), which its time budget does not count; 0.0 for a model that compiles nothing."""
    value = (getattr(model, "training", None) or {}).get("compile_seconds")
    return float(value) if isinstance(value, int | float) else 0.0


def _monotonic(callback: Progress | None) -> Progress:
    """Progress that never goes backwards (AutoML then HPO each report their own share)."""
    done = [0.0]

    def report(fraction: float) -> None:
        done[0] = max(done[0], fraction)
        if callback is not None:
            callback(done[0])

    return report


def _update(
    recipe: Recipe, data: TrainingData, config: TrainingConfig, previous_model: Path | None
) -> Model:
    if previous_model is None:
        raise TrainingError("trainingMode UPDATE needs a previous ACTIVE solution version")
    update = getattr(recipe, "update", None)
    if update is None:
        raise TrainingError(f"recipe {recipe.name} does not support trainingMode UPDATE")
    previous = load_model(
        recipe.name,
        previous_model,
        remedy="train with trainingMode FULL (it is the model an UPDATE would start from)",
    )
    return update(previous, data, config)


def _finish(
    model: Model,
    result: metrics.Evaluation | dict[str, float] | None,
    span: tuple[int, int] | None,
    tuned: dict[str, str],
    best_name: str | None,
    n_inter: int,
    n_users: int,
    out_path: Path,
    report: Progress,
    checkpoint: Checkpoint,
) -> TrainingOutcome:
    checkpoint(SAVE_PHASE, 0, 1)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        model.save(out_path)  # removes its partial file when it fails
    except OSError as err:
        raise write_fault(err, out_path, "the model file") from err
    # one more look once written: a stop sent during the save still wins (the caller's
    # staged file is then discarded, never published)
    checkpoint(SAVE_PHASE, 1, 1)
    report(1.0)
    # USER_SEGMENTATION recipes hand over their metrics as they are (segment_metrics)
    evaluation: dict[str, int] = {}
    wire: dict[str, float] = {}
    if isinstance(result, dict):
        wire = result
    elif result is not None:
        evaluation, wire = result.record(), result.wire_metrics()
    if span is not None:
        evaluation.update(dataFrom=span[0], dataTo=span[1])
    return TrainingOutcome(
        metrics=wire,
        evaluation=evaluation,
        tuned_hyperparameters=tuned,
        best_recipe_name=best_name,
        num_interactions=n_inter,
        num_users=n_users,
        num_items=len(model.item_ids),
        model_path=out_path,
        training_report=training_report_of(model),
    )


def training_report_of(model: Model) -> dict[str, Any]:
    """``TrainingOutcome.training_report``: how an iterative model's training ended, and,
    under "retrieval", how its candidate index was calibrated (``retrieval.Calibration``)."""
    report = dict(getattr(model, "training", None) or {})
    calibration = getattr(model, "retrieval_calibration", None)
    if calibration is not None:
        report["retrieval"] = calibration.as_dict()
    return report


def load_model(
    recipe_name: str,
    path: Path,
    *,
    data_dir: Path | None = None,
    what: str = "model file",
    remedy: str = "retrain",
) -> Model:
    """Read a model saved by ``train`` for ``recipe_name``.

    Args:
        recipe_name: the recipe that saved it.
        path: the .npz file.
        data_dir: the engine's data directory (errors name the file relative to it).
        what: what the file is, for errors ("model file of solution version …").
        remedy: what to do when it cannot be read.

    Raises:
        StorageFault: the file is missing, unreadable, truncated or damaged.
        ValueError: unknown recipe.
    """
    recipe = get_recipe(recipe_name)
    try:
        return recipe.load(path)
    except _UNREADABLE_MODEL as err:
        raise unreadable(path, data_dir or path.parent, what, remedy, err) from err


# The array of a saved model that lists the users it was trained with (sorted IDs): written by
# User-Personalization's model (recipes.users._up_model) and the affinity recipes
# (recipes.segments._affinity).
USER_INDEX = "user_ids"


def trained_user_ids(
    path: Path, *, data_dir: Path | None = None, what: str = "model file", remedy: str = "retrain"
) -> np.ndarray | None:
    """The users a saved model was trained with (its ``USER_INDEX``: str IDs, sorted, dtype
    object), read without loading the rest of the model; None when the model keeps no user
    index (its recipe scores from a user's history alone, or serves everyone the same list).

    Raises:
        StorageFault: the file is missing, unreadable, truncated or damaged (named as
            ``load_model`` names it).
    """
    try:
        return load_npz_array(path, USER_INDEX)
    except _UNREADABLE_MODEL as err:
        raise unreadable(path, data_dir or path.parent, what, remedy, err) from err
