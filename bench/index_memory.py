"""Memory and request time of a User-Personalization model with a norm-ordered index, before
and after a change of how the model holds its factors, each in clean child processes.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/index_memory.py --before DIR [--items N]

``DIR`` is a checkout of the code to compare with (e.g. ``git worktree add /tmp/before
main``); this checkout is the "after". For each, a fresh interpreter builds the same synthetic
model (``--items`` × 64 ALS factors whose norms are spread as ALS learned them on the ×10 shop:
most items near 0.045, 1 % near 2.2, three at 90; ``--users`` histories of 10 items; three
transitions per item), runs the recipe's ``for_serving`` (the index and its calibration, as
training does) and saves it; then another fresh interpreter loads the file and serves
``--requests`` users as GetRecommendations does with an index (``scorer`` then ``top`` of 25 and
the softmax of those) and as the exact scan (``score_user``). Memory is the process's resident
set after loading and its peak (``ru_maxrss``); only APIs both versions have are used. The lists
of the two are compared item for item.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
GIB = 2**30
DIM, HIST, K = 64, 10, 25


def rss() -> int:
    """This process's resident set now, in bytes."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize()


def peak() -> int:
    """This process's peak resident set so far, in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def factors(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` × 64 float32 rows, random directions, norms spread as on the ×10 shop (drawn
    in blocks: the same draws as one, without a float64 array of them all)."""
    x = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 1 << 16):
        stop = min(n, start + (1 << 16))
        x[start:stop] = rng.normal(size=(stop - start, DIM))
        x[start:stop] /= np.linalg.norm(x[start:stop], axis=1, keepdims=True)
    norms = np.exp(rng.normal(-3.1, 0.5, n))
    heavy = rng.choice(n, n // 100, replace=False)
    norms[heavy] = np.exp(rng.normal(0.8, 0.7, len(heavy)))
    norms[heavy[:3]] = 90.0
    x *= norms[:, None].astype(np.float32)
    return x


def build(out: Path, items: int, users: int) -> dict[str, Any]:
    """The model, its index (``for_serving``) and its file; seconds and memory."""
    import pandas as pd
    import scipy.sparse as sp

    from services.local.models.recipes.base import TrainingConfig, TrainingData
    from services.local.models.recipes.users._up_model import UPParams, UserPersonalizationModel
    from services.local.models.recipes.users.user_personalization import UserPersonalizationRecipe

    rng = np.random.default_rng(0)
    nxt = rng.integers(0, items, size=(items, 3))
    plain = UserPersonalizationModel(
        recipe_name="aws-user-personalization",
        item_ids=np.array([f"i{k}" for k in range(items)], dtype=object),
        popularity=rng.integers(1, 50, items).astype(np.float64),
        params=UPParams(history_length=HIST),
        neighbours=None,
        factors=factors(items, rng),
        transitions=sp.csr_matrix(
            (np.ones(3 * items), (np.repeat(np.arange(items), 3), nxt.ravel())),
            shape=(items, items),
        ),
        user_ids=np.array([f"u{k:07d}" for k in range(users)], dtype=object),
        user_histories=sp.csr_matrix(rng.integers(0, items, size=(users, HIST)) + 1),
    )
    t = time.perf_counter()
    recipe = UserPersonalizationRecipe(index_min_items=1)
    model = recipe.for_serving(plain, TrainingConfig(), TrainingData(interactions=pd.DataFrame()))
    secs = time.perf_counter() - t
    del plain
    model.save(out)
    cal = model.retrieval_calibration
    return {
        "index": type(model.retrieval).__name__,
        "calibration": cal.summary() if cal else "",
        "build_s": secs,
        "file_bytes": out.stat().st_size,
        "peak": peak(),
    }


def serve(path: Path, requests: int, lists: Path) -> dict[str, Any]:
    """Load ``path`` and time ``requests`` users' index path and exact scan."""
    from services.local.models import ranking
    from services.local.models.recipes.users._up_model import UserPersonalizationModel

    before = rss()
    t = time.perf_counter()
    model = UserPersonalizationModel.load(path)
    load_s, loaded = time.perf_counter() - t, rss()
    users = [str(u) for u in model.user_ids[:: max(1, len(model.user_ids) // requests)]]
    users = users[:requests]
    indexed, exact, out = [], [], []
    for user in users:
        t = time.perf_counter()
        scorer = model.scorer(user, [])
        assert scorer is not None
        cand, scores = scorer.top(K)
        best, _ = ranking.top_k(scores, K)
        scorer.softmax_at(cand[best], scores[best], 1.0)
        indexed.append(time.perf_counter() - t)
        out.append(cand[best].tolist())
    for user in users[: max(1, requests // 10)]:  # the exact scan is slower: fewer of them
        t = time.perf_counter()
        full = model.score_user(user, [])
        assert full is not None
        ranking.top_k(full, K)
        exact.append(time.perf_counter() - t)
    lists.write_text(json.dumps(out))
    return {
        "load_s": load_s,
        "rss_start": before,
        "rss_loaded": loaded,
        "peak": peak(),
        "p50_ms": float(np.percentile(indexed, 50)) * 1e3,
        "p99_ms": float(np.percentile(indexed, 99)) * 1e3,
        "exact_p50_ms": float(np.percentile(exact, 50)) * 1e3,
        "exact_p99_ms": float(np.percentile(exact, 99)) * 1e3,
        "requests": len(users),
    }


def child(code: Path, *args: str, script: Path = Path(__file__)) -> dict[str, Any]:
    """Run ``script``'s (this one's) ``--child`` step in a fresh interpreter importing
    ``code``'s services; its JSON result (the last line it prints)."""
    cmd = [sys.executable, str(script.resolve()), "--child", str(code), *args]
    done = subprocess.run(cmd, cwd=code, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="checkout of the code before the change")
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/index-memory"))
    parser.add_argument("--rounds", type=int, default=2, help="serving runs of each, in turn")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        code, step, *rest = args.child
        sys.path.insert(0, code)
        if step == "build":
            result = build(Path(rest[0]), int(rest[1]), int(rest[2]))
        else:
            result = serve(Path(rest[0]), int(rest[1]), Path(rest[2]))
        print(json.dumps(result))
        return
    if args.before is None:
        parser.error("--before DIR is required")
    args.out.mkdir(parents=True, exist_ok=True)
    codes = {"before": args.before.resolve(), "after": ROOT}
    built = {}
    for label, code in codes.items():
        model = args.out / f"{label}.npz"
        built[label] = child(code, "build", str(model), str(args.items), str(args.users))
    results = []
    for r in range(args.rounds):  # served in turn: a shared machine's load drifts
        for label, code in codes.items():
            model, lists = args.out / f"{label}.npz", args.out / f"{label}-lists.json"
            served = child(code, "serve", str(model), str(args.requests), str(lists))
            results.append((f"{label} (round {r + 1})", built[label], served))
    same = json.loads((args.out / "before-lists.json").read_text()) == json.loads(
        (args.out / "after-lists.json").read_text()
    )
    b = built["before"]
    print(f"{args.items:,} items × {DIM}; index: {b['index']}; {b['calibration']}")
    print(f"lists of the {results[0][2]['requests']:,} users identical: {same}")
    print("| code | file GiB | build s | build peak GiB | load s | RSS loaded GiB | serve peak "
          "GiB | index path p50 / p99 ms | exact scan p50 / p99 ms |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for label, bt, sv in results:
        print(
            f"| {label} | {bt['file_bytes'] / GIB:.3f} | {bt['build_s']:.1f} | "
            f"{bt['peak'] / GIB:.2f} | {sv['load_s']:.2f} | {sv['rss_loaded'] / GIB:.3f} | "
            f"{sv['peak'] / GIB:.3f} | {sv['p50_ms']:.3f} / {sv['p99_ms']:.3f} | "
            f"{sv['exact_p50_ms']:.2f} / {sv['exact_p99_ms']:.2f} |"
        )


if __name__ == "__main__":
    main()
