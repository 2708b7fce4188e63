"""aws-user-personalization: recency-aware EASE / ALS with a sequential term.

Hyperparameters (Personalize's string map; names of the real recipe where they exist):

- ``bptt`` (default 50): how many of the latest history items a recommendation looks at.
- ``recency_mask`` (default true): weight recent history more; false = all items equal.
- ``recency_decay`` (default 0.9): weight of the j-th most recent history item is decay**j.
- ``training_recency_decay`` (default 0.995): the same, per user, on the training interactions.
- ``sequence_weight`` (default 0.3): share of the "what usually comes next" term.
- ``lambda`` (default 200): EASE's L2 regularisation.
- ``min_item_interactions`` (default 3): rarer items are left out of the item model.
- ``max_dense_items`` (default 6000): above this many active items, ALS replaces EASE because
  EASE inverts a dense items × items matrix (memory grows with its square, time with its cube).
- ``neighbours`` (default 200): EASE weights kept per item, so models stay small and fast.
- ``hidden_dimension`` (default 64), ``als_iterations`` (15), ``als_alpha`` (10),
  ``als_regularization`` (0.05): ALS settings.

Personalize documents hidden_dimension 149 and bptt 32 as defaults, and DescribeAlgorithm says
so; why the local defaults differ is in ``parameters.py``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import numpy as np
import scipy.linalg.lapack as lapack
import scipy.sparse as sp

from services.local.models.recipes.base import (
    N_,
    Checkpoint,
    TrainingConfig,
    TrainingData,
    TrainingError,
    no_checkpoint,
)
from services.local.models.recipes.hyperparameter_values import hp_bool, hp_float, hp_int
from services.local.models.recipes.retrieval.calibration import (
    CALIBRATION_USERS,
    INDEX_MIN_ITEMS,
    Calibration,
    calibrated_index,
)
from services.local.models.recipes.retrieval.index_file import CandidateIndex
from services.local.models.recipes.retrieval.norm_ordered import NormOrderedIndex
from services.local.models.recipes.training_data.indexed_events import Indexed, index
from services.local.models.recipes.users._up_model import UPParams, UserPersonalizationModel


def params_from(config: TrainingConfig) -> UPParams:
    """Scoring settings from the hyperparameter map."""
    hp = config.hyperparameters
    decay = hp_float(hp, "recency_decay", 0.9) if hp_bool(hp, "recency_mask", True) else 1.0
    p = UPParams(
        history_length=hp_int(hp, "bptt", 50),
        recency_decay=decay,
        sequence_weight=hp_float(hp, "sequence_weight", 0.3),
        als_regularization=hp_float(hp, "als_regularization", 0.05),
    )
    if not (0 < p.recency_decay <= 1 and 0 <= p.sequence_weight <= 1 and p.history_length > 0):
        raise TrainingError("need 0 < recency_decay <= 1, 0 <= sequence_weight <= 1, bptt > 0")
    return p


def training_weights(idx: Indexed, decay: float) -> np.ndarray:
    """Event weights times decay**(events since), per user; idx is sorted by user, time."""
    if decay >= 1.0:
        return idx.weights
    n = len(idx.users)
    last = np.r_[np.flatnonzero(np.diff(idx.users)), n - 1]  # last event of each user
    end = np.repeat(last, np.diff(np.r_[-1, last]))
    return idx.weights * decay ** (end - np.arange(n)).astype(np.float64)


def transitions(idx: Indexed, window: int) -> sp.csr_matrix:
    """Row-normalised counts of "j within ``window`` events after i" by the same user."""
    n = len(idx.item_ids)
    rows, cols, vals = [], [], []
    for off in range(1, window + 1):
        # same user, and not a repeat of the same item (no self-transitions)
        same = (idx.users[off:] == idx.users[:-off]) & (idx.items[off:] != idx.items[:-off])
        rows.append(idx.items[:-off][same])
        cols.append(idx.items[off:][same])
        vals.append(np.full(int(same.sum()), 1.0 / off))
    t = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )
    t.sum_duplicates()
    sums = np.asarray(t.sum(axis=1)).ravel()
    sums[sums == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / sums) @ t, dtype=np.float32)


def histories(idx: Indexed, length: int) -> sp.csr_matrix:
    """users × ``length``: the latest item codes (+1, int64) per user, oldest in column 0."""
    n = len(idx.users)
    last = np.r_[np.flatnonzero(np.diff(idx.users)), n - 1]
    end = np.repeat(last, np.diff(np.r_[-1, last]))
    back = end - np.arange(n)  # 0 = the user's latest event
    keep = back < length
    shape = (len(idx.user_ids), length)
    col = length - 1 - back[keep]
    codes = idx.items[keep].astype(np.int64) + 1
    return sp.csr_matrix((codes, (idx.users[keep], col)), shape=shape, dtype=np.int64)


def ease(x: sp.csr_matrix, lam: float, neighbours: int) -> sp.csr_matrix:
    """EASE weights B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, top ``neighbours`` per row."""
    g = (x.T @ x).toarray().astype(np.float32)
    g[np.diag_indices_from(g)] += lam
    c, info = lapack.spotrf(g, lower=False, overwrite_a=True)
    if info != 0:
        raise TrainingError(f"EASE: Gram matrix not positive definite (info={info})")
    p, info = lapack.spotri(c, lower=False, overwrite_c=True)
    if info != 0:
        raise TrainingError(f"EASE: inversion failed (info={info})")
    p = np.triu(p) + np.triu(p, 1).T
    b = p / (-np.diag(p))[None, :]
    np.fill_diagonal(b, 0.0)
    k = min(neighbours, b.shape[1] - 1)
    if k <= 0:
        return sp.csr_matrix(b.shape, dtype=np.float32)
    top = np.argpartition(-np.abs(b), k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(b.shape[0]), k)
    vals = np.take_along_axis(b, top, axis=1).ravel()
    return sp.csr_matrix((vals, (rows, top.ravel())), shape=b.shape, dtype=np.float32)


ALS_PHASE = "ALS iterations"


def als_factors(x: sp.csr_matrix, config: TrainingConfig) -> np.ndarray:
    """Item factors of implicit's ALS on the users × items confidence matrix."""
    from implicit.cpu.als import AlternatingLeastSquares  # heavy import: only when needed

    hp = config.hyperparameters
    iterations = hp_int(hp, "als_iterations", 15)
    model = AlternatingLeastSquares(
        factors=hp_int(hp, "hidden_dimension", 64),
        regularization=hp_float(hp, "als_regularization", 0.05),
        alpha=hp_float(hp, "als_alpha", 10.0),
        iterations=iterations,
        random_state=config.seed,
        num_threads=min(2, os.cpu_count() or 1),
    )

    def iterated(iteration: int, _seconds: float, _loss: float | None) -> None:
        # implicit 0.7 calls this after each iteration (0-based); an exception ends the fit
        config.checkpoint(ALS_PHASE, iteration + 1, iterations)

    config.checkpoint(ALS_PHASE, 0, iterations)
    model.fit(x.astype(np.float32), show_progress=False, callback=iterated)
    return np.asarray(model.item_factors, dtype=np.float32)


