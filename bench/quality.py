"""Offline quality of every recipe vs simple baselines, on Personalize's split.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/quality.py [--seeds 3] [--data ml,shop]

Each recipe is trained through ``training.train`` (which evaluates on the split, then refits
on all data: "train s" is that whole call); baselines are fitted on the same split's training
users. Metrics are averaged over several split seeds because 10 % of 610 MovieLens users is only
61 test users. Peak memory is the RSS delta over the run (psutil, sampled every 5 ms), which,
unlike tracemalloc, sees BLAS and implicit's native buffers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import scipy.linalg.lapack as lapack
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.local.models import metrics  # noqa: E402
from services.local.models.recipes import RECIPES  # noqa: E402
from services.local.models.recipes._common import index  # noqa: E402
from services.local.models.recipes.base import TrainingConfig, TrainingData  # noqa: E402
from services.local.models.recipes.popularity import PopularityModel  # noqa: E402
from services.local.models.training import check_minimums, train  # noqa: E402

# implicit's CosineRecommender normalises into a COO matrix and then warns about it
warnings.filterwarnings("ignore", message="Method expects CSR input")

ML_RATINGS = Path(__file__).resolve().parents[2] / "shared/data/movielens-latest-small/ratings.csv"
KEYS = [
    ("ndcg@5", "normalized_discounted_cumulative_gain_at_5"),
    ("ndcg@10", "normalized_discounted_cumulative_gain_at_10"),
    ("ndcg@25", "normalized_discounted_cumulative_gain_at_25"),
    ("p@5", "precision_at_5"),
    ("p@10", "precision_at_10"),
    ("p@25", "precision_at_25"),
    ("mrr@25", "mean_reciprocal_rank_at_25"),
    ("cov", "coverage"),
]


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
    """A baseline as a Model: ``fn`` maps history item codes to scores."""

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


def _binary(train: TrainingData) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
    idx = index(train, TrainingConfig())
    x = idx.matrix()
    x.data[:] = 1.0
    return idx.item_ids, idx.popularity(), x


def baseline_popularity(train: TrainingData) -> PopularityModel:
    idx = index(train, TrainingConfig())
    return PopularityModel("popularity", idx.item_ids, idx.popularity())


def baseline_als(train: TrainingData) -> ScoreModel:
    """implicit ALS with its default settings; test users folded in with recalculate_user."""
    from implicit.cpu.als import AlternatingLeastSquares

    items, pop, x = _binary(train)
    als = AlternatingLeastSquares(random_state=0, num_threads=2)
    als.fit(x.astype(np.float32), show_progress=False)
    n = len(items)

    def fn(h: np.ndarray) -> np.ndarray:
        row = sp.csr_matrix((np.ones(len(h), np.float32), (np.zeros(len(h)), h)), shape=(1, n))
        u = np.asarray(als.recalculate_user(0, row)).ravel()
        return als.item_factors @ u

    return ScoreModel(items, pop, fn)


def baseline_cosine(train: TrainingData) -> ScoreModel:
    """implicit item-item cosine, K=20; a user's scores sum the neighbours of their items."""
    from implicit.nearest_neighbours import CosineRecommender

    items, pop, x = _binary(train)
    knn = CosineRecommender(K=20, num_threads=2)
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


def baseline_ease(train: TrainingData, lam: float) -> ScoreModel:
    """Dense EASE over the whole catalogue, uniform history."""
    items, pop, x = _binary(train)
    b = _ease_dense(x, lam)
    return ScoreModel(items, pop, lambda h: b[h].sum(axis=0))


def tune_ease_lambda(
    train: TrainingData, seed: int, grid: Sequence[float] = (30, 100, 300, 1000)
) -> float:
    """λ with the best NDCG@10 on a validation split of the training users."""
    val = metrics.split_users(train, seed + 1)
    key = "normalized_discounted_cumulative_gain_at_10"
    scores = {lam: metrics.evaluate(baseline_ease(val.train, lam), val)[key] for lam in grid}
    return max(scores, key=scores.__getitem__)


def bench(name: str, data: TrainingData, seeds: Sequence[int], recipes: Sequence[str]) -> None:
    filtered = check_minimums(data, TrainingConfig())
    df = filtered.interactions
    print(
        f"\n## {name}: {len(df):,} interactions, {df.USER_ID.nunique():,} users, "
        f"{df.ITEM_ID.nunique():,} items; mean of split seeds {list(seeds)}"
    )
    rows: dict[str, list[dict[str, float]]] = {}
    lam = tune_ease_lambda(metrics.split_users(filtered, seeds[0]).train, seeds[0])
    for seed in seeds:
        split = metrics.split_users(filtered, seed)
        for rname in recipes:
            with tempfile.TemporaryDirectory() as tmp, PeakRss() as mem:
                t = time.perf_counter()
                out = train(data, rname, TrainingConfig(seed=seed), out_path=Path(tmp) / "m.npz")
                secs = time.perf_counter() - t
            rows.setdefault(rname, []).append({**out.metrics, "secs": secs, "mib": mem.delta_mib})
        baselines: dict[str, Callable[[TrainingData], object]] = {
            "popularity (baseline)": baseline_popularity,
            "implicit ALS default (baseline)": baseline_als,
            "implicit cosine K=20 (baseline)": baseline_cosine,
            f"dense EASE λ={lam:g} (baseline)": lambda tr: baseline_ease(tr, lam),
        }
        for bname, build in baselines.items():
            with PeakRss() as mem:
                t = time.perf_counter()
                model = build(split.train)
                secs = time.perf_counter() - t
            lists = metrics.recommend_for_split(model, split, 25)  # type: ignore[arg-type]
            result = metrics.evaluate(model, split, lists)  # type: ignore[arg-type]
            rows.setdefault(bname, []).append({**result, "secs": secs, "mib": mem.delta_mib})
        print(f"  seed {seed} done", flush=True)
    header = ["model", "train s", "peak MiB"] + [k for k, _ in KEYS]
    print("\n| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for mname, runs in rows.items():
        mean = {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
        cells = [mname, f"{mean['secs']:.1f}", f"{mean['mib']:.0f}"]
        cells += [f"{mean[key]:.4f}" for _, key in KEYS]
        print("| " + " | ".join(cells) + " |")
    best = max(
        (np.mean([r["normalized_discounted_cumulative_gain_at_10"] for r in runs]), m)
        for m, runs in rows.items()
        if "baseline" in m
    )
    up = np.mean(
        [r["normalized_discounted_cumulative_gain_at_10"] for r in rows["aws-user-personalization"]]
    )
    print(
        f"\naws-user-personalization NDCG@10 {up:.4f} = {up / best[0]:.2f} × best baseline "
        f"({best[1]}, {best[0]:.4f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--data", default="ml,shop")
    parser.add_argument("--recipes", default=",".join(RECIPES))
    args = parser.parse_args()
    seeds = list(range(42, 42 + args.seeds))
    recipes = args.recipes.split(",")
    if "ml" in args.data and (ml := load_movielens()) is not None:
        bench("MovieLens latest-small", ml, seeds, recipes)
    if "shop" in args.data:
        bench("generated shop", generate_shop(100_000, seed=0), seeds, recipes)


if __name__ == "__main__":
    main()
