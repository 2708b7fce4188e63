"""Offline quality of v1 and v2 vs tuned baselines, order-agnostic and order-aware.

Run: OPENBLAS_NUM_THREADS=1 nice -n 5 .venv/bin/python bench/quality.py [--seeds 3] [--data ml,shop]
     [--models NAME,...]  (only those rows, and only their tuning fits)

Protocol (what a sceptical reviewer asks for):

- Personalize's split (``metrics.split_users``: 10 % of users scored on their newest 10 %) for
  split seeds 42, 43, ...; metrics from the engine's own ``metrics.evaluate``.
- Every baseline is tuned once per dataset on a validation split carved from training data
  only: the reported seeds' test users are all removed first, then ``split_users`` with a seed
  of its own draws the validation users. The reported seeds are never used for tuning. The
  engine's recipes run with their defaults (their own validation-based early stopping/HPO is
  theirs), except that v2 is bounded by ``V2_EPOCHS`` epochs instead of seconds, so a table
  does not depend on the machine's load.
- Every model, recipes included, gets the same option on that validation split: serve the
  user's history items or leave them out of the list (``Excluding``, what a filter excluding
  the user's interactions does); the better one is used. The engine itself serves history
  items unless a filter (or a domain recommender's automatic filter) removes them.
- Order-agnostic baselines: popularity, implicit ALS (factors, regularization, iterations and
  alpha tuned coordinate-wise), item-item cosine (K tuned), dense EASE (λ grid widened past
  its edge until the best λ is inside it).
- Order-aware baselines: "what follows what" transitions (item → next item counts from the
  training sequences, scored from the user's last 1-3 items with a tuned decay), alone and
  blended with EASE (tuned weight).
- Ablations of aws-user-personalization through its own hyperparameters: recency off
  (``recency_mask=false``, ``training_recency_decay=1``), sequence term off
  (``sequence_weight=0``), both off.
- Each measured fit runs in a fresh interpreter (multiprocessing spawn context, one process
  per model and seed): a child inherits its parent's peak RSS, so the parent cannot measure
  it. "peak MiB" is the child's whole peak RSS (interpreter, data, fit and scoring), "fit MiB"
  the RSS growth during the fit (both psutil, sampled every 5 ms). "train s" is the fit on
  the split's training users (recipes: ``recipe.fit``, without the engine's refit on all
  data).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil
import scipy.linalg.lapack as lapack
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.local.models import metrics  # noqa: E402
from services.local.models.recipes import RECIPES  # noqa: E402
from services.local.models.recipes.base import TrainingConfig, TrainingData  # noqa: E402
from services.local.models.recipes.popular.popularity import PopularityModel  # noqa: E402
from services.local.models.recipes.training_data import index  # noqa: E402
from services.local.models.training import check_minimums  # noqa: E402

# implicit's CosineRecommender normalises into a COO matrix and then warns about it
warnings.filterwarnings("ignore", message="Method expects CSR input")

ML_RATINGS = Path(__file__).resolve().parents[2] / "shared/data/movielens-latest-small/ratings.csv"
NDCG10 = "normalized_discounted_cumulative_gain_at_10"
KEYS = [
    ("NDCG@5", "normalized_discounted_cumulative_gain_at_5"),
    ("NDCG@10", NDCG10),
    ("NDCG@25", "normalized_discounted_cumulative_gain_at_25"),
    ("P@10", "precision_at_10"),
    ("MRR@25", "mean_reciprocal_rank_at_25"),
    ("coverage", "coverage"),
]
VALIDATION_SEED = 7  # draws the tuning split's validation users; not a reported seed


def load_movielens() -> TrainingData | None:
    """MovieLens latest-small, every rating an implicit interaction of type "rating"."""
    if not ML_RATINGS.exists():
        print(f"skipping MovieLens: {ML_RATINGS} not found")
        return None
    r = pd.read_csv(ML_RATINGS)
    df = pd.DataFrame(
        {
            "USER_ID": r["userId"].astype(str),
            "ITEM_ID": r["movieId"].astype(str),
            "TIMESTAMP": r["timestamp"].astype("int64"),
            "EVENT_TYPE": "rating",
            "EVENT_VALUE": r["rating"].astype("float64"),
        }
    )
    return TrainingData(df)


def generate_shop(
    n_interactions: int = 100_000, seed: int = 0, n_items: int | None = None
) -> TrainingData:
    """A seeded e-commerce log: power-law item popularity, categories, sessions, drifting taste.

    Users shop in sessions of 2-8 views inside one category, drifting between neighbouring
    items; a user's taste (two favourite categories) moves to a new category now and then, so
    recent sessions predict the next ones better than old ones.
    """
    rng = np.random.default_rng(seed)
    n_items = n_items or max(50, n_interactions // 20)
    n_users = max(30, n_interactions // 30)
    n_cat = max(5, n_items // 100)
    cat_of = np.sort(rng.integers(0, n_cat, n_items))  # neighbouring items share a category
    starts = np.searchsorted(cat_of, np.arange(n_cat + 1))
    item_pop = 1.0 / rng.permutation(np.arange(1, n_items + 1)) ** 0.9
    # per-user number of events: heavy-tailed, mean ≈ n_interactions / n_users
    per_user = rng.pareto(2.0, n_users) + 1.0
    per_user = np.maximum(2, np.round(per_user / per_user.sum() * n_interactions)).astype(int)
    users, items, times = [], [], []
    t0 = 1_600_000_000
    for u in range(n_users):
        taste = list(rng.integers(0, n_cat, 2))
        t = t0 + int(rng.integers(0, 200 * 86_400))
        left = per_user[u]
        while left > 0:
            if rng.random() < 0.15:
                taste[int(rng.integers(0, 2))] = int(rng.integers(0, n_cat))
            c = taste[0] if rng.random() < 0.6 else taste[1]
            lo, hi = starts[c], max(starts[c] + 1, starts[c + 1])
            p = item_pop[lo:hi] / item_pop[lo:hi].sum()
            cur = lo + int(rng.choice(hi - lo, p=p))
            for _ in range(min(left, int(rng.integers(2, 9)))):
                users.append(u)
                items.append(cur)
                times.append(t)
                t += int(rng.integers(20, 600))
                step = int(rng.integers(-3, 4))
                cur = cur + step if lo <= cur + step < hi else lo + int(rng.choice(hi - lo, p=p))
                left -= 1
            t += int(rng.exponential(3 * 86_400))
    df = pd.DataFrame(
        {
            "USER_ID": np.char.add("user", np.asarray(users).astype(str)),
            "ITEM_ID": np.char.add("sku", np.asarray(items).astype(str)),
            "TIMESTAMP": np.asarray(times, dtype=np.int64),
            "EVENT_TYPE": "view",
            "EVENT_VALUE": np.nan,
        }
    )
    return TrainingData(df.astype({"USER_ID": object, "ITEM_ID": object}))


class PeakRss:
    """Peak RSS growth (bytes) while the block runs, sampled by a thread."""

    def __enter__(self) -> PeakRss:
        self._proc = psutil.Process()
        self.base = self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)

    @property
    def delta_mib(self) -> float:
        return (self.peak - self.base) / 2**20


class ScoreModel:
    """A baseline as a Model: ``fn`` maps history item codes (oldest first) to scores."""

    def __init__(
        self, item_ids: np.ndarray, pop: np.ndarray, fn: Callable[[np.ndarray], np.ndarray]
    ) -> None:
        self.recipe_name, self.item_ids, self.popularity, self.fn = "baseline", item_ids, pop, fn
        self._pos = {str(i): k for k, i in enumerate(item_ids)}

    def score_user(self, user_id: str | None, history: Sequence[str]) -> np.ndarray | None:
        codes = np.asarray([self._pos[h] for h in history if h in self._pos], dtype=np.int64)
        return self.fn(codes) if len(codes) else None

    def score_item(self, item_id: str) -> np.ndarray | None:
        return None

    def save(self, path: Path) -> None:
        raise NotImplementedError


class Excluding:
    """``model`` with the items of the user's history left out of the list (scores −inf):
    what a filter ``EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (...)`` does when it
    names every event type. A user the model cannot personalise for gets popularity, minus
    their history, as the runtime serves it. (−inf scores, not a mask: a list reaches them
    only when the catalogue holds fewer than history + 25 items, never in these data sets.)"""

    def __init__(self, model: Any) -> None:
        self.model, self.recipe_name = model, model.recipe_name
        self.item_ids, self.popularity = model.item_ids, model.popularity
        self._pos = {str(i): k for k, i in enumerate(model.item_ids)}
        if hasattr(model, "score_users"):
            self.score_users = self._score_users

    def _seen(self, history: Sequence[str]) -> list[int]:
        return [self._pos[h] for h in history if h in self._pos]

    def score_user(self, user_id: str | None, history: Sequence[str]) -> np.ndarray:
        scores = self.model.score_user(user_id, history)
        out = np.array(self.popularity if scores is None else scores, dtype=np.float64)
        out[self._seen(history)] = -np.inf
        return out

    def _score_users(
        self, user_ids: Sequence[str | None], histories: Sequence[Sequence[str]]
    ) -> tuple[np.ndarray, np.ndarray]:
        scores, personalised = self.model.score_users(user_ids, histories)
        scores[~personalised] = self.popularity
        for row, history in enumerate(histories):
            scores[row, self._seen(history)] = -np.inf
        return scores, np.ones(len(user_ids), dtype=bool)

    def score_item(self, item_id: str) -> np.ndarray | None:
        return None

    def save(self, path: Path) -> None:
        raise NotImplementedError


def build(name: str, train: TrainingData, p: dict[str, Any]) -> Any:
    """``name``'s model fitted on ``train`` with settings ``p``; ``p["exclude"]`` wraps it in
    ``Excluding``."""
    model = BUILDERS[name](train, p)
    return Excluding(model) if p.get("exclude") else model


def _binary(train: TrainingData) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
    idx = index(train, TrainingConfig())
    x = idx.matrix()
    x.data[:] = 1.0
    return idx.item_ids, idx.popularity(), x


def baseline_popularity(train: TrainingData, p: dict[str, Any]) -> PopularityModel:
    idx = index(train, TrainingConfig())
    return PopularityModel("popularity", idx.item_ids, idx.popularity())


def baseline_als(train: TrainingData, p: dict[str, Any]) -> ScoreModel:
    """implicit ALS; test users folded in with recalculate_user."""
    from implicit.cpu.als import AlternatingLeastSquares

    items, pop, x = _binary(train)
    als = AlternatingLeastSquares(
        factors=int(p["factors"]),
        regularization=float(p["regularization"]),
        iterations=int(p["iterations"]),
        alpha=float(p["alpha"]),
        random_state=0,
        num_threads=2,
    )
    als.fit(x.astype(np.float32), show_progress=False)
    n = len(items)

    def fn(h: np.ndarray) -> np.ndarray:
        row = sp.csr_matrix((np.ones(len(h), np.float32), (np.zeros(len(h)), h)), shape=(1, n))
        u = np.asarray(als.recalculate_user(0, row)).ravel()
        return als.item_factors @ u

    return ScoreModel(items, pop, fn)


def baseline_cosine(train: TrainingData, p: dict[str, Any]) -> ScoreModel:
    """implicit item-item cosine; a user's scores sum the neighbours of their items."""
    from implicit.nearest_neighbours import CosineRecommender

    items, pop, x = _binary(train)
    knn = CosineRecommender(K=int(p["K"]), num_threads=2)
    knn.fit(x, show_progress=False)
    sim = knn.similarity.tocsr()
    return ScoreModel(items, pop, lambda h: np.asarray(sim[h].sum(axis=0)).ravel())


