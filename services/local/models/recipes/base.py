"""The contract every local recipe implements.

A recipe turns the interactions of one dataset group into a model; a model scores the whole
catalogue for a user or an item. Ranking, filtering, exploration, promotions and top-k selection
happen in the runtime, on the score vectors, so every recipe gets them for free.

Models are saved as ``.npz``: plain arrays plus a JSON header, loaded with numpy's default
loader, which refuses object arrays, so a model file can never run code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

import numpy as np
import pandas as pd

from services.local.data.storage.model_files import partial

# Columns of TrainingData.interactions, in this order and with these dtypes:
#   USER_ID str, ITEM_ID str, TIMESTAMP int64 (epoch seconds), EVENT_TYPE str ("" when absent),
#   EVENT_VALUE float64 (NaN when absent).
# Marks each recipe's description for the pages' message catalogue (Babel extracts N_("…")
# calls) without importing it: the engine never imports upward and answers DescribeRecipe in
# English, as Personalize does; the New solution form translates it when it draws it.
N_ = str

INTERACTION_COLUMNS = ("USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE")


@dataclass(frozen=True)
class EventWeight:
    """One entry of solutionConfig.eventsConfig.eventParametersList."""

    event_type: str
    weight: float = 1.0
    event_value_threshold: float | None = None


Checkpoint = Callable[[str, int, int], None]
"""Called by training between bounded pieces of work as ``checkpoint(phase, done, total)``:
``phase`` names the work ("metrics fit: ALS iterations"), ``done`` of ``total`` units are
finished (0 at a phase's start). It may raise to stop training there (the engine's raises
``jobs.context.Cancelled`` once StopSolutionVersionCreation was called); training lets the
exception through and publishes nothing."""


def no_checkpoint(phase: str, done: int, total: int) -> None:
    """The checkpoint of a training nobody can stop (tests, benchmarks, the HPO helpers)."""


@dataclass(frozen=True)
class TrainingConfig:
    """What a solution (and its version) asks of training."""

    event_type: str | None = None
    event_value_threshold: float | None = None
    events: tuple[EventWeight, ...] = ()
    hyperparameters: Mapping[str, str] = field(default_factory=dict)
    # solutionConfig.featureTransformationParameters (e.g. Trending-Now's
    # trend_discovery_frequency), kept apart from the algorithm's hyperparameters.
    features: Mapping[str, str] = field(default_factory=dict)
    perform_hpo: bool = False
    # performHPO's search space and budget (solutionConfig.hpoConfig): candidate values per
    # hyperparameter from algorithmHyperParameterRanges, and maxNumberOfTrainingJobs
    hpo_ranges: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    hpo_max_trials: int | None = None
    seed: int = 42
    # the solution's performIncrementalUpdate (Semantic-Similarity: fold in new items)
    incremental: bool = False
    # One time budget shared by the fits of a version (models.training sets both): when the
    # version's training began (time.monotonic()) and how many fits, this one included, still
    # share a recipe's max_training_seconds; None = this fit has the whole budget alone.
    clock_started: float | None = None
    fits_left: int = 1
    # Seconds the version's earlier fits spent compiling (v2's JAX steps): time since
    # clock_started that the shared budget does not count.
    earlier_compile_seconds: float = 0.0
    # Where a recipe may keep what a later version or process can reuse (v2: JAX's compiled
    # training steps); None = nothing kept.
    cache_dir: Path | None = None
    # Where a long fit lets a stop request through (``Checkpoint``): every ALS iteration,
    # every v2 epoch, every block of scored users, between a fit's steps.
    checkpoint: Checkpoint = no_checkpoint


@dataclass(frozen=True)
class TrainingData:
    """Everything a recipe may learn from. ``items``/``users`` may be empty frames.

    ``item_fields`` says how the Items schema marks a column that carries meaning beyond its
    value: "categorical", "textual" or "itemName" (column name → mark; unmarked columns are
    absent), for the recipes that compare items by metadata.
    """

    interactions: pd.DataFrame
    items: pd.DataFrame = field(default_factory=pd.DataFrame)
    users: pd.DataFrame = field(default_factory=pd.DataFrame)
    item_fields: Mapping[str, str] = field(default_factory=dict)
    # Next-Best-Action: the Actions dataset (ACTION_ID first) and the action interactions
    # (USER_ID, ACTION_ID, TIMESTAMP, EVENT_TYPE as VIEWED / TAKEN / NOT_TAKEN)
    actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    action_interactions: pd.DataFrame = field(default_factory=pd.DataFrame)
    # True when ``interactions`` holds no two rows with the same (USER_ID, ITEM_ID, TIMESTAMP):
    # training's check_minimums dropped them once, so a fit need not hash every event again
    distinct_events: bool = False


class Model(Protocol):
    """A trained model. ``item_ids`` fixes the order of every score vector."""

    recipe_name: str
    item_ids: np.ndarray  # dtype object (str); the model's catalogue
    popularity: np.ndarray  # float64, one per item; higher is more popular

    def score_user(self, user_id: str | None, history: Sequence[str]) -> np.ndarray | None:
        """Scores for every item, for a user with this recent history (oldest first).

        ``history`` holds item IDs the runtime knows about for the user, including events that
        arrived after training (PutEvents), so a model can react without retraining. Returns
        None when the model cannot personalise (unknown user and no usable history); the
        runtime then serves ``popularity``.
        """
        ...

    def score_item(self, item_id: str) -> np.ndarray | None:
        """Scores for every item as a neighbour of ``item_id``; None if the item is unknown."""
        ...

    def save(self, path: Path) -> None:
        """Write the model to ``path`` (an .npz file)."""
        ...


class Recipe(Protocol):
    """A recipe module exposes one object of this shape as ``RECIPE``."""

    name: ClassVar[str]  # e.g. "aws-popularity-count"
    recipe_type: ClassVar[str]  # USER_PERSONALIZATION | POPULAR_ITEMS | RELATED_ITEMS | ...
    description: ClassVar[str]

    def fit(self, data: TrainingData, config: TrainingConfig) -> Model:
        """Train a model. Raise ``TrainingError`` with a readable reason on bad data."""
        ...

    def load(self, path: Path) -> Model:
        """Read a model written by ``Model.save``."""
        ...


class TrainingError(Exception):
    """Training cannot proceed; the message becomes the version's failureReason."""