def item_model(
    idx: Indexed, config: TrainingConfig, pop: np.ndarray
) -> tuple[sp.csr_matrix | None, np.ndarray | None]:
    """EASE neighbours for a small active catalogue, otherwise ALS factors."""
    hp = config.hyperparameters
    w = training_weights(idx, hp_float(hp, "training_recency_decay", 0.995))
    x = idx.matrix(w)
    x.data = np.log1p(x.data) / np.log(2.0)  # repeats count, but less than linearly
    active = np.flatnonzero(pop >= hp_int(hp, "min_item_interactions", 3))
    if 0 < len(active) <= hp_int(hp, "max_dense_items", 6000):
        b = ease(x[:, active], hp_float(hp, "lambda", 200.0), hp_int(hp, "neighbours", 200))
        n = len(idx.item_ids)
        coo = b.tocoo()
        full = sp.csr_matrix((coo.data, (active[coo.row], active[coo.col])), shape=(n, n))
        return full, None
    if not len(active):
        return None, als_factors(x, config)
    # Like EASE, ALS learns only the items with enough interactions; the rest keep zero
    # factors (the sequential term and popularity still reach them) and cost nothing to score.
    factors = np.zeros((x.shape[1], hp_int(hp, "hidden_dimension", 64)), dtype=np.float32)
    factors[active] = als_factors(x[:, active].tocsr(), config)
    return None, factors