def _ease_dense(x: sp.csr_matrix, lam: float) -> np.ndarray:
    g = (x.T @ x).toarray().astype(np.float32)
    g[np.diag_indices_from(g)] += lam
    c, _ = lapack.spotrf(g, lower=False, overwrite_a=True)
    p, _ = lapack.spotri(c, lower=False, overwrite_c=True)
    p = np.triu(p) + np.triu(p, 1).T
    b = p / (-np.diag(p))[None, :]
    np.fill_diagonal(b, 0.0)
    return b


_EASE_CACHE: dict[tuple[int, float], np.ndarray] = {}


def _ease_of(train: TrainingData, lam: float) -> np.ndarray:
    """EASE weights of ``train``; tuning reuses the last one (one dense matrix kept at most)."""
    key = (id(train), lam)
    if key not in _EASE_CACHE:
        _EASE_CACHE.clear()
        _EASE_CACHE[key] = _ease_dense(_binary(train)[2], lam)
    return _EASE_CACHE[key]


def baseline_ease(train: TrainingData, p: dict[str, Any]) -> ScoreModel:
    """Dense EASE over the whole catalogue, uniform history."""
    items, pop, x = _binary(train)
    b = _ease_dense(x, float(p["lambda"]))
    return ScoreModel(items, pop, lambda h: b[h].sum(axis=0))