def write_npz(path: Path, entries: Mapping[str, np.ndarray]) -> None:
    """``entries`` as one uncompressed ``.npz`` file at ``path`` (numpy's own format, each
    array stored under its key). Raises OSError when the file cannot be written."""
    savez: Callable[..., None] = np.savez  # the stub types keyword entries as its flags'
    savez(path, **entries)


def save_npz(path: Path, header: Mapping[str, object], **arrays: np.ndarray) -> None:
    """Save arrays plus a JSON header; strings are stored as unicode arrays, never objects.

    Written to ``partial(path)`` (``<name>.tmp.npz``) first and renamed, so ``path`` is
    complete or absent; the partial file is removed when writing fails (OSError: a full disk,
    a folder not writable). A ``path`` that is itself a partial file (a training attempt's,
    ``model_files.attempt_partial``) is written in place: its job renames it when complete.
    """
    clean = {k: (v.astype(str) if v.dtype == object else v) for k, v in arrays.items()}
    tmp = partial(path)
    # Uncompressed: factors and scores barely compress, and a model of a 500,000-item shop
    # loads in a fraction of the time (it is loaded by every process that serves it).
    try:
        # Every array is numeric or str by now (``clean``), so the file holds no object array;
        # loading refuses object arrays (numpy's default).
        entries: dict[str, np.ndarray] = {"__header__": np.array(json.dumps(dict(header))), **clean}
        write_npz(tmp, entries)
        if tmp != path:
            tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk must not leave a partial file behind
        raise


def load_npz(
    path: Path, skip_if: Mapping[str, str] | None = None
) -> tuple[dict[str, object], dict[str, np.ndarray]]:
    """Inverse of ``save_npz``; string arrays come back as dtype object. ``skip_if`` maps a
    member not to read to the member whose presence makes it redundant (a file of an older
    layout that kept the same values twice)."""
    with np.load(path) as npz:  # numpy's default refuses object arrays
        header = json.loads(str(npz["__header__"]))
        skip = {k for k, other in (skip_if or {}).items() if other in npz.files}
        # each npz[k] reads the member from the file again: read every array once
        arrays = {k: npz[k] for k in npz.files if k != "__header__" and k not in skip}
    return header, {k: (a.astype(object) if a.dtype.kind == "U" else a) for k, a in arrays.items()}


def load_npz_array(path: Path, key: str) -> np.ndarray | None:
    """One array of a file written by ``save_npz`` (strings as dtype object, as ``load_npz``
    gives them), read without the others; None when the file has no ``key``.

    Raises:
        OSError, ValueError, EOFError, zipfile.BadZipFile: the file is missing, unreadable,
            truncated or damaged (as for ``load_npz``).
    """
    with np.load(path) as npz:  # numpy's default refuses object arrays
        if key not in npz.files:
            return None
        array = npz[key]
    return array.astype(object) if array.dtype.kind == "U" else array


class UpdatableRecipe(Recipe, Protocol):
    """A recipe that supports trainingMode UPDATE (new users and items, no full retrain)."""

    def update(self, model: Model, data: TrainingData, config: TrainingConfig) -> Model:
        """Return ``model`` refreshed with ``data``; the item model itself may stay as it was."""
        ...


class TunableRecipe(Recipe, Protocol):
    """A recipe that performHPO can tune: a small grid of hyperparameter overrides."""

    def hpo_candidates(self, config: TrainingConfig) -> list[dict[str, str]]:
        """Hyperparameter maps to try, each merged over ``config.hyperparameters``."""
        ...
