"""aws-user-personalization-v2: a self-attentive next-item model (SASRec family, softmax loss).

Personalize's User-Personalization-v2 is "a transformer-based architecture" whose "input
sequence is a user's item interaction history" (developer guide, User-Personalization-v2
recipe). Locally: a causal transformer over each user's newest items (``_sasrec_net``), trained
with JAX and optax against many sampled negatives (``_sasrec_train``), served with numpy
(``_sasrec_model``).

Hyperparameters (Personalize's string map; ranges in ``parameters.py``):

- ``apply_recency_bias`` (default true; the one Personalize documents): recent interactions
  weigh more in the loss: an event's weight rises linearly from 0.5 (the oldest event of the
  training data) to 1.0 (the newest); false = every event 1.0.
- ``hidden_dimension`` (64): the width of the item embeddings and of the network.
- ``bptt`` (50): the longest history the network reads; longer histories are cut into windows
  of this length for training (after the first epoch at a new random offset each epoch,
  ``_sasrec_train.RECUT_WINDOWS``), and only the newest ``bptt`` items count at request time.
- ``negative_samples`` (256): sampled negatives per position; a catalogue of at most
  ``negative_samples + 1`` items trains with full softmax over every other item instead.
- ``weight_decay`` (0.0): decoupled weight decay (AdamW) of the item embeddings
  and the network's weight matrices; each step also shrinks them by learning rate ×
  ``weight_decay`` (0 = plain Adam).
- ``cooccurrence_start`` (0.0): item embeddings start from their random values plus this
  multiple of co-occurrence embeddings (the truncated SVD of the positive PMI of items within
  ``PMI_WINDOW`` events of each other in the training windows, scaled to an RMS entry of 1;
  ``_sasrec_train.initial_embeddings``), so items seen together start close; 0 = the random
  start alone. It lifted MovieLens latest-small's validation split (few users for the
  catalogue; docs/benchmarks.md), not its three test seeds, and not the generated shop's
  split, so it is off by default.
  Only a fresh fit reads it: an UPDATE resumes from the model's embeddings.
- ``weight_averaging`` (0.8, [0, 0.99]): the model is an exponential moving average of the
  weights over epochs: after each epoch, average = ``weight_averaging`` × average + (1 −
  ``weight_averaging``) × the epoch's weights (the first epoch's weights start it;
  ``_sasrec_train.averaged``); that average is what is validated, kept and served. 0 = each
  epoch's own weights. One epoch to the next moved MovieLens' NDCG@10 by up to 16 %; the
  average is steadier and scored higher for users the fit never saw (docs/benchmarks.md,
  "v2: averaged weights").
- ``epochs`` (100) and ``max_training_seconds`` (300): whichever ends training first. Early
  stopping on the validation split (each user's last event held out of training; a split
  shaped like the offline metrics was measured and is not the default: ``_sasrec_validation``)
  may end it sooner; the model keeps the (averaged) weights of its best validation epoch and
  records which bound stopped it (``SequenceModel.training``). ``max_training_seconds`` counts
  training steps, not the one-off compilation: the wall clock of the version's whole training as
  ``models.training`` runs it, from the moment it has the data, less the seconds spent
  tracing and compiling the network's training steps (``_sasrec_train.compiled_step``; each
  fit's report has them as ``compile_seconds``). On a cold machine one compilation took 8.3 s
  and the demo's budget of 10 s gave each fit 5: counted, it left the metrics fit one step. A
  FULL version's two fits (on the metrics split, then on all the data) share the budget
  (``fit_deadline``: the metrics fit gets half of it, the final fit what is left, never less
  than ``MIN_FIT_SHARE``), with windowing and the metrics scoring between the fits inside it;
  the fits share their compiled steps (and ``TrainingConfig.cache_dir`` keeps them on disk
  for later versions and worker processes). Outside it: reading the data before, compiling,
  performHPO and AutoML trials (each trial has the budget to itself), and the final model's
  candidate index and file after. What can run past it: the step that crosses the deadline
  and the validation pass of its epoch (each fit's), and the final fit's floor when the
  metrics fit overran. 300 s by default, not 60: on the shared 2
  cores MovieLens latest-small's validation NDCG@10 peaked after about 22 epochs and the
  100k-event generated shop's after more than 10, 5-25 s each depending on the load; at 60 s
  per fit both stopped at the budget still improving (19 and 8 epochs).

Event weights of eventsConfig scale each position's loss, like v1's interaction weights.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

import numpy as np

from services.local.models.recipes.base import N_, TrainingConfig, TrainingData, TrainingError
from services.local.models.recipes.hyperparameter_values import hp_bool, hp_float, hp_int
from services.local.models.recipes.retrieval.calibration import (
    CALIBRATION_USERS,
    INDEX_MIN_ITEMS,
    calibrated_index,
)
from services.local.models.recipes.sequence._sasrec_model import SequenceModel
from services.local.models.recipes.sequence._sasrec_net import init_params, layers_of
from services.local.models.recipes.training_data.indexed_events import Indexed, index

LAYERS = 2  # attention blocks
WEIGHT_DECAY = 0.0  # the weight_decay hyperparameter's default
MAX_WEIGHT_DECAY = 100.0  # and its bound (parameters.py describes the same range)
COOCCURRENCE_START = 0.0  # the cooccurrence_start hyperparameter's default
MAX_COOCCURRENCE_START = 1.0  # and its bound (as parameters.py)
WEIGHT_AVERAGING = 0.8  # the weight_averaging hyperparameter's default
MAX_WEIGHT_AVERAGING = 0.99  # and its bound (as parameters.py)
MAX_VALIDATION_USERS = 2000
# The least share of max_training_seconds a fit gets when earlier fits of the version used
# up the budget: the final fit is the served model, so it is never reduced to nothing.
MIN_FIT_SHARE = 0.1


@dataclass(frozen=True)
class V2Settings:
    """The v2 hyperparameters, parsed and checked."""

    recency_bias: bool = True
    dim: int = 64
    length: int = 50
    negatives: int = 256
    epochs: int = 100
    seconds: float = 300.0
    weight_decay: float = WEIGHT_DECAY
    cooccurrence_start: float = COOCCURRENCE_START
    weight_averaging: float = WEIGHT_AVERAGING


def settings_from(config: TrainingConfig) -> V2Settings:
    """Settings from the hyperparameter map (names as in the module doc).

    Raises:
        TrainingError: a value that is not a number or is out of range.
    """
    hp = config.hyperparameters
    s = V2Settings(
        recency_bias=hp_bool(hp, "apply_recency_bias", True),
        dim=hp_int(hp, "hidden_dimension", 64),
        length=hp_int(hp, "bptt", 50),
        negatives=hp_int(hp, "negative_samples", 256),
        epochs=hp_int(hp, "epochs", 100),
        seconds=hp_float(hp, "max_training_seconds", 300.0),
        weight_decay=hp_float(hp, "weight_decay", WEIGHT_DECAY),
        cooccurrence_start=hp_float(hp, "cooccurrence_start", COOCCURRENCE_START),
        weight_averaging=hp_float(hp, "weight_averaging", WEIGHT_AVERAGING),
    )
    if min(s.dim, s.length, s.negatives, s.epochs) < 1 or not s.seconds > 0:
        raise TrainingError(
            "need hidden_dimension, bptt, negative_samples, epochs >= 1 and "
            "max_training_seconds > 0"
        )
    if not 0.0 <= s.weight_decay <= MAX_WEIGHT_DECAY:
        raise TrainingError(f"need 0 <= weight_decay <= {MAX_WEIGHT_DECAY:g}")
    if not 0.0 <= s.cooccurrence_start <= MAX_COOCCURRENCE_START:
        raise TrainingError(f"need 0 <= cooccurrence_start <= {MAX_COOCCURRENCE_START:g}")
    if not 0.0 <= s.weight_averaging <= MAX_WEIGHT_AVERAGING:
        raise TrainingError(f"need 0 <= weight_averaging <= {MAX_WEIGHT_AVERAGING:g}")
    return s


def fit_deadline(seconds: float, config: TrainingConfig) -> float:
    """When this fit must end (time.monotonic()): ``max_training_seconds`` (``seconds``) is
    the budget of a version's whole training, its fits sharing it (``TrainingConfig
    .clock_started``, ``fits_left``). A fit gets an equal share of what is left,
    ``(seconds − elapsed) / fits_left`` (``elapsed`` since the clock started, less what
    earlier fits spent compiling: ``earlier_compile_seconds``; ``train`` leaves this fit's
    compilation out of its deadline), so a FULL version's metrics fit gets about half and
    its final fit the rest, but never less than ``MIN_FIT_SHARE`` of the budget: a fit that
    an earlier one's overrun left with nothing still trains (at least one step, one epoch
    validated). A fit on its own (no clock) gets the whole budget."""
    now = time.monotonic()
    if config.clock_started is None:
        return now + seconds
    left = seconds - (now - config.clock_started - config.earlier_compile_seconds)
    return now + max(left / max(config.fits_left, 1), MIN_FIT_SHARE * seconds)


def event_weights(idx: Indexed, recency_bias: bool) -> np.ndarray:
    """Per-event loss weights: eventsConfig weight × recency (0.5 oldest → 1.0 newest)."""
    if not recency_bias:
        return idx.weights
    ts = idx.timestamps.astype(np.float64)
    span = float(ts.max() - ts.min()) if len(ts) else 0.0
    recency = 0.5 + 0.5 * (ts - ts.min()) / span if span > 0 else np.ones(len(ts))
    return idx.weights * recency


def windows(idx: Indexed, settings: V2Settings, seed: int):  # noqa: ANN201 (Windows; lazy import)
    """Training windows and the validation split of ``idx`` (sorted by user, time).

    The validation users are ``_sasrec_validation.plan``'s (at most ``MAX_VALIDATION_USERS``,
    drawn with ``seed``): by default every user with 3+ events gives its last event to
    validation and trains on the others; with ``VALIDATION_SPLIT = "held_out_users"`` 10 % of
    the users are held out of training whole and validate on their newest 10 %. Every other
    event but each user's first is a training target after the events before it. A user's
    targets fill windows of ``bptt`` from the newest back; ``Windows.recut`` cuts them again
    with the newest window ``offset`` targets short (``offset`` drawn in [0, ``bptt``) per user
    whose targets do not fit in one window, 0 for the others), or is None when the windows take
    more than ``_sasrec_train.RECUT_MAX_BYTES``.
    """
    from services.local.models.recipes.sequence import _sasrec_validation as validation
    from services.local.models.recipes.sequence._sasrec_train import RECUT_MAX_BYTES, Windows

    length = settings.length
    n = len(idx.users)
    codes = (idx.items + 1).astype(np.int32)
    weights = event_weights(idx, settings.recency_bias).astype(np.float32)
    starts = np.r_[0, np.flatnonzero(np.diff(idx.users)) + 1]
    ends = np.r_[starts[1:], n]  # exclusive
    chosen = validation.plan(starts, ends, seed, MAX_VALIDATION_USERS)
    held_out = validation.split(codes, starts, ends, chosen, length)
    train_end = ends.copy()
    # a validation user trains on its history, or on nothing when held out whole
    users = chosen.users
    train_end[users] = ends[users] - chosen.held if chosen.warm else starts[users]
    # targets: every event but each user's first (and the validation users' events)
    user_of = np.repeat(np.arange(len(starts)), ends - starts)
    pos = np.arange(n)
    target = (pos > starts[user_of]) & (pos < train_end[user_of])
    # 0 = the user's newest training target
    back = (train_end[user_of] - 1 - pos)[target].astype(np.int32)
    per_user = np.maximum(train_end - starts - 1, 0)
    owner = user_of[target].astype(np.int32)
    tpos = pos[target]
    del user_of, pos, target

    def cut(offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # each user's targets, newest first, in windows of ``length``; a user's newest window
        # holds ``length − offset`` targets (right-aligned), the older ones full windows
        user_windows = -(-(per_user + offsets) // length)
        first_window = np.r_[0, np.cumsum(user_windows)[:-1]]
        shifted = back + offsets[owner]
        local = shifted // length
        col = length - 1 - shifted % length + np.where(local == 0, offsets[owner], 0)
        win = first_window[owner] + local
        total = int(user_windows.sum())
        x = np.zeros((total, length), dtype=np.int32)
        y = np.zeros((total, length), dtype=np.int32)
        w = np.zeros((total, length), dtype=np.float32)
        x[win, col] = codes[tpos - 1]
        y[win, col] = codes[tpos]
        w[win, col] = weights[tpos]
        return x, y, w

    def recut(gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # users longer than a window start their windows at a random offset each epoch
        offsets = np.where(per_user > length, gen.integers(0, length, len(per_user)), 0)
        return cut(offsets)

    x, y, w = cut(np.zeros(len(per_user), dtype=np.int32))
    small = x.nbytes + y.nbytes + w.nbytes <= RECUT_MAX_BYTES
    again = recut if small else None  # None: nothing of the re-cut is kept
    return Windows(x=x, y=y, w=w, validation=held_out, recut=again)


def sampled_histories(data: TrainingData, n: int, seed: int) -> list[list[str]]:
    """The item IDs of up to ``n`` users of ``data``'s interactions drawn with ``seed``,
    each user's oldest first (stably by TIMESTAMP): the histories an index is calibrated on."""
    frame = data.interactions
    if not len(frame):
        return []
    users = frame["USER_ID"].unique()
    rng = np.random.default_rng(seed)
    chosen = rng.choice(users, size=min(n, len(users)), replace=False)
    rows = frame.loc[frame["USER_ID"].isin(chosen), ["USER_ID", "ITEM_ID", "TIMESTAMP"]]
    rows = rows.sort_values(["USER_ID", "TIMESTAMP"], kind="stable")
    return [g.astype(str).tolist() for _, g in rows.groupby("USER_ID", sort=True)["ITEM_ID"]]