def next_item_counts(train: TrainingData) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
    """Items, popularity and the row-normalised "j right after i" counts (same user, j ≠ i)."""
    idx = index(train, TrainingConfig())  # sorted by user, then time
    same = (idx.users[1:] == idx.users[:-1]) & (idx.items[1:] != idx.items[:-1])
    n = len(idx.item_ids)
    t = sp.csr_matrix(
        (np.ones(int(same.sum())), (idx.items[:-1][same], idx.items[1:][same])), shape=(n, n)
    )
    t.sum_duplicates()
    sums = np.asarray(t.sum(axis=1)).ravel()
    sums[sums == 0] = 1.0
    return idx.item_ids, idx.popularity(), sp.csr_matrix(sp.diags(1.0 / sums) @ t)


def _transition_scores(t: sp.csr_matrix, h: np.ndarray, last: int, decay: float) -> np.ndarray:
    """Σ_j decay**j · T[h_(−1−j)] over the user's ``last`` newest items."""
    recent = h[::-1][:last]
    w = decay ** np.arange(len(recent))
    return np.asarray(t[recent].T @ w).ravel()


def _unit(v: np.ndarray) -> np.ndarray:
    top = float(np.max(np.abs(v))) if len(v) else 0.0
    return v / top if top > 0 else v


