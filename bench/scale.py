"""Training time and peak memory of aws-user-personalization on generated data.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/scale.py [--sizes 100000,1000000,5000000]

Each size is one ``training.train`` call (split, evaluation, final fit, save) in a fresh child
process, so peak memory is that process's own peak RSS (``ru_maxrss`` after the run, minus the
RSS before training; generation happens before the baseline is taken). Items ≈ 2 % of
interactions, power-law popularity, users ≈ interactions / 50. GetRecommendations latency is
measured by the engine's own benchmark; ``bench_latency`` is deliberately left to the lead.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.local.models.recipes.base import TrainingConfig, TrainingData  # noqa: E402


def generate(n: int, seed: int = 0) -> TrainingData:
    """Vectorised synthetic log: power-law items and users, sessions of neighbouring items."""
    rng = np.random.default_rng(seed)
    n_items, n_users = max(100, n // 50), max(50, n // 50)
    item_p = 1.0 / np.arange(1, n_items + 1) ** 0.9
    item_p /= item_p.sum()
    user_p = 1.0 / np.arange(1, n_users + 1) ** 0.5
    user_p /= user_p.sum()
    users = rng.choice(n_users, size=n, p=user_p)
    # a session anchor item by popularity, then a short walk to neighbouring item IDs
    anchor = rng.permutation(n_items)[rng.choice(n_items, size=n, p=item_p)]
    items = np.clip(anchor + rng.integers(-3, 4, size=n), 0, n_items - 1)
    ts = 1_600_000_000 + rng.integers(0, 365 * 86_400, size=n)
    df = pd.DataFrame(
        {
            "USER_ID": pd.Series(users).map("u{}".format),
            "ITEM_ID": pd.Series(items).map("i{}".format),
            "TIMESTAMP": ts.astype(np.int64),
            "EVENT_TYPE": "view",
            "EVENT_VALUE": np.nan,
        }
    )
    return TrainingData(df)


def run_one(n: int) -> dict[str, float]:
    """Generate, then train once; report seconds and peak RSS growth."""
    from services.local.models.training import train

    data = generate(n)
    base = psutil.Process().memory_info().rss
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        out = train(
            data, "aws-user-personalization", TrainingConfig(), out_path=Path(tmp) / "m.npz"
        )
        secs = time.perf_counter() - t
        size = (Path(tmp) / "m.npz").stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    return {
        "interactions": out.num_interactions,
        "users": out.num_users,
        "items": out.num_items,
        "secs": secs,
        "peak_gib": (peak - base) / 2**30,
        "model_mib": size / 2**20,
        "ndcg10": out.metrics["normalized_discounted_cumulative_gain_at_10"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000,5000000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process mode
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    print("| interactions | users | items | train s | peak RSS Δ GiB | model MiB | NDCG@10 |")
    print("|---|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=False
        )
        if proc.returncode:
            print(f"| {n:,} | failed: {proc.stderr.strip().splitlines()[-1]} |")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"| {r['interactions']:,} | {r['users']:,} | {r['items']:,} | {r['secs']:.1f} "
            f"| {r['peak_gib']:.2f} | {r['model_mib']:.1f} | {r['ndcg10']:.4f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