class UserPersonalizationV2Recipe:
    """A causal transformer over each user's item sequence (see module doc)."""

    name: ClassVar[str] = "aws-user-personalization-v2"
    recipe_type: ClassVar[str] = "USER_PERSONALIZATION"
    description: ClassVar[str] = N_("Next items from the order of the user's recent history.")

    def __init__(self, index_min_items: int = INDEX_MIN_ITEMS) -> None:
        """``index_min_items``: catalogue size from which the model keeps a candidate index
        over its item embeddings for GetRecommendations (``retrieval``); smaller catalogues
        scan every item."""
        self.index_min_items = index_min_items

    def for_serving(
        self, model: SequenceModel, config: TrainingConfig, data: TrainingData
    ) -> SequenceModel:
        """The model a solution version saves: with a candidate index over the item embeddings
        when the catalogue has at least ``index_min_items`` items and a search of it,
        calibrated on the network's output for up to ``CALIBRATION_USERS`` users of ``data``
        (drawn with the seed, their interactions oldest first, as a request reads them),
        finds the exact top 25 as ``retrieval.calibration.calibrate`` asks; otherwise the
        exact scan, with the calibration saying why. Personalized-Ranking-v2 ranks given lists:
        no index.
        Called on the final fit, and by ``update``, whose training moves every embedding."""
        n = len(model.item_ids)
        if self.recipe_type != "USER_PERSONALIZATION" or n < max(self.index_min_items, 1):
            return model
        emb = model.params["item_emb"][1:]  # row 0 is the padding code
        users = model.user_vectors(sampled_histories(data, CALIBRATION_USERS, config.seed))
        index, calibration = calibrated_index(
            emb, np.arange(n), users, config.seed, checkpoint=config.checkpoint
        )
        return replace(model, retrieval=index, retrieval_calibration=calibration)

    def fit(self, data: TrainingData, config: TrainingConfig) -> SequenceModel:
        """Train the network from a seeded initialisation."""
        settings = settings_from(config)
        idx = index(data, config)
        params = init_params(len(idx.item_ids), settings.dim, settings.length, LAYERS, config.seed)
        return self._train(idx, params, settings, config, fresh=True)

    def update(
        self, model: SequenceModel, data: TrainingData, config: TrainingConfig
    ) -> SequenceModel:
        """trainingMode UPDATE: new items get fresh embeddings and training resumes from the
        model's weights (same network size), within the same epoch and time bounds."""
        settings = settings_from(config)
        idx = index(data, config, known_items=model.item_ids)
        dim, length = model.params["item_emb"].shape[1], model.length
        fresh = init_params(len(idx.item_ids), dim, length, layers_of(model.params), config.seed)
        params = {k: np.array(v, dtype=np.float32) for k, v in model.params.items()}
        old = len(model.item_ids) + 1
        params["item_emb"] = np.vstack([params["item_emb"], fresh["item_emb"][old:]])
        trained = self._train(idx, params, replace(settings, dim=dim, length=length), config)
        return self.for_serving(trained, config, data)

    def _train(
        self,
        idx: Indexed,
        params: dict[str, np.ndarray],
        settings: V2Settings,
        config: TrainingConfig,
        fresh: bool = False,
    ) -> SequenceModel:
        from services.local.models.recipes.sequence._sasrec_train import (
            Budget,
            initial_embeddings,
            train,
            use_compile_cache,
        )

        deadline = fit_deadline(settings.seconds, config)
        if config.cache_dir is not None:
            use_compile_cache(config.cache_dir)
        data = windows(idx, settings, config.seed)
        if not len(data.x):
            raise TrainingError("v2 needs users with at least 2 interactions to learn sequences")
        start = settings.cooccurrence_start if fresh else 0.0
        params["item_emb"] = initial_embeddings(params["item_emb"], data, config.seed, start)
        budget = Budget(
            settings.epochs,
            settings.seconds,
            settings.negatives,
            config.seed,
            weight_decay=settings.weight_decay,
            deadline=deadline,
            checkpoint=config.checkpoint,
            averaging=settings.weight_averaging,
        )
        best, report = train(params, data, budget)
        report = {**report, "cooccurrence_start": start}
        if config.clock_started is not None:
            # the version's training so far on the budget's clock (every fit sharing the
            # budget included) and what its fits spent compiling, which the clock leaves out
            compiled = config.earlier_compile_seconds + report["compile_seconds"]
            report["version_seconds"] = round(time.monotonic() - config.clock_started - compiled, 3)
            report["version_compile_seconds"] = round(compiled, 3)
        # popularity (distinct users per item) is what an unknown user gets, as with v1
        return SequenceModel(self.name, idx.item_ids, idx.distinct_users(), best, report)

    def load(self, path: Path) -> SequenceModel:
        """Read a model written by ``SequenceModel.save``."""
        return SequenceModel.load(path)


RECIPE = UserPersonalizationV2Recipe()