def baseline_transitions(train: TrainingData, p: dict[str, Any]) -> ScoreModel:
    """ "What follows what": next-item transitions from the user's last items, decayed."""
    items, pop, t = next_item_counts(train)
    last, decay = int(p["last"]), float(p["decay"])
    # popularity breaks ties (and fills the list) when the transitions run out
    tie = _unit(pop.astype(np.float64)) * 1e-6
    return ScoreModel(items, pop, lambda h: _transition_scores(t, h, last, decay) + tie)


def baseline_transitions_ease(train: TrainingData, p: dict[str, Any]) -> ScoreModel:
    """Transitions blended with dense EASE: (1 − w)·EASE + w·transitions, each scaled to max 1."""
    items, pop, t = next_item_counts(train)
    b = _ease_of(train, float(p["lambda"]))  # same item order: both index the same data
    last, decay, w = int(p["last"]), float(p["decay"]), float(p["weight"])

    def fn(h: np.ndarray) -> np.ndarray:
        return (1 - w) * _unit(b[h].sum(axis=0)) + w * _unit(_transition_scores(t, h, last, decay))

    return ScoreModel(items, pop, fn)


def recipe_builder(recipe: str, hp: dict[str, str]) -> Callable[[TrainingData, dict], Any]:
    def build(train: TrainingData, p: dict[str, Any]) -> Any:
        return RECIPES[recipe].fit(
            train, TrainingConfig(seed=int(p.get("seed", 0)), hyperparameters=hp)
        )

    return build


# v2 bounded by epochs, not seconds: the machine is shared, and a seconds budget trains a
# different number of epochs under a different load (early stopping still applies)
# 20: with 40, leave-last-out early stopping returned later epochs on MovieLens' seeds (best
# epoch 27.7, NDCG@10 0.0651 against 0.0745 at 20), although the generated shop's cold
# validation split still rose after epoch 20 (docs/benchmarks.md, "v2: validation shaped like
# the evaluation", 2026-12-07)
V2_EPOCHS = 20
V2_BENCH = {"epochs": str(V2_EPOCHS), "max_training_seconds": "86400"}
NO_RECENCY = {"recency_mask": "false", "training_recency_decay": "1"}
V2_DECAYED = "v2 weight_decay 4"
V2_STARTED = "v2 weight_decay 4 cooccurrence_start 0.1"
V2_NEGATIVES = "v2 negative_samples 2048"
V2_LONGER = "v2 epochs 40"
NO_SEQUENCE = {"sequence_weight": "0"}
BUILDERS: dict[str, Callable[[TrainingData, dict], Any]] = {
    "aws-user-personalization-v2": recipe_builder("aws-user-personalization-v2", V2_BENCH),
    # v2 with the weight decay chosen on MovieLens' validation split (docs/benchmarks.md,
    # 2026-12-07: 0.0820 against the defaults' 0.0755 there; on the shop's split it trained
    # slower), so MovieLens' test seeds show what a solution setting it gets
    V2_DECAYED: recipe_builder("aws-user-personalization-v2", {**V2_BENCH, "weight_decay": "4"}),
    # and with the co-occurrence start, which added to the decay there (2026-12-07, 06:20 UTC)
    V2_STARTED: recipe_builder(
        "aws-user-personalization-v2",
        {**V2_BENCH, "weight_decay": "4", "cooccurrence_start": "0.1"},
    ),
    # v2 with the top of negative_samples' range, which scored 2.8 % above the default 256 on
    # the shop's cold validation split (docs/benchmarks.md, "v2: 2,048 negatives", 2026-12-07)
    V2_NEGATIVES: recipe_builder(
        "aws-user-personalization-v2", {**V2_BENCH, "negative_samples": "2048"}
    ),
    # v2 with twice the bench's epoch cap, early stopping (patience as v2's) deciding where
    # it ends (docs/benchmarks.md, "v2: tuned on the bench's validation split", 2026-12-08)
    V2_LONGER: recipe_builder("aws-user-personalization-v2", {**V2_BENCH, "epochs": "40"}),
    "aws-user-personalization (v1)": recipe_builder("aws-user-personalization", {}),
    "v1 recency off": recipe_builder("aws-user-personalization", NO_RECENCY),
    "v1 sequence term off": recipe_builder("aws-user-personalization", NO_SEQUENCE),
    "v1 recency+sequence off": recipe_builder(
        "aws-user-personalization", {**NO_RECENCY, **NO_SEQUENCE}
    ),
    "popularity": baseline_popularity,
    "implicit ALS tuned": baseline_als,
    "item-item cosine tuned": baseline_cosine,
    "dense EASE tuned": baseline_ease,
    "transitions tuned (order-aware)": baseline_transitions,
    "transitions+EASE tuned (order-aware)": baseline_transitions_ease,
}
ORDER_AWARE = {"transitions tuned (order-aware)", "transitions+EASE tuned (order-aware)"}
BASELINES = {
    "popularity",
    "implicit ALS tuned",
    "item-item cosine tuned",
    "dense EASE tuned",
} | ORDER_AWARE