class UserPersonalizationRecipe:
    """Recency-aware item-to-item personalisation (see module doc)."""

    name: ClassVar[str] = "aws-user-personalization"
    recipe_type: ClassVar[str] = "USER_PERSONALIZATION"
    description: ClassVar[str] = N_("Personalised items from the user's recent history.")

    def __init__(self, index_min_items: int = INDEX_MIN_ITEMS) -> None:
        """``index_min_items``: learned (ALS) items from which the model keeps a candidate
        index for GetRecommendations (``retrieval``); smaller catalogues scan every item."""
        self.index_min_items = index_min_items

    def fit(self, data: TrainingData, config: TrainingConfig) -> UserPersonalizationModel:
        """Train the item model, the transitions and the stored histories."""
        params = params_from(config)
        idx = index(data, config)
        config.checkpoint("item model", 0, 1)
        neighbours, factors = item_model(idx, config, idx.popularity())
        return self._model(idx, params, neighbours, factors, checkpoint=config.checkpoint)

    def for_serving(
        self, model: UserPersonalizationModel, config: TrainingConfig, data: TrainingData
    ) -> UserPersonalizationModel:
        """The model a solution version saves: with a candidate index when its ALS learned at
        least ``index_min_items`` items and a search of it, calibrated on the fold-in vectors
        of up to ``CALIBRATION_USERS`` training users (drawn with the seed; the model keeps
        their histories, so ``data`` is not read again), finds the exact top 25 and the
        score scale's item as ``retrieval.calibration.calibrate`` asks; otherwise the exact
        scan, with the calibration saying why. Personalized-Ranking ranks given lists: no index.

        Called once, on the final fit (the metrics split's and HPO's fits are scored offline
        with the exact scan and never served, so they build no index).
        """
        factors = model.factors
        if factors is None or self.recipe_type != "USER_PERSONALIZATION":
            return model
        if model.factor_codes is not None:  # already the learned rows (a model saved so)
            learned, rows = model.factor_codes, factors
        else:
            learned = np.flatnonzero(np.any(factors != 0, axis=1))
            # every item learned (the serving shop): the rows themselves, not a 1.28 GB copy
            rows = factors if len(learned) == len(factors) else factors[learned]
        if len(learned) < max(self.index_min_items, 1):
            return model
        users = model.sampled_user_vectors(CALIBRATION_USERS, config.seed)
        index, calibration = calibrated_index(
            rows, learned, users, config.seed, scale=True, checkpoint=config.checkpoint
        )
        del rows
        if isinstance(index, NormOrderedIndex):
            # the model keeps the index's sorted rows as its factors, so that serving holds
            # them once (5,000,000 × 64 float32: 1.28 GB), and the file keeps them once
            return replace(
                model, factors=index.vectors, factor_codes=index.codes, retrieval=index,
                retrieval_calibration=calibration,
            )  # fmt: skip
        return replace(model, retrieval=index, retrieval_calibration=calibration)

    def update(
        self, model: UserPersonalizationModel, data: TrainingData, config: TrainingConfig
    ) -> UserPersonalizationModel:
        """trainingMode UPDATE: new items and users, fresh transitions, same item model.

        New items get no EASE/ALS weights until the next FULL training, but they enter the
        catalogue, the popularity counts and the sequential term, so they can be recommended.
        """
        idx = index(data, config, known_items=model.item_ids)
        n_old, n = len(model.item_ids), len(idx.item_ids)
        neighbours, factors = model.neighbours, model.factors
        if neighbours is not None:
            neighbours = sp.csr_matrix(sp.block_diag([neighbours, sp.csr_matrix((n - n_old,) * 2)]))
        if factors is not None and model.factor_codes is None:
            pad = np.zeros((n - n_old, factors.shape[1]), dtype=factors.dtype)
            factors = np.vstack([factors, pad])
        # new items are appended with zero factors (or, when the factors are the learned
        # rows only, get none): the index's item codes stay valid (and the user vectors of
        # the same factors: the calibration holds too)
        return self._model(
            idx, replace(model.params), neighbours, factors, model.retrieval,
            model.retrieval_calibration, model.factor_codes,
        )  # fmt: skip

    def _model(
        self,
        idx: Indexed,
        params: UPParams,
        neighbours: sp.csr_matrix | None,
        factors: np.ndarray | None,
        retrieval: CandidateIndex | None = None,
        calibration: Calibration | None = None,
        factor_codes: np.ndarray | None = None,
        checkpoint: Checkpoint = no_checkpoint,
    ) -> UserPersonalizationModel:
        """The model over ``idx``'s catalogue and users with the given item model: popularity,
        transitions and histories are always computed from ``idx`` (``checkpoint`` is called
        before each of those passes)."""
        checkpoint("transitions and histories", 0, 1)
        return UserPersonalizationModel(
            recipe_name=self.name,
            item_ids=idx.item_ids,
            # what an unknown user gets: the same popular items as Popularity-Count
            popularity=idx.distinct_users(),
            params=params,
            neighbours=neighbours,
            factors=factors,
            transitions=transitions(idx, params.sequence_window),
            user_ids=idx.user_ids,
            user_histories=histories(idx, params.history_length),
            retrieval=retrieval,
            retrieval_calibration=calibration,
            factor_codes=factor_codes,
        )

    def hpo_candidates(self, config: TrainingConfig) -> list[dict[str, str]]:
        """performHPO's small grid around the defaults."""
        return [
            {},
            {"lambda": "50"},
            {"lambda": "800"},
            {"recency_decay": "0.8", "sequence_weight": "0.5"},
            {"recency_decay": "0.97", "sequence_weight": "0.1"},
        ]

    def load(self, path: Path) -> UserPersonalizationModel:
        """Read a model written by ``UserPersonalizationModel.save``."""
        return UserPersonalizationModel.load(path)


RECIPE = UserPersonalizationRecipe()