# (model, settings) → whether leaving the history out scored higher on the validation split
_EXCLUDE: dict[str, bool] = {}
# (model, settings) → its validation NDCG@10, the better of the two lists
VALIDATION_SCORES: dict[str, float] = {}


def _key(name: str, p: dict[str, Any]) -> str:
    return f"{name} {sorted(p.items())}"


def _val_ndcg(name: str, p: dict[str, Any], val: metrics.Split, log: list[str]) -> float:
    """Validation NDCG@10 of one fit, the better of serving the history items or leaving them
    out (one fit, two lists; the choice is kept for ``with_exclusion``)."""
    model = BUILDERS[name](val.train, p)
    kept = metrics.evaluate(model, val)[NDCG10]
    left_out = metrics.evaluate(Excluding(model), val)[NDCG10]
    _EXCLUDE[_key(name, p)] = left_out > kept
    VALIDATION_SCORES[_key(name, p)] = max(kept, left_out)
    log.append(f"    {name} {p}: {kept:.4f}, history left out {left_out:.4f}")
    return max(kept, left_out)


def validation_score(name: str, p: dict[str, Any]) -> float:
    """The validation NDCG@10 ``_val_ndcg`` measured for ``p`` (its ``exclude`` ignored)."""
    return VALIDATION_SCORES[_key(name, {k: v for k, v in p.items() if k != "exclude"})]


def with_exclusion(name: str, p: dict[str, Any]) -> dict[str, Any]:
    """``p`` and the exclusion chosen for it on the validation split."""
    return {**p, "exclude": _EXCLUDE[_key(name, p)]}


def _widen(
    name: str,
    p: dict[str, Any],
    key: str,
    grid: list[float],
    val: metrics.Split,
    log: list[str],
    factor: float = 3.0,
    steps: int = 4,
) -> dict[str, Any]:
    """Best value of ``key`` on ``grid``, extending the grid while the best is at its edge."""
    scores = {g: _val_ndcg(name, {**p, key: g}, val, log) for g in grid}
    for _ in range(steps):
        best = max(scores, key=scores.__getitem__)
        lo, hi = min(scores), max(scores)
        if best == hi:
            g = hi * factor
        elif best == lo:
            g = lo / factor
        else:
            break
        scores[g] = _val_ndcg(name, {**p, key: g}, val, log)
    return {**p, key: max(scores, key=scores.__getitem__)}


def _coordinate(
    name: str, p: dict[str, Any], grids: dict[str, list[Any]], val: metrics.Split, log: list[str]
) -> dict[str, Any]:
    """One pass of coordinate search: each parameter over its grid, the others held."""
    best_value = _val_ndcg(name, p, val, log)
    for key, grid in grids.items():
        for g in grid:
            if g == p[key]:
                continue
            cand = {**p, key: g}
            value = _val_ndcg(name, cand, val, log)
            if value > best_value:
                p, best_value = cand, value
    return p


def tune(val: metrics.Split, log: list[str], models: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Every baseline's settings and every model's exclusion of history items, chosen by
    NDCG@10 on ``val`` (training data only); recipes keep their default hyperparameters.
    Only the models in ``models`` are tuned (``--models`` reruns some rows without the
    others' tuning fits)."""
    wanted = set(models)
    tuned: dict[str, dict[str, Any]] = {}
    if wanted & {"dense EASE tuned", "transitions+EASE tuned (order-aware)"}:
        ease = _widen("dense EASE tuned", {}, "lambda", [10, 30, 100, 300, 1000, 3000], val, log)
        tuned["dense EASE tuned"] = ease
    if "implicit ALS tuned" in wanted:
        tuned["implicit ALS tuned"] = _coordinate(
            "implicit ALS tuned",
            {"factors": 64, "regularization": 0.01, "iterations": 15, "alpha": 1.0},
            {
                "factors": [32, 128, 256],
                "regularization": [0.1, 1.0, 10.0],
                "alpha": [0.1, 0.3, 5.0, 20.0, 40.0],
                "iterations": [30],
            },
            val,
            log,
        )
    if "item-item cosine tuned" in wanted:
        tuned["item-item cosine tuned"] = _coordinate(
            "item-item cosine tuned", {"K": 20}, {"K": [10, 50, 100, 300, 1000]}, val, log
        )
    if wanted & ORDER_AWARE:
        trans = _coordinate(
            "transitions tuned (order-aware)",
            {"last": 1, "decay": 0.5},
            {"last": [2, 3], "decay": [0.05, 0.2, 0.8, 1.0]},
            val,
            log,
        )
        tuned["transitions tuned (order-aware)"] = trans
    if "transitions+EASE tuned (order-aware)" in wanted:
        tuned["transitions+EASE tuned (order-aware)"] = _coordinate(
            "transitions+EASE tuned (order-aware)",
            {**tuned["dense EASE tuned"], **trans, "weight": 0.5},
            {
                "weight": [0.1, 0.3, 0.7, 0.9, 0.95, 0.98],
                "last": [1, 2, 3],
                "decay": [0.05, 0.2, 0.5, 0.8, 1.0],
            },
            val,
            log,
        )
    _EASE_CACHE.clear()
    for name in models:
        if name not in tuned:
            _val_ndcg(name, {}, val, log)
            tuned[name] = {}
    return {name: with_exclusion(name, p) for name, p in tuned.items() if name in wanted}


def measure(path: str, seed: int, name: str, p: dict[str, Any]) -> dict[str, float]:
    """In a fresh interpreter: fit ``name`` on split ``seed``'s training users and score it.

    The child's whole peak RSS is sampled with psutil, not read from ru_maxrss: Linux keeps
    ru_maxrss across fork and exec, so a spawned child starts with its parent's RSS as its
    "peak" (seen here: every model read 1,015 MiB, the parent's size after tuning).
    """
    warnings.filterwarnings("ignore", message="Method expects CSR input")
    with PeakRss() as whole:
        data = TrainingData(pd.read_parquet(path))
        split = metrics.split_users(data, seed)
        with PeakRss() as mem:
            t = time.perf_counter()
            model = build(name, split.train, {**p, "seed": seed})
            secs = time.perf_counter() - t
        result = metrics.evaluate(model, split)
    extra = {}
    report = getattr(getattr(model, "model", model), "training", None)
    if report is not None:
        extra = {f"v2_{k}": float(v) for k, v in dict(report).items() if isinstance(v, int | float)}
        extra[f"v2_stopped_{report['stopped']}"] = 1.0  # the mean is the share of seeds
    peak = whole.peak / 2**20
    excluded = float(bool(p.get("exclude")))
    return {
        **result,
        "secs": secs,
        "fit_mib": mem.delta_mib,
        "peak_mib": peak,
        "excluded": excluded,
        **extra,
    }


def in_child(path: str, seed: int, name: str, p: dict[str, Any]) -> dict[str, float]:
    """``measure`` in a freshly spawned interpreter (its peak RSS is its own)."""
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(measure, (path, seed, name, p))


def tuning_data(filtered: TrainingData, seeds: Sequence[int]) -> TrainingData:
    """The interactions of ``filtered`` (as ``check_minimums`` left them) without any user
    that split seeds ``seeds`` test: what every tuning fit trains and validates on
    (``metrics.split_users(tuning_data(...), VALIDATION_SEED)``)."""
    df = filtered.interactions
    reported = set().union(*(metrics.split_users(filtered, s).test_users for s in seeds))
    return TrainingData(df.loc[~df["USER_ID"].astype(str).isin(reported)].reset_index(drop=True))


def bench(title: str, data: TrainingData, seeds: Sequence[int], models: Sequence[str]) -> None:
    filtered = check_minimums(data, TrainingConfig())
    df = filtered.interactions
    print(
        f"\n## {title}: {len(df):,} interactions, {df.USER_ID.nunique():,} users, "
        f"{df.ITEM_ID.nunique():,} items; mean of split seeds {list(seeds)}",
        flush=True,
    )
    tuning = tuning_data(filtered, seeds)
    val = metrics.split_users(tuning, VALIDATION_SEED)
    log: list[str] = []
    t = time.perf_counter()
    settings = tune(val, log, models)
    print(
        f"tuned on {tuning.interactions.USER_ID.nunique():,} users without any reported test "
        f"user ({len(val.test_users)} validation users) in {time.perf_counter() - t:.0f} s:",
        flush=True,
    )
    print("\n".join(log))
    for name, p in settings.items():
        print(f"  {name}: {p}")
    rows: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "data.parquet")
        df.to_parquet(path)
        for seed in seeds:
            for name in models:
                r = in_child(path, seed, name, settings.get(name, {}))
                rows.setdefault(name, []).append(r)
                print(
                    f"  seed {seed} {name}: NDCG@10 {r[NDCG10]:.4f}, {r['secs']:.1f} s", flush=True
                )
    print_table(rows)


def print_table(rows: dict[str, list[dict[str, float]]]) -> None:
    header = ["model", "history", "train s", "fit MiB", "peak MiB"] + [k for k, _ in KEYS]
    print("\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    mean: dict[str, dict[str, float]] = {}
    for name, runs in rows.items():
        keys = sorted(set().union(*runs))
        # a v2_stopped_<reason> flag missing from a run means that run stopped otherwise
        mean[name] = {
            k: float(np.mean([r.get(k, 0.0 if "stopped" in k else np.nan) for r in runs]))
            for k in keys
        }
        m = mean[name]
        history = "left out" if m["excluded"] == 1 else "served"
        cells = [name, history, f"{m['secs']:.1f}", f"{m['fit_mib']:.0f}", f"{m['peak_mib']:.0f}"]
        cells += [f"{m[key]:.4f}" for _, key in KEYS]
        print("| " + " | ".join(cells) + " |")
    for name, m in mean.items():
        extra = {k: round(v, 2) for k, v in m.items() if k.startswith("v2_")}
        if extra:
            print(f"{name} training report (mean): {extra}")
    agnostic = [(mean[n][NDCG10], n) for n in mean if n in BASELINES - ORDER_AWARE]
    aware = [(mean[n][NDCG10], n) for n in mean if n in ORDER_AWARE]
    for ours in (
        "aws-user-personalization-v2",
        V2_DECAYED,
        V2_STARTED,
        V2_NEGATIVES,
        V2_LONGER,
        "aws-user-personalization (v1)",
    ):
        if ours not in mean:
            continue
        v = mean[ours][NDCG10]
        for label, pool, target in (("order-agnostic", agnostic, 1.5), ("order-aware", aware, 1.2)):
            if pool:
                best, bname = max(pool)
                print(
                    f"{ours} NDCG@10 {v:.4f} = {v / best:.2f}x the best {label} baseline "
                    f"({bname}, {best:.4f}); target {target}x"
                )


# --- related items: similar-items vs co-occurrence, semantic similarity on cold items --------
#
# Item-to-item recipes answer "what goes with this item", so they are measured on held-out item
# pairs, not on users: each user's last interaction is held out and the pair (the item before it,
# the held-out item) asks whether the anchor's neighbours contain the target (HR@10, MRR@10).
# "Cold" anchors have fewer than 5 training interactions (the guide's cold-item bound). For
# items without interactions, 10 % of the catalogue (seeded) loses every interaction from the
# training data while staying in the Items dataset; pairs whose anchor is such an item, drawn
# from consecutive interactions of the full data, ask the same question. Popularity is what
# aws-sims answers for an item it cannot place.

RELATED_MODELS = ("aws-sims", "aws-similar-items", "aws-semantic-similarity")


def related_data_shop() -> TrainingData:
    """The demo shop, bulk history and streamed events (NAME: itemName, DESCRIPTION: the name
    again as the textual field, CATEGORY: categorical)."""
    from services.demo import data as demo_data

    shop = demo_data.generate(1_750_000_000)
    inter = pd.concat([shop.interactions, shop.events.drop(columns="SESSION_ID")])
    inter = inter.assign(EVENT_VALUE=np.nan).reset_index(drop=True)
    items = pd.concat([shop.items, shop.new_items], ignore_index=True)
    items["DESCRIPTION"] = items["NAME"]  # the shop has names only; Semantic needs a textual
    fields = {"NAME": "itemName", "DESCRIPTION": "textual", "CATEGORY": "categorical"}
    return TrainingData(inter, items, item_fields=fields)


def related_data_movielens() -> TrainingData | None:
    """MovieLens latest-small with movies.csv: TITLE (itemName), GENRES (categorical) and the
    genres again as text (Semantic-Similarity needs a textual field)."""
    data = load_movielens()
    movies_path = ML_RATINGS.with_name("movies.csv")
    if data is None or not movies_path.exists():
        return None
    movies = pd.read_csv(movies_path)
    items = pd.DataFrame(
        {
            "ITEM_ID": movies["movieId"].astype(str),
            "TITLE": movies["title"].astype(str),
            "GENRES": movies["genres"].astype(str),
            "DESCRIPTION": movies["genres"].astype(str).str.replace("|", " ", regex=False),
        }
    )
    fields = {"TITLE": "itemName", "GENRES": "categorical", "DESCRIPTION": "textual"}
    return TrainingData(data.interactions, items, item_fields=fields)


def held_out_pairs(df: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """(training rows without each user's last interaction, [(anchor, target)]): the anchor is
    the user's item before the last, when it differs from it."""
    df = df.sort_values(["USER_ID", "TIMESTAMP"], kind="stable")
    last = ~df["USER_ID"].duplicated(keep="last")
    prev = df.groupby("USER_ID")["ITEM_ID"].shift(1)
    pairs = [(str(a), str(b)) for a, b in zip(prev[last], df["ITEM_ID"][last], strict=True)]
    return df.loc[~last], [(a, b) for a, b in pairs if a != "nan" and a != b]


def cold_pairs(
    df: pd.DataFrame, items: np.ndarray, seed: int, limit: int = 3000
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """(training rows without any interaction of 10 % of the items, [(new item, next item)])
    from consecutive interactions of the same user."""
    rng = np.random.default_rng(seed)
    new = set(rng.choice(items, size=max(1, len(items) // 10), replace=False).astype(str))
    df = df.sort_values(["USER_ID", "TIMESTAMP"], kind="stable")
    nxt = df.groupby("USER_ID")["ITEM_ID"].shift(-1)
    mask = df["ITEM_ID"].astype(str).isin(new) & nxt.notna() & (nxt != df["ITEM_ID"])
    pairs = list(zip(df["ITEM_ID"][mask].astype(str), nxt[mask].astype(str), strict=True))
    if len(pairs) > limit:
        pairs = [pairs[i] for i in sorted(rng.choice(len(pairs), limit, replace=False))]
    return df.loc[~df["ITEM_ID"].astype(str).isin(new)], pairs


def _pair_metrics(model: Any, pairs: list[tuple[str, str]], k: int = 10) -> dict[str, float]:
    """HR@k and MRR@k of the targets among each anchor's neighbours (popular items when the
    model has none, as the runtime serves them); the anchor itself never counts."""
    ids = np.asarray(model.item_ids).astype(str)
    pos = {item: i for i, item in enumerate(ids)}
    hits, rr = [], []
    for anchor, target in pairs:
        scores = model.score_item(anchor)
        scores = np.asarray(model.popularity if scores is None else scores, dtype=np.float64)
        scores = scores.copy()
        if anchor in pos:
            scores[pos[anchor]] = -np.inf
        top = [ids[i] for i in np.argsort(-scores, kind="stable")[:k]]
        rank = top.index(target) + 1 if target in top else 0
        hits.append(rank > 0)
        rr.append(1.0 / rank if rank else 0.0)
    return {"pairs": len(pairs), "HR@10": float(np.mean(hits)), "MRR@10": float(np.mean(rr))}


def bench_related(title: str, data: TrainingData, seed: int = 0) -> None:
    """Print HR@10/MRR@10 of the related-items recipes on held-out and cold item pairs."""
    from services.local.models.recipes import get_recipe

    config = TrainingConfig(seed=42)
    train_rows, pairs = held_out_pairs(data.interactions)
    warm = TrainingData(train_rows.reset_index(drop=True), data.items, item_fields=data.item_fields)
    counts = train_rows["ITEM_ID"].astype(str).value_counts()
    cold_anchor = [(a, b) for a, b in pairs if counts.get(a, 0) < 5]
    cold_rows, new_pairs = cold_pairs(
        data.interactions, data.items["ITEM_ID"].astype(str).unique(), seed
    )
    cold = TrainingData(cold_rows.reset_index(drop=True), data.items, item_fields=data.item_fields)
    print(
        f"\n## related items, {title}: {len(pairs):,} held-out pairs ({len(cold_anchor):,} with "
        f"an anchor of < 5 interactions), {len(new_pairs):,} pairs from items without "
        "interactions"
    )
    print("\n| model | fit s | HR@10 | MRR@10 | HR@10 cold anchor | HR@10 item without clicks |")
    print("|---|---|---|---|---|---|")
    rows = [(n, n, None) for n in RELATED_MODELS]
    rows.append(("aws-semantic-similarity", "… rankingInfluence POPULARITY 1.0", 1.0))
    for name, label, influence in rows:
        t = time.perf_counter()
        model = get_recipe(name).fit(warm, config)
        secs = time.perf_counter() - t
        unseen_model = get_recipe(name).fit(cold, config)
        if influence is not None:
            model, unseen_model = _Influenced(model), _Influenced(unseen_model)
        all_pairs = _pair_metrics(model, pairs)
        few = _pair_metrics(model, cold_anchor)
        unseen = _pair_metrics(unseen_model, new_pairs)
        print(
            f"| {label} | {secs:.1f} | {all_pairs['HR@10']:.4f} | {all_pairs['MRR@10']:.4f} | "
            f"{few['HR@10']:.4f} | {unseen['HR@10']:.4f} |",
            flush=True,
        )


class _Influenced:
    """A Semantic-Similarity model answering as a campaign with rankingInfluence
    POPULARITY 1.0 does (the runtime applies ``influenced`` to the item's scores)."""

    def __init__(self, model: Any) -> None:
        self.model, self.item_ids, self.popularity = model, model.item_ids, model.popularity

    def score_item(self, item_id: str) -> np.ndarray | None:
        scores = self.model.score_item(item_id)
        return None if scores is None else self.model.influenced(scores, {"POPULARITY": 1.0})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--data", default="ml,shop")
    parser.add_argument("--models", default=",".join(BUILDERS))
    args = parser.parse_args()
    seeds = list(range(42, 42 + args.seeds))
    models = args.models.split(",")
    if "ml" in args.data and (ml := load_movielens()) is not None:
        bench("MovieLens latest-small", ml, seeds, models)
    if "shop" in args.data:
        bench("generated shop", generate_shop(100_000, seed=0), seeds, models)
    if "related" in args.data:  # --data related: the item-to-item recipes (seconds)
        bench_related("demo shop", related_data_shop())
        if (ml_items := related_data_movielens()) is not None:
            bench_related("MovieLens latest-small", ml_items)


if __name__ == "__main__":
    main()
